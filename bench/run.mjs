// tierguard benchmarks (issue 17). Prints figures; asserts nothing (timing is never a test).
//   npm run bench [-- --records N] [-- --regenerate] [-- --5m] [-- --no-growth] [-- --no-review] [-- --no-sizes] [-- --data DIR]
//                 [-- --pairs N]
// The machine may be shared: each figure carries the process's CPU time (worker threads included) beside the wall time.
// On the production-like workload of bench/generate.mjs (10,000 pods in 200 namespaces, 2,005 policies, N records,
// default 1,000,000), at 100k, N and (with --5m) 5M records:
// - the floor any reader pays: a bare Node loop, one thread, that reads the file and JSON.parses every line;
// - `simulate --output summary` in two threads (this one and a worker: `--workers 2`) and in one;
// - loading alone: the same command over a one-record flow file (policies, inventory, set-up);
// - each one's peak RSS (the largest process's, workers included: they are threads).
// With --pairs N, the floor and the two-thread simulate are then run N times more, alternated, and each pair's ratio
// printed with their median: the machine's speed moves within minutes, and a ratio of two runs far apart moves with it.
// Then the growth table (policies 1,000 -> 10,000, pods 1,000 -> 50,000, records 100k -> 5M; each row its own
// generated workload under bench/data/growth/) and the review figures (bench/review.mjs's repository).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { flowPrefix } from "./prefix.mjs";
import { ensureReviewRepo } from "./review.mjs";

const args = process.argv.slice(2);
const option = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const records = Number(option("--records", 1_000_000));
const pairs = Number(option("--pairs", 0));
const data = option("--data", "bench/data");
if (!existsSync("dist/cli/main.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit" });

/** The workload in `dir`, generated when missing (or on --regenerate for the main one). */
function workload(dir, gen, regenerate = false) {
  if (regenerate || !existsSync(`${dir}/flows.jsonl`)) {
    execFileSync("node", ["bench/generate.mjs", "--out", dir, ...Object.entries(gen).flatMap(([k, v]) => [`--${k}`, String(v)])], { stdio: "inherit" });
  }
  const one = `${dir}/flows-one.jsonl`;
  if (!existsSync(one)) writeFileSync(one, execFileSync("head", ["-n", "1", `${dir}/flows.jsonl`]));
  return { dir, flows: `${dir}/flows.jsonl`, one };
}

function run(script, argv, node = []) {
  const r = spawnSync("node", [...node, script, ...argv], { encoding: "utf8", maxBuffer: 1 << 26 });
  const last = (r.stdout + "\n" + r.stderr).trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!last) throw new Error(`${script} printed no figures:\n${r.stderr}`);
  return JSON.parse(last);
}

const lines = (path) => Number(execFileSync("wc", ["-l", path], { encoding: "utf8" }).trim().split(/\s+/)[0]);
const simulate = (w, flows, workers) =>
  run("bench/child.mjs", ["simulate", "--policies", `${w.dir}/policies`, "--flows", flows, "--inventory", `${w.dir}/inventory.json`, "--output", "summary", "--workers", String(workers)]);
const floorOf = (flows) => run("bench/floor.mjs", [flows]);

const fmt = (n, w) => String(n).padStart(w);
const row = (name, r, recs, floor) =>
  `${name.padEnd(46)} ${fmt(r.ms, 7)} ms (cpu ${fmt(r.cpuMs, 7)} ms)  ${fmt(recs ? Math.round((recs * 1000) / r.ms) : "-", 8)} rec/s  ${fmt(r.maxRssMB, 5)} MB peak${floor ? `  ${(r.ms / floor.ms).toFixed(2)}x floor` : ""}`;

/** Floor, simulate (2 threads, 1), loading, for one flow file of a workload. */
function measure(w, flows, n, label) {
  const floor = floorOf(flows);
  const two = simulate(w, flows, 2);
  const one = simulate(w, flows, 1);
  const load = simulate(w, w.one, 1);
  console.log(`-- ${label}: ${n} records, ${(statSync(flows).size / 1e6).toFixed(0)} MB`);
  console.log(row("floor: read + JSON.parse every line, 1 thread", floor, n));
  console.log(row("simulate --output summary --workers 2", two, n, floor));
  console.log(row("simulate --output summary --workers 1", one, n, floor));
  console.log(row("loading alone (a one-record flow file)", load, 0));
  if (pairs > 0) {
    const ratios = [];
    for (let i = 0; i < pairs; i++) {
      const f = floorOf(flows);
      const t = simulate(w, flows, 2);
      ratios.push(t.ms / f.ms);
      console.log(`  pair ${i + 1}: floor ${f.ms} ms, 2 threads ${t.ms} ms, ${(t.ms / f.ms).toFixed(2)}x`);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(`  2 threads over the floor, ${pairs} alternated pairs: median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}x (${sorted[0].toFixed(2)}-${sorted[sorted.length - 1].toFixed(2)}x)`);
  }
  return { floor, two, one, load };
}

const main = workload(data, { records }, args.includes("--regenerate"));
const n = lines(main.flows);
console.log(`workload: ${data} (${n} records), policies in ${data}/policies, inventory ${data}/inventory.json`);
console.log("targets: simulate in 2 threads at most 1.20x the floor; loading under 500 ms; peak memory proportional to distinct tuples, not records");
const sizes = [];
if (n > 100_000) sizes.push([await flowPrefix(data, 100_000), 100_000]);
sizes.push([main.flows, n]);
if (args.includes("--5m")) {
  const big = workload(`${data}/5m`, { records: 5_000_000 });
  sizes.push([big.flows, lines(big.flows)]);
}
// --no-sizes: the growth table alone (its records rows then come from nothing: they are left out).
const byRecords = args.includes("--no-sizes") ? [] : sizes.map(([flows, recs]) => ({ recs, ...measure(main, flows, recs, flows) }));
console.log("peak RSS by records (simulate, 2 threads / 1): " + byRecords.map((r) => `${r.recs}: ${r.two.maxRssMB} / ${r.one.maxRssMB} MB`).join(", "));

if (!args.includes("--no-growth")) {
  // Each row: its own workload of 100,000 records unless the row varies the records.
  const rows = [
    ...[1000, 2005, 5000, 10000].map((p) => ["policies", p, { policies: p, pods: 10000, records: 100_000 }]),
    ...[1000, 10000, 50000].map((p) => ["pods", p, { policies: 2005, pods: p, records: 100_000 }]),
  ];
  console.log("growth (simulate --workers 2; loading = one-record file)");
  console.log("  varies      value   records   floor ms (cpu)   simulate ms (cpu)  x floor  loading ms (cpu)  peak MB");
  const line = (what, v, recs, m) =>
    console.log(
      `  ${what.padEnd(9)} ${fmt(v, 7)} ${fmt(recs, 9)} ${fmt(m.floor.ms, 8)} (${fmt(m.floor.cpuMs, 6)}) ${fmt(m.two.ms, 10)} (${fmt(m.two.cpuMs, 6)}) ${fmt((m.two.ms / m.floor.ms).toFixed(2), 8)} ${fmt(m.load.ms, 8)} (${fmt(m.load.cpuMs, 6)}) ${fmt(m.two.maxRssMB, 8)}`,
    );
  for (const [what, v, gen] of rows) {
    const w = workload(`${data}/growth/${what}-${v}`, gen);
    const floor = floorOf(w.flows);
    line(what, v, gen.records, { floor, two: simulate(w, w.flows, 2), load: simulate(w, w.one, 1) });
  }
  for (const r of byRecords) line("records", r.recs, r.recs, r);
}

if (!args.includes("--no-review") && byRecords.length > 0) {
  // Review: both revisions replayed together against one simulate (bench/review.mjs has the detailed cases).
  const repo = ensureReviewRepo(data);
  const reviewArgs = (head, extra) => ["review", "--repo", repo, "--base", "main", "--head", head, "--author", "dev", "--teams", "bench/apps", "--output", "json", ...extra];
  const full = byRecords.find((r) => r.recs === n);
  const reviewFull = run("bench/child.mjs", reviewArgs("small", ["--flows", main.flows, "--inventory", `${data}/inventory.json`]));
  const reviewWide = run("bench/child.mjs", reviewArgs("wide", []));
  console.log(row("review, 1 changed policy, same snapshot", reviewFull, n));
  console.log(`  vs simulate of one revision: ${(reviewFull.ms / full.two.ms).toFixed(2)}x (2 threads), ${(reviewFull.ms / full.one.ms).toFixed(2)}x (one thread)`);
  console.log(`review of a pull request changing 500 policy files (no snapshot): ${reviewWide.ms} ms, ${reviewWide.maxRssMB} MB peak`);
}
