// Generates the benchmark workload into bench/data/ (git-ignored), the production-like one of issue 17: by default
// 10,000 pods in 200 namespaces (10 applications of 5 replicas each), 2,005 policies of which a quarter are
// Kubernetes NetworkPolicies (the rest Calico policies over 4 tiers), an inventory, and 1,000,000 Calico Enterprise
// flow-log records (about 560 bytes each) carrying labels, about 53% of them allowed by the policies and 10% between
// random pod pairs (so most of the distinct tuples). Deterministic: a seeded PRNG, the same files for the same options.
//
//   node bench/generate.mjs [--records N] [--pods N] [--policies N] [--seed N] [--out DIR]
//
// --pods scales the namespaces (50 pods each); --policies scales the application tier (one policy per application
// first, then second policies for the same applications) and the Kubernetes policies (a quarter of the total).
// Files: policies/{tiers,security,platform,isolation,application,k8s}.yaml, inventory.json, flows.jsonl.
// bench/review.mjs and bench/connectivity.mjs edit the application caller rules and the isolation Deny rule by their
// text: keep those shapes.
import { mkdirSync, writeFileSync, createWriteStream } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : Number.isNaN(Number(args[i + 1])) ? args[i + 1] : Number(args[i + 1]);
};
const RECORDS = arg("--records", 1_000_000);
const PODS = arg("--pods", 10_000);
const POLICIES = arg("--policies", 2_005);
const OUT = String(arg("--out", "bench/data"));
const APPS_PER_NS = 10;
const REPLICAS = 5;
const NAMESPACES = Math.max(1, Math.round(PODS / (APPS_PER_NS * REPLICAS)));
/** Share of the records between two random pods (each mostly a tuple of its own). */
const RANDOM_PAIRS = 0.1;
/** Edges probing ports no rule opens, per application (tuned so that about 53% of the records are allowed). */
const PROBES = 3;

let seed = arg("--seed", 0x9e3779b9);
function rand() {
  // mulberry32
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const TIERS = ["web", "api", "db", "cache", "worker"];
const PORTS = { web: 8080, api: 9000, db: 5432, cache: 6379, worker: 7000 };

mkdirSync(join(OUT, "policies"), { recursive: true });

// ---- workloads ---------------------------------------------------------------------------------------------
const namespaces = [];
const apps = [];
let podIndex = 0;
const ipOf = (i) => `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
for (let n = 0; n < NAMESPACES; n++) {
  const ns = `ns-${n}`;
  namespaces.push({ name: ns, labels: { "kubernetes.io/metadata.name": ns, team: `team-${n % 10}`, env: n % 5 === 0 ? "dev" : "prod" } });
  for (let a = 0; a < APPS_PER_NS; a++) {
    const tier = TIERS[a % TIERS.length];
    const name = `app-${a}`;
    const hash = (0x100000 + Math.floor(rand() * 0xeffff)).toString(16);
    const pods = [];
    for (let r = 0; r < REPLICAS; r++) pods.push({ name: `${name}-${hash}-${(r + 10).toString(36)}x${r}`, ip: ipOf(podIndex++) });
    apps.push({ ns, name, tier, hash, port: PORTS[tier], pods, labels: { app: name, tier, "pod-template-hash": hash } });
  }
}

const inventory = { apiVersion: "v1", kind: "List", items: [] };
for (const ns of namespaces) inventory.items.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns.name, labels: ns.labels } });
for (const app of apps) {
  inventory.items.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: app.name, namespace: app.ns, labels: { app: app.name } } });
  for (const pod of app.pods) {
    inventory.items.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: pod.name, namespace: app.ns, labels: app.labels },
      spec: { serviceAccountName: app.name, containers: [{ name: "main", ports: [{ name: "http", containerPort: app.port, protocol: "TCP" }, { name: "metrics", containerPort: 9102, protocol: "TCP" }] }] },
      status: { phase: "Running", podIP: pod.ip, podIPs: [{ ip: pod.ip }] },
    });
  }
}
writeFileSync(join(OUT, "inventory.json"), JSON.stringify(inventory));

// ---- policies ----------------------------------------------------------------------------------------------
// Of POLICIES: a quarter Kubernetes; of the Calico rest, 40 security, 64 platform, one isolation per namespace (at
// most what is left), the remainder application policies.
const K8S = Math.round(POLICIES / 4);
const SECURITY = Math.min(40, POLICIES - K8S);
const PLATFORM = Math.min(64, POLICIES - K8S - SECURITY);
const ISOLATION = Math.min(NAMESPACES, POLICIES - K8S - SECURITY - PLATFORM);
const APPLICATION = POLICIES - K8S - SECURITY - PLATFORM - ISOLATION;
const docs = { tiers: [], security: [], platform: [], isolation: [], application: [], k8s: [] };
const tier = (name, order, defaultAction) => docs.tiers.push(`apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: ${name} }\nspec: { order: ${order}, defaultAction: ${defaultAction} }\n`);
tier("security", 100, "Pass");
tier("platform", 200, "Pass");
tier("isolation", 300, "Pass");
tier("application", 400, "Deny");

for (let i = 0; i < 20; i++) {
  const nets = Array.from({ length: 25 }, (_, j) => `  - ${100 + i}.${j}.${Math.floor(rand() * 256)}.0/24`).join("\n");
  docs.security.push(`apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: { name: threats-${i}, labels: { feed: threats, shard: "${i}" } }\nspec:\n  nets:\n${nets}\n`);
}
for (let i = 0; i < SECURITY; i++) {
  docs.security.push(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: guard-${i} }
spec:
  tier: security
  order: ${i}
  selector: ${i % 3 === 0 ? "all()" : `team == 'team-${i % 10}'`}
  namespaceSelector: env == '${i % 2 ? "prod" : "dev"}'
  types: [Ingress, Egress]
  ingress:
    - action: Deny
      source: { selector: quarantine == 'true' }
  egress:
    - action: Deny
      destination: { selector: feed == 'threats' && shard == '${i % 20}' }
    - action: Deny
      protocol: TCP
      destination: { ports: [23, 2323] }
`);
}
for (let i = 0; i < PLATFORM; i++) {
  docs.platform.push(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: platform-${i} }
spec:
  tier: platform
  order: ${100 + i}
  namespaceSelector: projectcalico.org/name == 'ns-${(i * 7) % NAMESPACES}' || team == 'team-${i % 10}'
  selector: tier in {'${TIERS[i % 5]}', '${TIERS[(i + 1) % 5]}'}
  ingress:
    - action: Allow
      protocol: TCP
      source: { namespaceSelector: team == 'team-${i % 10}', selector: app == 'app-${i % APPS_PER_NS}' }
      destination: { ports: [metrics] }
    - action: Pass
`);
}
for (const ns of namespaces.slice(0, ISOLATION)) {
  docs.isolation.push(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: isolate, namespace: ${ns.name} }
spec:
  tier: isolation
  selector: all()
  types: [Ingress, Egress]
  ingress:
    - action: Pass
      source: { namespaceSelector: team == '${ns.labels.team}' }
    - action: Deny
      source: { namespaceSelector: env == 'dev' }
    - action: Pass
  egress:
    - action: Pass
`);
}
// Call graph: each application is called by 3 others (mostly in its namespace). Application policies go to the
// applications in an order that spreads them over the namespaces; past one each, an application gets a second.
const callers = new Map();
for (const app of apps) {
  const peers = apps.filter((x) => x.ns === app.ns && x !== app);
  callers.set(app, Array.from({ length: 3 }, () => (rand() < 0.8 ? pick(peers) : pick(apps))));
}
const callerRule = (app, c, port) => `    - action: Allow
      protocol: TCP
      source: { selector: app == '${c.name}'${c.ns !== app.ns ? `, namespaceSelector: projectcalico.org/name == '${c.ns}'` : ""} }
      destination: { ports: [${port}] }`;
const protectedApps = new Set();
for (let i = 0; i < APPLICATION; i++) {
  const app = apps[(i * 37) % apps.length];
  const second = i >= apps.length;
  protectedApps.add(app);
  const rules = second ? [callerRule(app, pick(apps), 9102)] : callers.get(app).map((c) => callerRule(app, c, app.port));
  docs.application.push(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: ${app.name}${second ? `-${Math.floor(i / apps.length)}` : ""}, namespace: ${app.ns} }
spec:
  tier: application
  order: ${10 + (i % 50)}
  selector: app == '${app.name}'
  types: [Ingress, Egress]
  ingress:
${rules.join("\n")}
  egress:
    - action: Allow
`);
}
for (let k = 0; k < K8S; k++) {
  const app = apps[(k * 53 + 11) % apps.length];
  docs.k8s.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: knp-${k}, namespace: ${app.ns} }
spec:
  podSelector: { matchLabels: { app: ${app.name} } }
  ingress:
    - from:
        - podSelector: { matchLabels: { tier: ${TIERS[k % 5]} } }
        - namespaceSelector: { matchLabels: { team: team-${k % 10} } }
          podSelector: { matchExpressions: [{ key: tier, operator: In, values: [web, api] }] }
      ports: [{ port: ${app.port} }, { port: 9102, endPort: 9110 }]
`);
}
let policyCount = 0;
for (const [name, list] of Object.entries(docs)) {
  writeFileSync(join(OUT, "policies", `${name}.yaml`), list.join("---\n"));
  policyCount += list.filter((d) => /kind: (GlobalNetworkPolicy|NetworkPolicy)\n/.test(d)).length;
}

// ---- flows -------------------------------------------------------------------------------------------------
// Edges: the call graph on the applications' ports (allowed where a policy lets the caller in), plus probes of
// ports no rule opens (denied where a policy protects the target). Records pick edges skewed towards a few.
const edges = [];
for (const app of apps) for (const c of callers.get(app)) edges.push([c, app, app.port]);
for (let i = 0; i < PROBES * apps.length; i++) edges.push([pick(apps), pick(apps), pick([22, 443, 3306])]);
for (let i = edges.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [edges[i], edges[j]] = [edges[j], edges[i]];
}
const labelList = (app) => Object.entries(app.labels).map(([k, v]) => `${k}=${v}`);
const out = createWriteStream(join(OUT, "flows.jsonl"));
const t0 = 1_700_000_000;
const tuples = new Set();
let bytes = 0;
function record(i) {
  let src, dst, port, sp, dp;
  if (rand() < RANDOM_PAIRS) {
    src = pick(apps);
    dst = pick(apps);
    port = pick([dst.port, 9102, 443, 8443, 22]);
  } else {
    const r = rand();
    [src, dst, port] = edges[Math.floor(edges.length * r * r)];
  }
  sp = pick(src.pods);
  dp = pick(dst.pods);
  const external = rand() < 0.02;
  const aggregated = rand() < 0.3;
  if (tuples.size < 5_000_000) tuples.add(`${sp.ip}>${external ? "x" : dp.ip}:${port}`);
  return {
    start_time: t0 + 300 * Math.floor(i / 20000),
    end_time: t0 + 300 * Math.floor(i / 20000) + 300,
    source_ip: aggregated ? null : sp.ip,
    source_name: aggregated ? "-" : sp.name,
    source_name_aggr: `${src.name}-${src.hash}-*`,
    source_namespace: src.ns,
    source_type: "wep",
    source_labels: { labels: labelList(src) },
    dest_ip: external ? `${1 + Math.floor(rand() * 223)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}` : aggregated ? null : dp.ip,
    dest_name: external || aggregated ? "-" : dp.name,
    dest_name_aggr: external ? "pub" : `${dst.name}-${dst.hash}-*`,
    dest_namespace: external ? "-" : dst.ns,
    dest_port: external ? 443 : port,
    dest_type: external ? "net" : "wep",
    dest_labels: external ? { labels: [] } : { labels: labelList(dst) },
    proto: "tcp",
    action: "allow",
    reporter: external || rand() < 0.5 ? "src" : "dst",
    bytes_in: Math.floor(rand() * 100000),
    num_flows: 1 + Math.floor(rand() * 20),
    host: `node-${Math.floor(rand() * 20)}`,
  };
}
for (let i = 0; i < RECORDS; i++) {
  const line = JSON.stringify(record(i)) + "\n";
  bytes += line.length;
  if (!out.write(line)) await new Promise((res) => out.once("drain", res));
}
out.end();
await new Promise((res) => out.on("finish", res));
console.log(
  `bench data in ${OUT}: ${apps.length * REPLICAS} pods in ${NAMESPACES} namespaces, ${policyCount} policies (${docs.k8s.length} Kubernetes, ${docs.application.length} application, ${protectedApps.size} of ${apps.length} applications with one), ${RECORDS} flow records (${(bytes / 1e6).toFixed(0)} MB, ${tuples.size} distinct pod-to-pod tuples)`,
);
