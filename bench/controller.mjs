// The promotion controller (issue 11) against the fake Kubernetes API server: 2,050 policies (bench/generate.mjs:
// 4 Calico tiers, 1,300 Calico policies, 750 Kubernetes NetworkPolicies) promoted through runSync and the real
// @kubernetes/client-node adapter, with the transitional check over the first N records of the generated snapshot,
// then the same commit again (a no-op) and a one-policy change. Each N runs in a fresh process; prints wall time,
// the API writes the fake server saw (object writes; audit Events apart) against what changed, the transitional
// check's time (folding the snapshot into tuples, then ordering) and peak RSS (the fake server runs in the same
// process, so its memory and its CPU time are included: cpu ms is this process's user+system time, client and
// server together, which a busy shared machine inflates less than the wall time).
//
//   npm run bench:controller [-- --records 100000,1000000]
//
// How it runs the fake (TypeScript under test/): `npm run build` builds dist/ (src), and this script compiles
// test/support/fake-kube/ with `npx tsc` into bench/data/fake-kube/ (git-ignored, inside the work tree so its
// imports of `yaml` resolve through node_modules), copying its self-signed certificate beside it. Both are reused
// when present (delete them after changing the code). Generates bench/data with bench/generate.mjs if missing.
// Asserts only that the writes equal what changed (exit 1 otherwise).
//
// Measured 2026-12-03 on the shared 2-core machine (load average ~19: four other helpers' tsc and jest runs), so
// wall times are inflated several-fold; cpu ms is the steadier figure. 2,074 objects (2,050 policies, 24 tiers/sets):
//   records  run         wall ms   cpu ms  collect ms  order ms   API writes (expected)  events  peak RSS
//    100000  initial       45290    11966        5776     12058            2074 (2074)    2074    350 MB
//    100000  no-op          5759     1886        5013         0                  0 (0)       0    350 MB
//    100000  one-change     6814     2469        4509      1509                  1 (1)       1    350 MB
//   1000000  initial       80075    26938       42082     12506            2074 (2074)    2074    433 MB
//   1000000  no-op         50642    16148       49436         0                  0 (0)       0    506 MB
//   1000000  one-change    50674    16896       48451      1402                  1 (1)       1    623 MB
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { flowPrefix } from "./prefix.mjs";

const args = process.argv.slice(2);
const data = "bench/data";
const FAKE = `${data}/fake-kube`;
const FAKE_INDEX = `${FAKE}/test/support/fake-kube/index.js`;
// Copied last: its presence says the compile finished (tsc emits even when it reports errors).
const FAKE_READY = `${FAKE}/test/support/fake-kube/server.key`;

function prepare() {
  if (!existsSync("dist/controller/index.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit" });
  if (!existsSync(`${data}/flows.jsonl`)) execFileSync("node", ["bench/generate.mjs", "--out", data], { stdio: "inherit" });
  if (!existsSync(FAKE_READY)) {
    const opts = ["--outDir", FAKE, "--rootDir", ".", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--target", "ES2022", "--strict", "--skipLibCheck", "--types", "node", "--declaration", "false", "--sourceMap", "false"];
    execFileSync("npx", ["tsc", ...opts, "test/support/fake-kube/index.ts"], { stdio: "inherit" });
    for (const f of ["server.crt", "server.key"]) copyFileSync(`test/support/fake-kube/${f}`, `${FAKE}/test/support/fake-kube/${f}`);
  }
}

async function parent() {
  prepare();
  const total = Number(execFileSync("wc", ["-l", `${data}/flows.jsonl`], { encoding: "utf8" }).trim().split(/\s+/)[0]);
  const counts = (args.includes("--records") ? args[args.indexOf("--records") + 1] : "100000,1000000").split(",").map(Number);
  console.log("records  run         wall ms   cpu ms  collect ms  order ms   API writes (expected)  events  transitional  peak RSS");
  let ok = true;
  for (const n of counts) {
    const flows = n >= total ? `${data}/flows.jsonl` : await flowPrefix(data, n);
    const r = spawnSync("node", ["--max-old-space-size=4096", "bench/controller.mjs", "--child", flows], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`child failed:\n${r.stderr}`);
    for (const line of r.stdout.trim().split("\n")) {
      const f = JSON.parse(line);
      ok &&= f.writes === f.expected;
      console.log(
        `${String(n).padStart(7)}  ${f.run.padEnd(10)} ${String(f.wallMs).padStart(8)} ${String(f.cpuMs).padStart(8)} ${String(f.collectMs).padStart(11)} ${String(f.orderMs).padStart(9)}   ${`${f.writes} (${f.expected})`.padStart(20)} ${String(f.events).padStart(7)}  ${String(f.transitional).padStart(12)}  ${String(f.maxRssMB).padStart(5)} MB`,
      );
    }
  }
  if (!ok) {
    console.error("API writes differ from what changed");
    process.exit(1);
  }
}

async function child(flows) {
  const { startFakeKube } = await import(`../${FAKE_INDEX}`);
  const { runSync, kubeClusterPort, loadKubeConfig } = await import("../dist/controller/index.js");
  const { prepareTransitionalCheck } = await import("../dist/run/index.js");
  const { fileFlowReader, inventoryFromText } = await import("../dist/io/index.js");
  const { loadBundle } = await import("../dist/policy/index.js");
  const files = readdirSync(`${data}/policies`).sort().map((f) => ({ file: join(data, "policies", f), text: readFileSync(join(data, "policies", f), "utf8") }));
  const resources = loadBundle(files).resources;
  const inventory = inventoryFromText(readFileSync(`${data}/inventory.json`, "utf8"), "inventory.json").inventory;
  const version = { model: "v3.32", text: "3.32" };
  const kube = await startFakeKube({ calico: "crd", recordStates: false });
  const port = kubeClusterPort(loadKubeConfig({ kubeconfig: kube.kubeconfigPath }));
  const counts = () => {
    const w = kube.requests.filter((q) => q.method !== "GET");
    return { writes: w.filter((q) => !q.path.endsWith("/events")).length, events: w.filter((q) => q.path.endsWith("/events")).length };
  };

  /** One sync the way the CLI runs it: the snapshot folded first, then the sync with the check as its orderer. */
  async function run(name, res, expected) {
    kube.resetRecords();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const check = await prepareTransitionalCheck({ files: [{ path: flows, display: flows }], reader: fileFlowReader, inventory, version });
    const collectMs = Math.round(performance.now() - t0);
    let orderMs = 0;
    const orderWrites = (...a) => {
      const t = performance.now();
      try {
        return check.orderWrites(...a);
      } finally {
        orderMs += performance.now() - t;
      }
    };
    const provenance = { commit: name, time: new Date().toISOString(), author: "bench" };
    const result = await runSync(port, { resources: res, model: version.model, provenance, environment: "bench", orderWrites, allowTransitional: true });
    if (!result.converged) throw new Error(`${name}: not converged: ${result.problems.join("; ")}`);
    const wallMs = Math.round(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    const maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(JSON.stringify({ run: name, records: check.records, tuples: check.tuples, wallMs, cpuMs, collectMs, orderMs: Math.round(orderMs), ...counts(), expected: expected(result), transitional: result.transitional.length, maxRssMB }));
  }

  await run("initial", resources, () => kube.store.all().filter((o) => o.metadata.labels?.["app.kubernetes.io/managed-by"] === "tierguard").length);
  await run("no-op", resources, () => 0);
  // One application policy narrowed (its first ingress rule dropped), as bench/transitional.mjs's one-change.
  const target = resources.find((r) => r.kind === "NetworkPolicy" && r.spec.tier === "application");
  const changed = resources.map((r) => (r === target ? { ...r, spec: { ...r.spec, ingress: r.spec.ingress.slice(1) } } : r));
  await run("one-change", changed, () => 1);
  port.close?.();
  await kube.stop();
}

if (args[0] === "--child") await child(args[1]);
else await parent();
