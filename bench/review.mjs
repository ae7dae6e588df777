// Review benchmarks. bench/run.mjs imports ensureReviewRepo; run on its own this file prints the review's figures:
//   node bench/review.mjs [--data DIR] [--records N] [--workers auto|N] [--only small,port] [--dist DIR]
// Cases, each against `simulate --output summary` of one revision over the same snapshot:
// - small: one application policy loses a caller (a one-policy change);
// - port: a port removed across the application tier, about 1,275 caller rules (the issue's wide change);
// - wide: 500 application files reordered (no snapshot; bench/run.mjs reports it).
// Each review case runs without and with the snapshot, through the CLI (as bench/child.mjs: wall time, peak RSS, CPU),
// then once in this process phase by phase (`--phases`: prepare, replay, each check, connectivity) so the time spent
// outside the replay is visible. Timing is printed, never asserted.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const git = (dir, ...args) => execFileSync("git", ["-C", dir, "-c", "user.name=bench", "-c", "user.email=b@b", ...args], { stdio: "pipe" });

/** Caller rules the wide change removes: the issue's measured change touched 1,275 rules. */
export const WIDE_RULES = 1275;

/** One file per policy document, so a pull request can change hundreds of files. */
export function buildSplitRepo(data, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "policies"), { recursive: true });
  let n = 0;
  for (const f of ["tiers", "security", "platform", "isolation", "application", "k8s"]) {
    const path = join(data, "policies", `${f}.yaml`);
    if (!existsSync(path)) continue;
    for (const doc of readFileSync(path, "utf8").split(/^---\n/m)) {
      if (doc.trim()) writeFileSync(join(dir, "policies", `${f}-${String(n++).padStart(5, "0")}.yaml`), doc);
    }
  }
  writeFileSync(join(dir, "tierguard.yaml"), `policies: [policies]
admins: ["@bench/admins"]
tiers:
  security: { owners: ["@bench/sec"] }
  platform: { owners: ["@bench/platform"] }
  isolation: { owners: ["@bench/platform"] }
  application: { owners: ["@bench/apps"] }
  default: { owners: ["@bench/apps"] }
`);
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "base");
  return n;
}

const CALLER_RULE = /    - action: Allow\n      protocol: TCP\n      source: \{[^\n]*\}\n      destination: \{ ports: \[([^\]\n]*)\] \}\n/g;

const applicationFiles = (dir) => execFileSync("git", ["-C", dir, "ls-files", "policies"], { encoding: "utf8" }).trim().split("\n").filter((f) => f.includes("/application-"));

/** Head branch `small`: one application policy loses a caller. Head branch `wide`: 500 application files change. */
export function buildHeads(dir) {
  const files = applicationFiles(dir);
  git(dir, "checkout", "-q", "-b", "small", "main");
  const first = join(dir, files[0]);
  const text = readFileSync(first, "utf8");
  writeFileSync(first, text.replace(/    - action: Allow\n      protocol: TCP\n      source: \{[^\n]*\}\n      destination: \{ ports: \[\d+\] \}\n/, ""));
  git(dir, "commit", "-q", "-am", "drop a caller");
  git(dir, "checkout", "-q", "-b", "wide", "main");
  for (const f of files.slice(0, 500)) {
    const p = join(dir, f);
    writeFileSync(p, readFileSync(p, "utf8").replace(/order: (\d+)/, (_, o) => `order: ${Number(o) + 1}`));
  }
  git(dir, "commit", "-q", "-am", "reorder 500 policies");
  git(dir, "checkout", "-q", "main");
  buildPortHead(dir);
  return files.length;
}

/**
 * Head branch `port`: a port removed across the application tier. The tier's caller rules name their port, the most
 * used first; the port leaves each rule naming it (a rule naming only that port moves to the next port, so the rule
 * stays and the guard rails analyse it), in file order, until WIDE_RULES rules changed or the tier has none left.
 * Returns the rules and policies changed.
 */
export function buildPortHead(dir) {
  const files = applicationFiles(dir);
  const texts = new Map(files.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
  const uses = new Map();
  for (const text of texts.values()) for (const m of text.matchAll(CALLER_RULE)) for (const p of m[1].split(",").map((s) => s.trim())) uses.set(p, (uses.get(p) ?? 0) + 1);
  const ports = [...uses.entries()].sort((a, b) => b[1] - a[1]).map(([p]) => p);
  git(dir, "checkout", "-q", "-b", "port", "main");
  let rules = 0;
  const policies = new Set();
  for (const port of ports) {
    for (const [f, text] of texts) {
      if (rules >= WIDE_RULES) break;
      const next = text.replace(CALLER_RULE, (rule, list) => {
        const names = list.split(",").map((s) => s.trim());
        if (rules >= WIDE_RULES || !names.includes(port)) return rule;
        rules++;
        // A rule left with no port would go, and with it the rule the guard rails analyse: it moves to the next port.
        const left = names.filter((p) => p !== port);
        return rule.replace(`[${list}]`, `[${left.length > 0 ? left.join(", ") : /^\d+$/.test(port) ? Number(port) + 1 : port}]`);
      });
      if (next !== text) {
        policies.add(f);
        texts.set(f, next);
        writeFileSync(join(dir, f), texts.get(f));
      }
    }
  }
  git(dir, "commit", "-q", "-am", `remove a port from ${rules} rules across the application tier`);
  git(dir, "checkout", "-q", "main");
  writeFileSync(join(dir, ".git", "bench-port-change.json"), JSON.stringify({ rules, policies: policies.size }));
  return { rules, policies: policies.size };
}

export function ensureReviewRepo(data) {
  const dir = join(data, "review-repo");
  if (!existsSync(join(dir, ".git"))) {
    buildSplitRepo(data, dir);
    buildHeads(dir);
  } else if (!existsSync(join(dir, ".git", "bench-port-change.json"))) buildPortHead(dir);
  return dir;
}

// ---- phases: one review in this process, timed step by step (the same steps as src/run/review.ts) ----------
// One after another: the review itself runs the checks while the worker threads replay (overlapChecks), so its wall
// time is less than the sum of these phases.
async function phases(repo, head, flowsPath, inventoryPath, workers, dist) {
  const load = (p) => import(join(dist, p));
  const [{ readGitRevisionPair }, { readInventory }, { fileFlowReader }, { prepareReview }, runReview, checks, { connectivityDiff }, { buildReview }, policy] = await Promise.all(
    ["io/repo.js", "io/inventory.js", "io/flow-reader.js", "review/prepare.js", "run/review.js", "review/checks.js", "review/connectivity/index.js", "review/run.js", "policy/index.js"].map(load),
  );
  const t = {};
  const cpu = {};
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  const lap = (name) => {
    const now = performance.now();
    const c = process.cpuUsage(c0);
    t[name] = Math.round(now - t0);
    cpu[name] = Math.round((c.user + c.system) / 1000);
    t0 = now;
    c0 = process.cpuUsage();
  };
  const pair = await readGitRevisionPair(repo, "main", head, policy.DEFAULT_LOAD_LIMITS.maxFileBytes);
  const inventory = inventoryPath ? (await readInventory(inventoryPath)).inventory : undefined;
  lap("read");
  const prepared = prepareReview(pair.base, pair.head, pair.config, policy.DEFAULT_LOAD_LIMITS, inventory);
  lap("prepare");
  const { ctx } = prepared;
  let impact;
  if (flowsPath) {
    const flows = [{ path: flowsPath, display: flowsPath }];
    const input = { config: pair.config, limits: policy.DEFAULT_LOAD_LIMITS, base: pair.base, head: pair.head, inventory, flows, parsed: prepared.parsed };
    const run = { maxLineBytes: 1 << 20, maxBytes: Number.MAX_SAFE_INTEGER, workers, reader: fileFlowReader, progress: { tick: () => {} } };
    impact = (await runReview.replayImpact(ctx, input, run)).impact;
    lap("replay");
  }
  const findings = [];
  for (const check of checks.REVIEW_CHECKS) {
    findings.push(...check(ctx));
    lap(check.name || "check");
  }
  const connectivity = connectivityDiff(ctx, impact);
  lap("connectivity");
  const review = buildReview({
    ctx, base: pair.base, head: pair.head, author: { login: "dev", teams: ["bench/apps"] }, approvals: [], configSource: pair.configSource,
    configFindings: pair.configFindings, configChanged: pair.configChanged, headDiagnostics: prepared.headDiagnostics, unchangedFiles: prepared.unchangedFiles,
    checks: [() => findings], impact, connectivity, extraFindings: [], notes: [],
  });
  lap("build");
  const codes = {};
  for (const f of review.findings) codes[f.code] = (codes[f.code] ?? 0) + 1;
  return { phases: t, cpu, changes: ctx.changes.length, findings: review.findings.length, codes, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
}

// ---- the figures ---------------------------------------------------------------------------------------------
// CPU seconds (user + system, every thread) next to wall time: on a shared machine they move less than wall time.
const hasTime = existsSync("/usr/bin/time");
// `--dist DIR` runs another build (e.g. a copy of dist/ from before a change) under the same conditions: this file
// runs the command (`--cli DIR args`), as bench/child.mjs does for dist/ (no -e: worker threads inherit execArgv).
let distDir = resolve(fileURLToPath(new URL("../dist/", import.meta.url)));
async function cli(dist, argv) {
  const { main } = await import(pathToFileURL(join(dist, "cli/main.js")).href);
  const io = { stdout: () => {}, stderr: (t) => process.stderr.write(t), stderrIsTTY: false, cwd: process.cwd(), now: () => Date.now() };
  const t0 = performance.now();
  const code = await main(argv, io);
  process.stderr.write(`\n${JSON.stringify({ code, ms: Math.round(performance.now() - t0), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
}
function child(script, argv) {
  const node = script === "cli" ? ["node", fileURLToPath(import.meta.url), "--cli", distDir, ...argv] : ["node", script, ...argv];
  const cmd = hasTime ? ["/usr/bin/time", ["-f", "CPU %U %S", ...node]] : [node[0], node.slice(1)];
  const r = spawnSync(cmd[0], cmd[1], { encoding: "utf8", maxBuffer: 1 << 26 });
  const out = (r.stdout + "\n" + r.stderr).trim().split("\n");
  const last = out.filter((l) => l.startsWith("{")).pop();
  if (!last) throw new Error(`${script} printed no figures:\n${r.stderr}`);
  const fig = JSON.parse(last);
  // 0: clean, 1: findings that fail the check; anything else is a failed run, not a figure.
  if (fig.code !== undefined && fig.code > 1) throw new Error(`${argv.slice(0, 1).join(" ")} failed (exit ${fig.code}):\n${r.stderr.slice(-2000)}`);
  const cpu = out.map((l) => /^CPU ([\d.]+) ([\d.]+)$/.exec(l)).filter(Boolean).pop();
  return { ...fig, ...(cpu ? { cpuMs: Math.round((Number(cpu[1]) + Number(cpu[2])) * 1000) } : {}) };
}
const cpuText = (r) => (r.cpuMs !== undefined ? `, ${r.cpuMs} ms CPU` : "");

async function main(args) {
  const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
  if (args[0] === "--cli") return cli(args[1], args.slice(2));
  if (args[0] === "--phases") {
    const [, repo, head, flows, inventory, workers, dist] = args;
    console.log(JSON.stringify(await phases(repo, head, flows === "-" ? undefined : flows, inventory, workers === "auto" ? "auto" : Number(workers), dist ?? distDir)));
    return;
  }
  const data = arg("--data", "bench/data");
  const workers = arg("--workers", "auto");
  const only = arg("--only", "small,port").split(",");
  distDir = resolve(arg("--dist", distDir));
  if (!existsSync("dist/cli/main.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit" });
  if (!existsSync(join(data, "flows.jsonl"))) execFileSync("node", ["bench/generate.mjs", "--records", arg("--records", "1000000"), "--out", data], { stdio: "inherit" });
  const repo = ensureReviewRepo(data);
  const flows = join(data, "flows.jsonl");
  const inventory = join(data, "inventory.json");
  const port = JSON.parse(readFileSync(join(repo, ".git", "bench-port-change.json"), "utf8"));
  const records = Number(execFileSync("wc", ["-l", flows], { encoding: "utf8" }).trim().split(/\s+/)[0]);
  console.log(`workload: ${data} (${records} records); wide change "port": ${port.rules} rules in ${port.policies} application policies; build ${distDir}`);
  const sim = child("cli", ["simulate", "--policies", join(data, "policies"), "--flows", flows, "--inventory", inventory, "--output", "summary", "--workers", workers]);
  console.log(`simulate --output summary (workers ${workers}): ${sim.ms} ms${cpuText(sim)}, ${sim.maxRssMB} MB peak`);
  const targets = { small: 1.3, port: 2.0 };
  for (const head of only) {
    const base = ["review", "--repo", repo, "--base", "main", "--head", head, "--author", "dev", "--teams", "bench/apps", "--output", "json", "--inventory", inventory, "--workers", workers];
    const bare = child("cli", base);
    const full = child("cli", [...base, "--flows", flows]);
    const ph = child("bench/review.mjs", ["--phases", repo, head, flows, inventory, workers, distDir]);
    const outside = (m) => Object.entries(m).filter(([k]) => k !== "replay" && k !== "read").reduce((s, [, v]) => s + v, 0);
    const ratio = (r) => `${(r.ms / sim.ms).toFixed(2)}x simulate${r.cpuMs && sim.cpuMs ? ` (CPU ${(r.cpuMs / sim.cpuMs).toFixed(2)}x)` : ""}`;
    console.log(`review ${head.padEnd(5)} no snapshot: ${bare.ms} ms${cpuText(bare)} (${bare.maxRssMB} MB), ${ratio(bare)}; with snapshot: ${full.ms} ms${cpuText(full)} (${full.maxRssMB} MB), ${ratio(full)}; target ${targets[head] ?? "-"}x`);
    console.log(`  phases (in process, wall ms): ${Object.entries(ph.phases).map(([k, v]) => `${k} ${v}`).join(", ")}; outside the replay and reading ${outside(ph.phases)} ms`);
    console.log(`  phases (in process, CPU ms): ${Object.entries(ph.cpu).map(([k, v]) => `${k} ${v}`).join(", ")}; outside the replay and reading ${outside(ph.cpu)} ms; ${ph.findings} findings ${JSON.stringify(ph.codes)}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
