// The review's connectivity diff (issue 15) on the benchmark workload (bench/generate.mjs: 10,000 pods in 50
// namespaces, about 2,000 policies): base vs head for a one-policy change (an application policy loses a caller)
// and a broad change (every namespace's isolation policy lets dev namespaces in), and the broad change on source
// port 53 only (every changed side's rules name source ports: the source-port dimension's worst case). Each scenario
// runs in a fresh process; prints the diff's time, the process's peak RSS before and after it, and what it found.
//   npm run bench:connectivity [-- one-change broad source-port]
// Needs a build (npm run build). Asserts nothing.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const data = "bench/data/connectivity";
const scenario = process.argv[2] === "--child" ? process.argv[3] : undefined;

function parent() {
  if (!existsSync("dist/review/connectivity/index.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit" });
  // Flows do not matter here (the diff needs the inventory and the policies): a small snapshot keeps generation quick.
  if (!existsSync(`${data}/inventory.json`)) execFileSync("node", ["bench/generate.mjs", "--out", data, "--records", "1000"], { stdio: "inherit" });
  console.log("scenario     pods   policies  classes  changed  ports  evaluations  reachable  unreachable   diff time (cpu)             peak RSS before -> after");
  const picked = process.argv.slice(2);
  for (const s of picked.length > 0 ? picked : ["one-change", "broad", "source-port"]) {
    const r = spawnSync("node", ["--max-old-space-size=4096", "bench/connectivity.mjs", "--child", s], { encoding: "utf8", maxBuffer: 1 << 26 });
    const line = r.stdout.trim().split("\n").pop();
    if (r.status !== 0 || !line) throw new Error(`child failed:\n${r.stderr}`);
    const f = JSON.parse(line);
    console.log(
      `${s.padEnd(11)} ${String(f.pods).padStart(6)} ${String(f.policies).padStart(9)} ${String(f.stats.endpointClasses).padStart(8)} ${String(f.stats.changedClasses).padStart(8)} ${String(f.stats.portClasses).padStart(6)} ${String(f.stats.evaluations).padStart(12)} ${String(f.reachable).padStart(10)} ${String(f.unreachable).padStart(12)} ${String(f.diffMs).padStart(8)} ms (cpu ${String(f.cpuMs).padStart(6)} ms)   ${String(f.peakBeforeMB).padStart(5)} -> ${f.peakAfterMB} MB`,
    );
  }
}

async function child(which) {
  const { loadBundle } = await import("../dist/policy/index.js");
  const { EngineUniverse, PolicySet } = await import("../dist/engine/index.js");
  const { endpointForPod } = await import("../dist/impact/index.js");
  const { inventoryNamespaceLabels } = await import("../dist/flows/inventory.js");
  const { inventoryFromText } = await import("../dist/io/index.js");
  const { connectivityDiff, diffResources } = await import("../dist/review/index.js");
  const texts = Object.fromEntries(readdirSync(`${data}/policies`).sort().map((f) => [f, readFileSync(join(data, "policies", f), "utf8")]));
  const head = { ...texts };
  if (which === "one-change") {
    const rule = /    - action: Allow\n      protocol: TCP\n      source: \{[^\n]*\}\n      destination: \{ ports: \[\d+\] \}\n/;
    head["application.yaml"] = head["application.yaml"].replace(rule, "");
  } else if (which === "source-port") {
    const deny = "    - action: Deny\n      source: { namespaceSelector: env == 'dev' }";
    head["isolation.yaml"] = head["isolation.yaml"].replaceAll(deny, `    - action: Allow\n      protocol: UDP\n      source: { namespaceSelector: env == 'dev', ports: [53] }\n${deny}`);
  } else {
    head["isolation.yaml"] = head["isolation.yaml"].replaceAll("    - action: Deny\n      source: { namespaceSelector: env == 'dev' }", "    - action: Allow\n      source: { namespaceSelector: env == 'dev' }");
  }
  const load = (files) => loadBundle(Object.entries(files).map(([f, text]) => ({ file: `policies/${f}`, text }))).resources;
  const inventory = inventoryFromText(readFileSync(`${data}/inventory.json`, "utf8"), "inventory.json").inventory;
  const universe = new EngineUniverse();
  const namespaceLabels = inventoryNamespaceLabels(inventory);
  const b = load(texts);
  const h = load(head);
  const set = (r) => new PolicySet(r, { universe, namespaceLabels });
  const ctx = {
    base: { set: set(b) },
    head: { set: set(h) },
    changes: diffResources(b, h),
    workloads: inventory.pods.map((p) => ({ endpoint: endpointForPod(p, inventory, universe), name: `${p.namespace}/${p.name}`, source: "inventory" })),
  };
  const peakBeforeMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const report = connectivityDiff(ctx);
  const diffMs = Math.round(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const peakAfterMB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ pods: inventory.pods.length, policies: ctx.head.set.policies.length, stats: report.stats, reachable: report.newlyReachable.length, unreachable: report.newlyUnreachable.length, diffMs, cpuMs, peakBeforeMB, peakAfterMB, top: report.newlyReachable.slice(0, 2).map((c) => `${c.source.name} -> ${c.destination.name} ${c.protocol} ${c.ports}${c.sourcePorts ? ` from ${c.sourcePorts}` : ""}`) }));
}

if (scenario) await child(scenario);
else parent();
