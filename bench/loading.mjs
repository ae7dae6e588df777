// Loading, phase by phase, in this process: what `simulate` does before its first record (issue 17's "loading").
//   node bench/loading.mjs [--data DIR] [--runs N]
// Prints each phase's wall time per run: importing the command, the policies (read, parse, validate, build), the
// inventory, and the policy set and replayer. Timing is printed, never asserted.
import { resolve } from "node:path";
import { inProcess, option } from "./prefix.mjs";

const data = resolve(option("--data", "bench/data"));
const runs = Number(option("--runs", "1"));
const dist = inProcess(data);

const marks = [performance.now()];
const lap = () => {
  marks.push(performance.now());
  return Math.round(marks[marks.length - 1] - marks[marks.length - 2]);
};
const common = await dist("cli/common.js");
const { readInventory } = await dist("io/inventory.js");
const { buildReplayer } = await dist("run/replay-simulate.js");
const { DEFAULT_LOAD_LIMITS } = await dist("policy/index.js");
await dist("cli/simulate.js");
console.log(`import of simulate ${lap()} ms (first run only: modules load once per process)`);
// The CLI's defaults (src/cli/common.ts): this script calls loadPolicies without commander.
const options = { calicoVersion: "3.32", ...DEFAULT_LOAD_LIMITS };
for (let i = 0; i < runs; i++) {
  marks.push(performance.now());
  const loaded = await common.loadPolicies([`${data}/policies`], options, process.cwd());
  const policies = lap();
  const inventory = await readInventory(`${data}/inventory.json`, { cwd: process.cwd() });
  const inv = lap();
  buildReplayer(loaded.resources, { version: loaded.version, stagedDelete: "preview", inventory: inventory.inventory, selectors: loaded.selectors });
  const set = lap();
  const errors = loaded.diagnostics.filter((d) => d.severity === "error").length;
  console.log(`run ${i + 1}: policies ${policies} ms (${loaded.resources.length} resources, ${errors} errors), inventory ${inv} ms, policy set and replayer ${set} ms; total ${policies + inv + set} ms`);
}
