// What one evaluation costs, cold and warm: the distinct tuples of the first N records, evaluated through a fresh
// policy set (its per-label-set memos empty: relevant policies, selector results) and then again through the same
// set (memos full). The difference is what a replay pays the first time it meets a label set.
//   node bench/evaluations.mjs [--data DIR] [--records N]
// Timing is printed, never asserted.
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { inProcess, option } from "./prefix.mjs";

const data = resolve(option("--data", "bench/data"));
const records = Number(option("--records", "300000"));
const dist = inProcess(data);

const { loadPolicies } = await dist("cli/common.js");
const { readInventory } = await dist("io/inventory.js");
const { buildReplayer } = await dist("run/replay-simulate.js");
const { evaluateFlow } = await dist("engine/index.js");
const { enterpriseFastFields } = await dist("flows/index.js");
const { DEFAULT_LOAD_LIMITS } = await dist("policy/index.js");

const loaded = await loadPolicies([`${data}/policies`], { calicoVersion: "3.32", ...DEFAULT_LOAD_LIMITS }, process.cwd());
const { inventory } = await readInventory(`${data}/inventory.json`, { cwd: process.cwd() });
const replayer = () => buildReplayer(loaded.resources, { version: loaded.version, stagedDelete: "preview", inventory, selectors: loaded.selectors });

// The tuples as the replay keys them: endpoint equivalence ids, port and protocol (src/impact/replay.ts). Each
// replayer resolves the ends itself: label sets are interned per replayer, and their memos live on them.
const keyer = replayer();
const seen = new Set();
const docs = [];
let n = 0;
for await (const line of createInterface({ input: createReadStream(`${data}/flows.jsonl`) })) {
  if (++n > records) break;
  const doc = JSON.parse(line);
  const fields = enterpriseFastFields(doc);
  const src = fields && keyer.raw.get(doc, "source");
  const dst = src && keyer.raw.get(doc, "dest");
  if (!dst) continue;
  const key = `${keyer.endpointId(src)}|${keyer.endpointId(dst)}|${fields.dstPort}|${keyer.protocol(fields.protocol)}`;
  if (seen.has(key)) continue;
  seen.add(key);
  docs.push(doc);
}
console.log(`${docs.length} distinct tuples in the first ${Math.min(n, records)} records of ${data}/flows.jsonl`);

function flowsOf(r) {
  return docs.map((doc) => {
    const fields = enterpriseFastFields(doc);
    return { src: r.raw.get(doc, "source").endpoint, dst: r.raw.get(doc, "dest").endpoint, protocol: r.protocol(fields.protocol), dstPort: fields.dstPort };
  });
}
function time(label, r, flows) {
  const t0 = performance.now();
  for (const flow of flows) evaluateFlow(r.set, flow);
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(40)} ${String(Math.round(ms)).padStart(6)} ms  ${((ms * 1000) / flows.length).toFixed(1)} µs per evaluation`);
}
time("first pass (code not yet optimised)", keyer, flowsOf(keyer));
const fresh = replayer();
const flows = flowsOf(fresh);
time("a fresh policy set: memos empty", fresh, flows);
time("the same set again: memos full", fresh, flows);
