// The promotion's transitional check (issue 11) on the benchmark workload: 2,050 policies (bench/generate.mjs), the
// snapshot's first N records folded into distinct tuples, then the check for two promotions: the initial one (an
// empty cluster gets every tier, set and policy, created in kind-then-name order, tiers and sets first) and a
// one-policy change (an application policy narrowed), and the classic trap: that policy renamed, delete first. Each runs in a fresh process; prints time and peak memory.
//   npm run bench:transitional [-- --records 100000,1000000]
// Needs a build (npm run build). Asserts nothing.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { flowPrefix } from "./prefix.mjs";

const args = process.argv.slice(2);
const data = "bench/data";

async function parent() {
  if (!existsSync("dist/reconcile/transitional.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit" });
  if (!existsSync(`${data}/flows.jsonl`)) execFileSync("node", ["bench/generate.mjs", "--out", data], { stdio: "inherit" });
  const total = Number(execFileSync("wc", ["-l", `${data}/flows.jsonl`], { encoding: "utf8" }).trim().split(/\s+/)[0]);
  const counts = (args[args.indexOf("--records") + 1] && args.includes("--records") ? args[args.indexOf("--records") + 1] : "100000,1000000").split(",").map(Number);
  console.log("records    scenario         tuples  classes  checked   collect    check                     check sets/evals        moves  safe  transitional (records)  uncertain (records)  peak RSS before -> after the check");
  for (const n of counts) {
    const flows = n >= total ? `${data}/flows.jsonl` : await flowPrefix(data, n);
    for (const scenario of ["initial", "initial-by-name", "one-change", "rename"]) {
      const r = spawnSync("node", ["--max-old-space-size=4096", "bench/transitional.mjs", "--child", scenario, flows], { encoding: "utf8", maxBuffer: 1 << 26 });
      const line = r.stdout.trim().split("\n").pop();
      if (r.status !== 0 || !line) throw new Error(`child failed:\n${r.stderr}`);
      const f = JSON.parse(line);
      const s = f.summary;
      console.log(
        `${String(n).padStart(7)}    ${scenario.padEnd(12)} ${String(s.tuples).padStart(9)} ${String(s.classes).padStart(8)} ${String(s.checked).padStart(8)} ${String(f.collectMs).padStart(7)} ms ${String(f.checkMs).padStart(6)} ms (cpu ${String(f.checkCpuMs).padStart(6)} ms) ${`${s.sets}/${s.evaluations}`.padStart(16)} ${String(s.moves).padStart(9)}  ${String(f.safe).padEnd(5)} ${`${s.transitional.flows} (${s.transitional.records})`.padStart(22)} ${`${s.uncertain.flows} (${s.uncertain.records})`.padStart(20)} ${String(f.peakBeforeMB).padStart(5)} -> ${String(f.maxRssMB).padStart(4)} MB`,
      );
    }
  }
}

async function child(scenario, flows) {
  const { loadBundle } = await import("../dist/policy/index.js");
  const { EngineUniverse } = await import("../dist/engine/index.js");
  const { EndpointResolver } = await import("../dist/impact/index.js");
  const { inventoryNamespaceLabels } = await import("../dist/flows/inventory.js");
  const { transitionalOrderer, CLUSTER_KINDS } = await import("../dist/reconcile/index.js");
  const { collectTuples } = await import("../dist/run/index.js");
  const { fileFlowReader, inventoryFromText } = await import("../dist/io/index.js");
  const files = readdirSync(`${data}/policies`).sort().map((f) => ({ file: join(data, "policies", f), text: readFileSync(join(data, "policies", f), "utf8") }));
  const resources = loadBundle(files).resources;
  const inventory = inventoryFromText(readFileSync(`${data}/inventory.json`, "utf8"), "inventory.json").inventory;
  const universe = new EngineUniverse();
  const t0 = performance.now();
  const collected = await collectTuples({ files: [{ path: flows, display: flows }], reader: fileFlowReader, resolver: new EndpointResolver(universe, inventory) });
  const collectMs = Math.round(performance.now() - t0);
  const { current, changes, constraints } =
    scenario === "one-change" ? oneChange(resources) : scenario === "rename" ? rename(resources) : initial(resources, CLUSTER_KINDS, scenario === "initial-by-name");
  // The check is synchronous, so no sampler can run during it: its memory shows as the growth of the process's
  // peak RSS over the peak the collection left (compare with one-change, whose check does almost nothing).
  const peakBeforeMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const check = transitionalOrderer({ maxMoves: process.env.MOVES ? Number(process.env.MOVES) : undefined, current, tuples: collected.tuples, version: { model: "v3.32", text: "3.32" }, universe, namespaceLabels: inventoryNamespaceLabels(inventory) });
  const result = check(changes, constraints);
  const checkMs = Math.round(performance.now() - t1);
  const cpu = process.cpuUsage(cpu0);
  const checkCpuMs = Math.round((cpu.user + cpu.system) / 1000);
  for (const [a, b] of constraints) if (result.order.indexOf(a) > result.order.indexOf(b)) throw new Error(`constraint ${a} -> ${b} broken`);
  const maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ scenario, records: collected.records, collectMs, checkMs, checkCpuMs, maxRssMB, peakBeforeMB, safe: result.safe, summary: result.summary, example: result.transitional[0] }));
}

const write = (verb, r) => ({ verb, kind: r.kind, namespace: r.metadata.namespace ?? null, name: r.metadata.name, reason: verb });

/**
 * Every resource created on an empty cluster, tiers and sets before policies; policies in kind order then
 * namespace/name, or (`byName`) by name alone, which writes the application tier's isolating policies before the
 * platform tier's metrics allows: a default order with gaps for the check to repair.
 */
function initial(resources, kinds, byName) {
  const rank = new Map(kinds.map((k, i) => [k.kind, byName && i > 2 ? 3 : i]));
  const key = (r) => (byName ? `${r.metadata.name}/${r.metadata.namespace ?? ""}` : `${r.metadata.namespace ?? ""}/${r.metadata.name}`);
  const sorted = [...resources].sort((a, b) => rank.get(a.kind) - rank.get(b.kind) || key(a).localeCompare(key(b)));
  const changes = sorted.map((r) => ({ write: write("create", r), after: r }));
  const constraints = [];
  const tierAt = new Map();
  const sets = [];
  sorted.forEach((r, i) => {
    if (r.kind === "Tier") tierAt.set(r.metadata.name, i);
    else if (r.kind === "GlobalNetworkSet" || r.kind === "NetworkSet") sets.push(i);
    else {
      const t = tierAt.get(r.spec.tier ?? "default");
      if (t !== undefined) constraints.push([t, i]);
      for (const s of sets) constraints.push([s, i]);
    }
  });
  return { current: [], changes, constraints };
}

/** One application policy narrowed: its first caller loses its allow. */
function oneChange(resources) {
  const target = resources.find((r) => r.kind === "NetworkPolicy" && r.spec.tier === "application");
  const narrowed = { ...target, spec: { ...target.spec, ingress: target.spec.ingress.slice(1) } };
  return { current: resources, changes: [{ write: write("update", target), before: target, after: narrowed }], constraints: [] };
}

/** The same application policy renamed, the delete first in the default order: the check must put the create first. */
function rename(resources) {
  const target = resources.find((r) => r.kind === "NetworkPolicy" && r.spec.tier === "application");
  const renamed = { ...target, metadata: { ...target.metadata, name: `${target.metadata.name}-v2` } };
  return { current: resources, changes: [{ write: write("delete", target), before: target }, { write: write("create", renamed), after: renamed }], constraints: [] };
}

if (args[0] === "--child") await child(args[1], args[2]);
else await parent();
