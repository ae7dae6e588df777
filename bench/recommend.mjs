// `tierguard recommend` against `simulate` on the same snapshot. Prints figures; asserts nothing.
//   npm run bench:recommend [-- --records N]   (N: a prefix of bench/data/flows.jsonl; default: all of it)
// Target (issue 13): recommend in under twice the time of simulate, memory proportional to distinct flow tuples,
// not records: the peak at a quarter of the records should be close to the peak at all of them.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { flowPrefix } from "./prefix.mjs";

const args = process.argv.slice(2);
const data = "bench/data";
if (!existsSync("dist/cli/main.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit" });
if (!existsSync(`${data}/flows.jsonl`)) execFileSync("node", ["bench/generate.mjs", "--out", data], { stdio: "inherit" });
const lines = (path) => Number(execFileSync("wc", ["-l", path], { encoding: "utf8" }).trim().split(/\s+/)[0]);
const total = lines(`${data}/flows.jsonl`);
const records = Math.min(Number(args[args.indexOf("--records") + 1] || total) || total, total);

const prefix = (n) => (n >= total ? Promise.resolve(`${data}/flows.jsonl`) : flowPrefix(data, n));

/** Runs one command in a fresh process; returns {ms, maxRssMB} and what it said on stderr. */
function run(argv) {
  const r = spawnSync("node", ["bench/child.mjs", ...argv], { encoding: "utf8", maxBuffer: 1 << 28 });
  const last = r.stderr.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!last) throw new Error(`no figures:\n${r.stderr}`);
  return { ...JSON.parse(last), stderr: r.stderr };
}

const common = ["--policies", `${data}/policies`, "--inventory", `${data}/inventory.json`];
const simulate = (flows, workers) => run(["simulate", ...common, "--flows", flows, "--output", "summary", "--workers", workers]);
const recommend = (flows) => run(["recommend", ...common, "--flows", flows, "--output", "json"]);
const tuples = (r) => Number(/into (\d+) distinct flow tuples/.exec(r.stderr)?.[1] ?? NaN);

const full = await prefix(records);
const quarter = await prefix(Math.floor(records / 4));
console.log(`workload: ${full} (${records} records), policies in ${data}/policies, inventory ${data}/inventory.json`);
// The machine is shared: each command runs twice, interleaved, and the faster run counts.
const best = (a, b) => (a.ms <= b.ms ? a : b);
let simAuto, simOne, rec, recQuarter;
for (let i = 0; i < 2; i++) {
  const sa = simulate(full, "auto");
  const r = recommend(full);
  const so = simulate(full, "1");
  const rq = recommend(quarter);
  simAuto = simAuto ? best(simAuto, sa) : sa;
  rec = rec ? best(rec, r) : r;
  simOne = simOne ? best(simOne, so) : so;
  recQuarter = recQuarter ? best(recQuarter, rq) : rq;
}
const row = (name, r) => `${name.padEnd(50)} ${String(r.ms).padStart(7)} ms  ${String(r.maxRssMB).padStart(5)} MB peak`;
console.log("(best of two interleaved runs each)");
console.log(row("simulate --output summary (workers: auto)", simAuto));
console.log(row("simulate --output summary --workers 1", simOne));
console.log(row(`recommend (${tuples(rec)} distinct tuples)`, rec));
console.log(row(`recommend, first ${Math.floor(records / 4)} records (${tuples(recQuarter)} tuples)`, recQuarter));
console.log(`recommend / simulate: ${(rec.ms / simAuto.ms).toFixed(2)}x (workers: auto), ${(rec.ms / simOne.ms).toFixed(2)}x (one thread); target: under 2.00x`);
console.log(`memory: ${recQuarter.maxRssMB} MB at 1/4 of the records vs ${rec.maxRssMB} MB at all of them (tuples ${tuples(recQuarter)} vs ${tuples(rec)})`);
const proof = /Proof: .*/.exec(rec.stderr)?.[0];
if (proof) console.log(proof);
