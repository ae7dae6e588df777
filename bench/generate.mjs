// Generates the benchmark workload into bench/data/ (git-ignored): 10,000 pods in 50 namespaces, about 2,000
// Calico policies over 4 tiers plus Kubernetes NetworkPolicies, an inventory, and N flow records (default
// 1,000,000) in Calico Enterprise flow-log JSON lines carrying labels. Deterministic: a seeded PRNG.
//
//   node bench/generate.mjs [--records N] [--out DIR]
import { mkdirSync, writeFileSync, createWriteStream } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1];
};
const RECORDS = Number(arg("--records", 1_000_000));
const OUT = arg("--out", "bench/data");
const NAMESPACES = 50;
const APPS_PER_NS = 20;
const REPLICAS = 10;

let seed = 0x9e3779b9;
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
for (let n = 0; n < NAMESPACES; n++) {
  const ns = `ns-${n}`;
  namespaces.push({ name: ns, labels: { "kubernetes.io/metadata.name": ns, team: `team-${n % 10}`, env: n % 5 === 0 ? "dev" : "prod" } });
  for (let a = 0; a < APPS_PER_NS; a++) {
    const tier = TIERS[a % TIERS.length];
    const name = `app-${a}`;
    const hash = (0x1000000 + Math.floor(rand() * 0xefffff)).toString(16);
    const pods = [];
    for (let r = 0; r < REPLICAS; r++) {
      const ip = `10.${64 + Math.floor((n * APPS_PER_NS * REPLICAS + a * REPLICAS + r) / 65536)}.${Math.floor(((n * APPS_PER_NS + a) * REPLICAS + r) / 256) % 256}.${((n * APPS_PER_NS + a) * REPLICAS + r) % 256}`;
      pods.push({ name: `${name}-${hash}-${(r + 10).toString(36)}x${r}`, ip });
    }
    apps.push({ ns, name, tier, hash, port: PORTS[tier], pods, labels: { app: name, tier, version: `v${1 + (a % 3)}`, "pod-template-hash": hash } });
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
for (let i = 0; i < 60; i++) {
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
for (let i = 0; i < 190; i++) {
  const n = i % NAMESPACES;
  docs.platform.push(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: platform-${i} }
spec:
  tier: platform
  order: ${100 + i}
  namespaceSelector: projectcalico.org/name == 'ns-${n}'
  selector: tier in {'${TIERS[i % 5]}', '${TIERS[(i + 1) % 5]}'}
  ingress:
    - action: Allow
      protocol: TCP
      source: { namespaceSelector: team == 'team-${i % 10}', selector: app == 'app-${i % APPS_PER_NS}' }
      destination: { ports: [metrics] }
    - action: Pass
`);
}
for (const ns of namespaces) {
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
// Call graph: each app is called by 3 apps (sometimes across namespaces).
const callers = new Map();
for (const app of apps) {
  const list = [];
  for (let k = 0; k < 3; k++) {
    const other = rand() < 0.8 ? pick(apps.filter((x) => x.ns === app.ns && x !== app)) : pick(apps);
    list.push(other);
  }
  callers.set(app, list);
}
for (const app of apps) {
  const rules = callers.get(app).map(
    (c) => `    - action: Allow
      protocol: TCP
      source: { selector: app == '${c.name}'${c.ns !== app.ns ? `, namespaceSelector: projectcalico.org/name == '${c.ns}'` : ""} }
      destination: { ports: [${app.port}] }`,
  );
  docs.application.push(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: ${app.name}, namespace: ${app.ns} }
spec:
  tier: application
  order: ${10 + (apps.indexOf(app) % 50)}
  selector: app == '${app.name}'
  types: [Ingress, Egress]
  ingress:
${rules.join("\n")}
  egress:
    - action: Allow
`);
}
for (let n = 0; n < NAMESPACES; n++) {
  for (let k = 0; k < 15; k++) {
    const app = apps[n * APPS_PER_NS + k];
    docs.k8s.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: knp-${k}, namespace: ns-${n} }
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
}
let policyCount = 0;
for (const [name, list] of Object.entries(docs)) {
  writeFileSync(join(OUT, "policies", `${name}.yaml`), list.join("---\n"));
  policyCount += list.filter((d) => /kind: (GlobalNetworkPolicy|NetworkPolicy)\n/.test(d)).length;
}

// ---- flows -------------------------------------------------------------------------------------------------
const edges = [];
for (const app of apps) for (const c of callers.get(app)) edges.push([c, app, app.port]);
for (let i = 0; i < 3000; i++) {
  const a = pick(apps);
  const b = pick(apps);
  edges.push([a, b, pick([b.port, 9102, 443, 22])]);
}
const labelList = (app) => Object.entries(app.labels).map(([k, v]) => `${k}=${v}`);
const out = createWriteStream(join(OUT, "flows.jsonl"));
const t0 = 1_700_000_000;
let written = 0;
async function writeAll() {
  for (let i = 0; i < RECORDS; i++) {
    const r = rand();
    // Skewed: a few edges carry most traffic.
    const [src, dst, port] = edges[Math.floor(edges.length * r * r * r)];
    const external = rand() < 0.03;
    const aggregated = rand() < 0.5;
    const sp = pick(src.pods);
    const dp = pick(dst.pods);
    const reporter = rand() < 0.5 ? "src" : "dst";
    const rec = {
      start_time: t0 + 300 * Math.floor(i / 20000),
      end_time: t0 + 300 * Math.floor(i / 20000) + 300,
      source_ip: aggregated ? null : sp.ip,
      source_name: aggregated ? "-" : sp.name,
      source_name_aggr: `${src.name}-${src.hash}-*`,
      source_namespace: src.ns,
      source_port: null,
      source_type: "wep",
      source_labels: { labels: labelList(src) },
      dest_ip: external ? `${1 + Math.floor(rand() * 223)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}` : aggregated ? null : dp.ip,
      dest_name: external || aggregated ? "-" : dp.name,
      dest_name_aggr: external ? "pub" : `${dst.name}-${dst.hash}-*`,
      dest_namespace: external ? "-" : dst.ns,
      dest_port: external ? 443 : port,
      dest_type: external ? "net" : "wep",
      dest_labels: external ? { labels: [] } : { labels: labelList(dst) },
      dest_service_name: "-",
      dest_service_namespace: "-",
      dest_service_port: "-",
      proto: "tcp",
      action: "allow",
      reporter: external ? "src" : reporter,
      policies: { all_policies: [], enforced_policies: [], pending_policies: [] },
      bytes_in: Math.floor(rand() * 100000),
      bytes_out: Math.floor(rand() * 10000),
      num_flows: 1 + Math.floor(rand() * 20),
      num_flows_started: 1,
      num_flows_completed: 1,
      packets_in: Math.floor(rand() * 100),
      packets_out: Math.floor(rand() * 100),
      http_requests_allowed_in: 0,
      http_requests_denied_in: 0,
      process_name: "-",
      num_process_names: 0,
      host: `node-${Math.floor(rand() * 20)}`,
      "@timestamp": (t0 + i) * 1000,
    };
    if (!out.write(JSON.stringify(rec) + "\n")) await new Promise((res) => out.once("drain", res));
    written++;
  }
  out.end();
  await new Promise((res) => out.on("finish", res));
}
await writeAll();
console.log(`bench data in ${OUT}: ${apps.length * REPLICAS} pods in ${NAMESPACES} namespaces, ${policyCount} policies (${docs.k8s.length} Kubernetes), ${written} flow records`);
