// tierguard benchmarks. Prints figures; asserts nothing (timing is never a test).
//   npm run bench [-- --records N] [-- --regenerate]
// Compares `simulate --output summary` with the floor any reader pays: a bare Node loop that reads the same
// uncompressed JSON Lines file and JSON.parses every line.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { flowPrefix } from "./prefix.mjs";
import { ensureReviewRepo } from "./review.mjs";

const args = process.argv.slice(2);
const records = Number(args[args.indexOf("--records") + 1] || 1_000_000) || 1_000_000;
const data = "bench/data";
if (!existsSync("dist/cli/main.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit" });
if (args.includes("--regenerate") || !existsSync(`${data}/flows.jsonl`)) {
  execFileSync("node", ["bench/generate.mjs", "--records", String(records), "--out", data], { stdio: "inherit" });
}

const prefix = (n) => flowPrefix(data, n);

function run(script, argv) {
  const r = spawnSync("node", [script, ...argv], { encoding: "utf8", maxBuffer: 1 << 26 });
  const last = (r.stdout + "\n" + r.stderr).trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!last) throw new Error(`${script} printed no figures:\n${r.stderr}`);
  return JSON.parse(last);
}

const lines = (path) => Number(execFileSync("wc", ["-l", path], { encoding: "utf8" }).trim().split(/\s+/)[0]);
const simulate = (flows, workers) => run("bench/child.mjs", ["simulate", "--policies", `${data}/policies`, "--flows", flows, "--inventory", `${data}/inventory.json`, "--output", "summary", "--workers", workers]);

const full = `${data}/flows.jsonl`;
const n = lines(full);
const quarter = await prefix(Math.floor(n / 4));
console.log(`workload: ${data} (${n} records, ${(statSync(full).size / 1e6).toFixed(0)} MB), policies in ${data}/policies, inventory ${data}/inventory.json`);
const floor = run("bench/floor.mjs", [full]);
const auto = simulate(full, "auto");
const one = simulate(full, "1");
const small = simulate(quarter, "auto");
const row = (name, r, recs) => `${name.padEnd(44)} ${String(r.ms).padStart(7)} ms  ${String(Math.round((recs * 1000) / r.ms)).padStart(8)} rec/s  ${String(r.maxRssMB).padStart(5)} MB peak  ${(r.ms / floor.ms).toFixed(2)}x floor`;
console.log(row("floor: read + JSON.parse every line", floor, n));
console.log(row("simulate --output summary (workers: auto)", auto, n));
console.log(row("simulate --output summary --workers 1", one, n));
console.log(row(`simulate, first ${Math.floor(n / 4)} records (memory check)`, small, Math.floor(n / 4)));
console.log(`target: at most 1.50x floor; memory at 1/4 of the records vs all: ${small.maxRssMB} MB vs ${auto.maxRssMB} MB`);

// Review: both revisions replayed together should cost at most twice one replay.
const repo = ensureReviewRepo(data);
const reviewArgs = (head, extra) => ["review", "--repo", repo, "--base", "main", "--head", head, "--author", "dev", "--teams", "bench/apps", "--output", "json", ...extra];
const reviewFull = run("bench/child.mjs", reviewArgs("small", ["--flows", full, "--inventory", `${data}/inventory.json`]));
const reviewWide = run("bench/child.mjs", reviewArgs("wide", []));
console.log(row("review, 1 changed policy, same snapshot", reviewFull, n));
console.log(`  vs simulate of one revision: ${(reviewFull.ms / auto.ms).toFixed(2)}x (workers: auto), ${(reviewFull.ms / one.ms).toFixed(2)}x (one thread); target: at most 2.00x`);
console.log(`review of a pull request changing 500 policy files (no snapshot): ${reviewWide.ms} ms, ${reviewWide.maxRssMB} MB peak; target: under 10,000 ms`);
