// The node agent's benchmark (issue 12). Prints figures; asserts nothing (timing is never a test).
//   npm run bench:agent [-- --pods 10000 --local 100 --policies 2000] [-- --no-kernel]
// 1. compile: policies + a 10,000-pod inventory -> one node's ruleset (100 local pods), in-process;
// 2. load: `nft -c -f` and `nft -f` of that ruleset in a throwaway network namespace (root and nft needed);
// 3. growth: compile time, load time, rules and set elements from 1,000 to 10,000 policies;
// 4. connection rate through the ruleset vs no ruleset, between two pod namespaces on a bridge; also through the
//    same ruleset with every local pod held to a (Calico-named) interface: on a bridge its spoof chains return at once.
// Namespaces are named tgtb-*, created here and deleted by name at the end, also on failure.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";

const args = process.argv.slice(2);
const num = (flag, dflt) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : dflt);
const PODS = num("--pods", 10_000);
const LOCAL = num("--local", 100);
const POLICIES = num("--policies", 2_000);
const KERNEL = !args.includes("--no-kernel") && process.getuid?.() === 0 && spawnSync("nft", ["--version"]).status === 0;
if (!existsSync("dist/dataplane/index.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit" });
const { compileRuleset } = await import("../dist/dataplane/index.js");
const { EngineUniverse, PolicySet } = await import("../dist/engine/index.js");
const { parseInventory } = await import("../dist/flows/index.js");
const { loadText, buildResources } = await import("../dist/policy/index.js");

const NAMESPACES = Math.max(1, Math.round(PODS / 50));
const APPS = 10;
const NODE = "bench-node";
/** Pod i: namespace ns-(i % NAMESPACES), app-(i / NAMESPACES % APPS), address 10.a.b.c from i. */
const podIp = (i) => `10.${((i + 256) >> 16) & 255}.${((i + 256) >> 8) & 255}.${(i + 256) & 255}`;

function inventory() {
  const items = [];
  for (let n = 0; n < NAMESPACES; n++) items.push({ kind: "Namespace", metadata: { name: `ns-${n}`, labels: { "kubernetes.io/metadata.name": `ns-${n}`, team: `team-${n % 20}` } } });
  const every = Math.max(1, Math.floor(PODS / LOCAL));
  // Local pods spread over namespaces and apps: the k-th is pod k*every + k%every.
  const local = new Set(Array.from({ length: LOCAL }, (_, k) => k * every + (k % every)));
  for (let i = 0; i < PODS; i++) {
    const ns = `ns-${i % NAMESPACES}`;
    items.push({
      kind: "Pod",
      metadata: { namespace: ns, name: `pod-${i}`, labels: { app: `app-${Math.floor(i / NAMESPACES) % APPS}`, tier: i % 3 === 0 ? "front" : "back", ...(i === 0 ? { bench: "client" } : {}) } },
      spec: { nodeName: local.has(i) ? NODE : `node-${i % 97}`, containers: [{ name: "c", ports: [{ name: "http", containerPort: 8080 }] }] },
      status: { phase: "Running", podIP: podIp(i) },
    });
  }
  return [{ kind: "List", items }];
}

/** A realistic mix: per-namespace app policies (ingress from a neighbour app on a named port, egress on a range), a
 *  security tier with DNS and a threat feed of overlapping CIDRs, 10% staged, a few Kubernetes policies. */
function policies(count) {
  const docs = [
    { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } },
    { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "allow-dns" }, spec: { tier: "security", order: 1, selector: "all()", types: ["Egress"], egress: [{ action: "Allow", protocol: "UDP", destination: { ports: [53] } }, { action: "Pass" }] } },
    { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkSet", metadata: { name: "threats", labels: { feed: "threats" } }, spec: { nets: Array.from({ length: 500 }, (_, i) => `198.${18 + (i % 2)}.${i % 256}.0/${i % 3 === 0 ? 23 : 24}`) } },
    { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "block-threats" }, spec: { tier: "security", order: 2, selector: "all()", types: ["Ingress", "Egress"], ingress: [{ action: "Deny", source: { selector: "feed == 'threats'" } }, { action: "Pass" }], egress: [{ action: "Deny", destination: { selector: "feed == 'threats'" } }, { action: "Pass" }] } },
  ];
  // The connection-rate probe (pod-0 -> any local pod :8080) is allowed after every other policy of the default tier.
  const bench = (name, spec) => docs.push({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name }, spec: { order: 2000, ...spec } });
  bench("bench-client-egress", { selector: "bench == 'client'", types: ["Egress"], egress: [{ action: "Allow", protocol: "TCP", destination: { ports: [8080] } }] });
  bench("bench-server-ingress", { selector: "all()", types: ["Ingress"], ingress: [{ action: "Allow", protocol: "TCP", source: { selector: "bench == 'client'" }, destination: { ports: [8080] } }] });
  for (let k = 0; k < count; k++) {
    const n = k % NAMESPACES;
    const app = Math.floor(k / NAMESPACES) % APPS;
    const staged = k % 10 === 9;
    const kube = k % 25 === 24;
    const meta = { name: `pol-${k}`, namespace: `ns-${n}` };
    if (kube) {
      docs.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta, spec: { podSelector: { matchLabels: { app: `app-${app}` } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `team-${(n + 1) % 20}` } } }], ports: [{ port: "http" }] }] } });
      continue;
    }
    docs.push({
      apiVersion: "projectcalico.org/v3",
      kind: staged ? "StagedNetworkPolicy" : "NetworkPolicy",
      metadata: meta,
      spec: {
        order: 100 + (k % 50),
        selector: `app == 'app-${app}'`,
        types: ["Ingress", "Egress"],
        ingress: [
          { action: "Allow", protocol: "TCP", source: { selector: `app == 'app-${(app + 1) % APPS}'` }, destination: { ports: ["http"] } },
          { action: "Allow", protocol: "TCP", source: { namespaceSelector: `team == 'team-${(n + 3) % 20}'` }, destination: { ports: [8080, "9000:9100"] } },
        ],
        egress: [{ action: "Allow", protocol: "TCP", destination: { selector: `tier == 'back'`, ports: ["8000:8100"] } }],
      },
    });
  }
  return docs;
}

function compile(count, inv, interfacePrefix) {
  const text = policies(count).map((d) => JSON.stringify(d)).join("\n---\n");
  const loaded = loadText("bench.yaml", text, { maxFileBytes: 1 << 30, maxDocumentBytes: 1 << 24, maxAliasCount: 100, maxDocuments: 1_000_000 });
  const built = buildResources(loaded.documents);
  const { inventory: parsed } = parseInventory(inv);
  const localPods = new Set(inv[0].items.filter((i) => i.kind === "Pod" && i.spec.nodeName === NODE).map((i) => `${i.metadata.namespace}/${i.metadata.name}`));
  const t0 = performance.now();
  const universe = new EngineUniverse();
  const set = new PolicySet(built.resources, { universe, namespaceLabels: new Map([...parsed.namespaces].map(([k, v]) => [k, v.labels])) });
  const t1 = performance.now();
  const result = compileRuleset({ policySet: set, universe, inventory: parsed, localPods, interfacePrefix });
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(JSON.stringify(result.refusals.slice(0, 3)));
  return { ms, setMs: t1 - t0, rulesetMs: performance.now() - t1, ruleset: result.ruleset };
}

const sh = (cmd, a, input) => spawnSync(cmd, a, { input, encoding: "utf8", maxBuffer: 1 << 28 });
const made = [];
function netns(name) {
  sh("ip", ["netns", "del", name]);
  sh("ip", ["netns", "add", name]);
  made.push(name);
}
function cleanup() {
  for (const ns of made.reverse()) {
    for (const pid of sh("ip", ["netns", "pids", ns]).stdout.split("\n").filter(Boolean)) sh("kill", ["-9", pid]);
    sh("ip", ["netns", "del", ns]);
  }
}

function load(text) {
  const ns = "tgtb-load";
  netns(ns);
  const t0 = performance.now();
  const check = sh("ip", ["netns", "exec", ns, "nft", "-c", "-f", "/dev/stdin"], text);
  const t1 = performance.now();
  const r = sh("ip", ["netns", "exec", ns, "nft", "-f", "/dev/stdin"], text);
  const t2 = performance.now();
  if (check.status !== 0 || r.status !== 0) throw new Error(`nft failed: ${check.stderr}${r.stderr}`);
  const reload = performance.now();
  sh("ip", ["netns", "exec", ns, "nft", "-f", "/dev/stdin"], text);
  return { checkMs: t1 - t0, loadMs: t2 - t1, reloadMs: performance.now() - reload };
}

/** Sequential connections per second from one pod namespace to another through the node namespace's bridge. */
function connectionRate(text, named, clientIp, serverIp) {
  const node = "tgtb-node";
  netns(node);
  sh("ip", ["-n", node, "link", "add", "br0", "type", "bridge"]);
  sh("ip", ["-n", node, "addr", "add", "10.255.255.254/8", "dev", "br0"]);
  sh("ip", ["-n", node, "link", "set", "br0", "up"]);
  const pod = (name, ip) => {
    netns(name);
    sh("ip", ["-n", name, "link", "set", "lo", "up"]);
    sh("ip", ["-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", `${name}v`]);
    sh("ip", ["-n", name, "link", "set", `${name}v`, "netns", node]);
    sh("ip", ["-n", name, "addr", "add", `${ip}/8`, "dev", "eth0"]);
    sh("ip", ["-n", name, "link", "set", "eth0", "up"]);
    sh("ip", ["-n", node, "link", "set", `${name}v`, "master", "br0"]);
    sh("ip", ["-n", node, "link", "set", `${name}v`, "up"]);
  };
  pod("tgtb-c", clientIp);
  pod("tgtb-s", serverIp);
  const server = `import socket,threading
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0",8080)); s.listen(1024)
while True:
    c,_=s.accept(); c.recv(16); c.sendall(b"ok"); c.close()`;
  const client = `import socket,time,sys
n=int(sys.argv[1]); ok=0; t=time.time()
for i in range(n):
    s=socket.socket(); s.settimeout(1.0)
    try:
        s.connect(("${serverIp}",8080)); s.send(b"x"); ok+= s.recv(16)==b"ok"
    except OSError: pass
    s.close()
print(ok, n/(time.time()-t))`;
  const srv = spawnSync("bash", ["-c", `ip netns exec tgtb-s python3 -c '${server}' >/dev/null 2>&1 & echo $!`], { encoding: "utf8" });
  void srv;
  spawnSync("sleep", ["0.5"]);
  const once = () => {
    const out = sh("ip", ["netns", "exec", "tgtb-c", "python3", "-c", client, "3000"]).stdout.trim().split(" ");
    return { ok: Number(out[0]), rate: Number(out[1]) };
  };
  // Conntrack alone (a table whose only rule accepts established traffic): the price of any stateful ruleset.
  const minimal = "table inet tgtb_ct {\n\tchain f {\n\t\ttype filter hook forward priority 0; policy accept;\n\t\tct state established,related accept\n\t}\n}\n";
  const nft = (input, ...a) => sh("ip", ["netns", "exec", node, "nft", ...a], input);
  // The three set-ups alternate, five rounds, best of each: the machine's background load drifts between rounds.
  const best = { bare: { ok: 0, rate: 0 }, conntrackOnly: { ok: 0, rate: 0 }, through: { ok: 0, rate: 0 }, named: { ok: 0, rate: 0 } };
  const keep = (k, r) => (best[k] = r.rate > best[k].rate ? r : best[k]);
  for (let round = 0; round < 5; round++) {
    keep("bare", once());
    nft(minimal, "-f", "/dev/stdin");
    keep("conntrackOnly", once());
    nft(undefined, "delete", "table", "inet", "tgtb_ct");
    const r = nft(text, "-f", "/dev/stdin");
    if (r.status !== 0) throw new Error(r.stderr);
    keep("through", once());
    const n = nft(named, "-f", "/dev/stdin");
    if (n.status !== 0) throw new Error(n.stderr);
    keep("named", once());
    nft(undefined, "delete", "table", "inet", "tierguard");
    sh("ip", ["netns", "exec", node, "conntrack", "-F"]);
  }
  return best;
}

try {
  const inv = inventory();
  const main = compile(POLICIES, inv);
  const s = main.ruleset.stats;
  console.log(`cluster: ${PODS} pods in ${NAMESPACES} namespaces, ${LOCAL} on the node, ${POLICIES} policies (+ a security tier, a 500-CIDR threat feed)`);
  console.log(`compile (in-process): ${main.ms.toFixed(0)} ms = policy set ${main.setMs.toFixed(0)} ms + node ruleset ${main.rulesetMs.toFixed(0)} ms; ${s.localEndpoints} local endpoints, ${s.policies} policies on the node, ${s.chains} chains, ${s.rules} rules, ${s.sets} sets, ${s.setElements} set and map elements; ${(main.ruleset.text.length / 1024).toFixed(0)} KiB of nft text`);
  const warm = Array.from({ length: 5 }, () => compile(POLICIES, inv)).sort((a, b) => a.ms - b.ms)[2];
  console.log(`compile, warm (median of 5 more runs, as the long-running agent recompiles): ${warm.ms.toFixed(0)} ms = policy set ${warm.setMs.toFixed(0)} ms + node ruleset ${warm.rulesetMs.toFixed(0)} ms`);
  const named = compile(POLICIES, inv, "cali");
  const ns = named.ruleset.stats;
  console.log(`with interface names (--interface-prefix cali, every local pod held to its veth): ${named.ms.toFixed(0)} ms; ${ns.chains} chains, ${ns.rules} rules, ${ns.setElements} set and map elements (+${ns.setElements - s.setElements}: one (interface, address) pair per local address)`);
  if (KERNEL) {
    const l = load(main.ruleset.text);
    console.log(`load: nft -c ${l.checkMs.toFixed(0)} ms, nft -f (first) ${l.loadMs.toFixed(0)} ms, nft -f (replace) ${l.reloadMs.toFixed(0)} ms`);
  }
  console.log("growth (10,000 pods, 100 local):");
  console.log("  policies  compile ms (set + ruleset)  load ms  rules  set elements");
  for (const n of [1_000, 2_000, 5_000, 10_000]) {
    const c = compile(n, inv);
    const l = KERNEL ? load(c.ruleset.text) : { loadMs: NaN };
    console.log(`  ${String(n).padStart(8)}  ${c.ms.toFixed(0).padStart(10)} (${c.setMs.toFixed(0)} + ${c.rulesetMs.toFixed(0)})  ${l.loadMs.toFixed(0).padStart(7)}  ${String(c.ruleset.stats.rules).padStart(5)}  ${String(c.ruleset.stats.setElements).padStart(12)}`);
  }
  if (KERNEL) {
    const client = main.ruleset.local.find((l) => l.name === "pod-0");
    const server = main.ruleset.local.find((l) => l.name !== "pod-0");
    const { bare, conntrackOnly, through, named: withNames } = connectionRate(main.ruleset.text, named.ruleset.text, client.ips[0], server.ips[0]);
    const pct = (r) => `${((r.rate / bare.rate) * 100).toFixed(0)}%`;
    console.log(`connection rate (${client.namespace}/${client.name} -> ${server.namespace}/${server.name}:8080, best of 5 alternating rounds of 3000 sequential connections):`);
    console.log(`  no ruleset ${bare.rate.toFixed(0)}/s (${bare.ok} ok); conntrack only ${conntrackOnly.rate.toFixed(0)}/s (${pct(conntrackOnly)}); through the ruleset ${through.rate.toFixed(0)}/s (${through.ok} ok, ${pct(through)}; ${((through.rate / conntrackOnly.rate) * 100).toFixed(0)}% of conntrack only)`);
    console.log(`  through the ruleset with interface names (bridge: the spoof chains return bridged packets) ${withNames.rate.toFixed(0)}/s (${withNames.ok} ok, ${pct(withNames)})`);
  } else {
    console.log("load and connection rate skipped: needs root and nft (apt-get install -y nftables conntrack iproute2)");
  }
} finally {
  cleanup();
}
