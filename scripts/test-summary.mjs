// Prints the closing line CI reads, "N passed, N failed", from jest's --json output.
// A suite that crashed before its tests ran is not in numFailedTests, so it counts as a failure here.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? ".jest-results.json";
let r;
try {
  r = JSON.parse(readFileSync(file, "utf8"));
} catch (e) {
  console.log(`could not read jest results from ${file}: ${e.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const crashed = (r.testResults ?? []).filter((s) => s.status === "failed" && (s.assertionResults ?? []).length === 0);
for (const s of crashed) console.log(`suite failed to run: ${s.name}\n${(s.message ?? "").slice(0, 2000)}`);
const failed = r.numFailedTests + Math.max(r.numRuntimeErrorTestSuites ?? 0, crashed.length);
console.log(`${r.numPassedTests} passed, ${failed} failed`);
process.exit(failed > 0 || r.success === false ? 1 : 0);
