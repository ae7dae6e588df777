// The version moved to src/contracts (github/action needed it without importing cli); kept for cli/review.ts.
export { VERSION } from "../contracts/index.js";
