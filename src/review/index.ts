/**
 * The review: the checks a policy change is judged by (ownership, guard rails, lint, policy tests, impact
 * findings), each `(ReviewContext) => Finding[]`, the identity-based diff, tierguard.yaml, and the promotion plan
 * with its deployment payload (promotion/). Core: imports impact, engine, flows, policy, selector and src/contracts;
 * does no I/O (src/run and the adapters read the files) and never imports report, run or an adapter.
 */
export * from "./types.js";
export * from "./config.js";
export * from "./recommend-config.js";
export * from "./context.js";
export * from "./diff.js";
export * from "./impact-findings.js";
export * from "./connectivity/index.js";
export * from "./load.js";
export * from "./ownership.js";
export * from "./prepare.js";
export * from "./run.js";
export * from "./select-files.js";
export * from "./snapshot-problems.js";
export * from "./guardrails/index.js";
export * from "./lint/index.js";
export * from "./policy-tests/index.js";
export * from "./promotion/index.js";
