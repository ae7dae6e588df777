#!/usr/bin/env node
/**
 * Generates the example production data of policies-template/ for Google's Online Boutique demo:
 *
 *   policies-template/flows/inventory.yaml      `kubectl get namespaces,pods,serviceaccounts -A -o yaml` of the cluster
 *   policies-template/flows/snapshot.jsonl.gz   one hour of Calico Enterprise flow logs (Elasticsearch `_source`
 *                                               documents, one JSON object per line, gzipped)
 *
 * Deterministic: a seeded PRNG (mulberry32), fixed timestamps, no Math.random, no Date.now, no dependencies.
 * Run it again after changing it and commit both files:  node scripts/generate-boutique-flows.mjs
 *
 * The cluster it models (see policies-template/README.md):
 * - 4 nodes; pods of namespaces boutique, monitoring, ingress-nginx and kube-system.
 * - Flow-log aggregation as FelixConfiguration would set it: allowed flows at level 0 (no aggregation, one record
 *   per connection) on three nodes, and level 2 (source pod prefix: source_name "-", source_ip and source_port
 *   null) on node prod-pool-b-6h1t, which keeps the default; denied flows at level 1 (source port masked) everywhere.
 * - Each pod-to-pod connection is reported by both ends (reporter src and dst) when the source end allowed it; a
 *   connection denied at the source has only the src record; external ends report nothing.
 * - Records carry no `policies` field: tierguard recomputes verdicts from the policies.
 *
 * Traffic that the repository's policies do not allow is recorded with action "deny" by the end that enforces it:
 * - shoppingassistantservice (new, no application policy yet) -> productcatalogservice:3550: allowed at the source,
 *   denied at the destination (productcatalogservice's ingress lists only its real callers);
 * - shoppingassistantservice -> LLM API 198.18.0.5:443: denied at the source by platform/restrict-internet-egress;
 * - frontend -> adservice:9556 (adservice's new port): denied at the source by frontend's egress policy;
 * - checkoutservice -> 203.0.113.7:443 (threat feed), once: denied at the source by security/block-threat-feed.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = path.join(ROOT, "policies-template", "flows");
const SEED = 20250603;

const T0 = Date.UTC(2025, 5, 3, 13, 0, 0) / 1000; // 2025-06-03T13:00:00Z
const WINDOW = 300; // Felix flowLogsFlushInterval: 5 minutes
const WINDOWS = 12; // one hour
const SCALE = 1.48; // overall connection volume; tuned so the snapshot has about 20,000 records

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const invRng = mulberry32(SEED);
const flowRng = mulberry32(SEED ^ 0x9e3779b9);
const int = (rng, lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
const jitter = (rng, x, spread = 0.4) => x * (1 - spread + 2 * spread * rng());
const pick = (rng, xs) => xs[Math.floor(rng() * xs.length)];
const RAND_CHARS = "bcdfghjklmnpqrstvwxz2456789"; // Kubernetes' rand.String alphabet
const randString = (rng, n) => Array.from({ length: n }, () => pick(rng, RAND_CHARS)).join("");
const uid = (rng) => {
  const h = () => Math.floor(rng() * 65536).toString(16).padStart(4, "0");
  return `${h()}${h()}-${h()}-4${h().slice(1)}-${pick(rng, ["8", "9", "a", "b"])}${h().slice(1)}-${h()}${h()}${h()}`;
};
const iso = (t) => new Date(t * 1000).toISOString().replace(".000Z", "Z");

// ---------------------------------------------------------------------------------------------------------------
// The cluster

const NODES = [
  { name: "prod-pool-a-7d2k", ip: "10.128.0.11", podNet: "10.244.0", allowedLevel: 0 },
  { name: "prod-pool-a-9q4m", ip: "10.128.0.12", podNet: "10.244.1", allowedLevel: 0 },
  { name: "prod-pool-b-3x8r", ip: "10.128.0.13", podNet: "10.244.2", allowedLevel: 0 },
  { name: "prod-pool-b-6h1t", ip: "10.128.0.14", podNet: "10.244.3", allowedLevel: 2 },
];
const DENIED_LEVEL = 1;

const NAMESPACES = [
  { name: "boutique", labels: { env: "prod", team: "shop" } },
  { name: "default", labels: {} },
  { name: "ingress-nginx", labels: { "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx" } },
  { name: "kube-system", labels: {} },
  { name: "monitoring", labels: { team: "platform" } },
];

const OB_IMAGE = (svc) => `us-central1-docker.pkg.dev/google-samples/microservices-demo/${svc}:v0.10.3`;
const port = (name, containerPort, protocol = "TCP") => ({ containerPort, name, protocol });
const METRICS = port("metrics", 9464);

/**
 * Workloads. `nodes` places one replica per entry (node index). `service` is the Kubernetes Service in front of
 * the pods and its port names, which flow logs report as dest_service_*.
 */
const WORKLOADS = [
  // Online Boutique (namespace boutique): app=<service>, service account named like the service.
  ob("frontend", [port("http", 8080), METRICS], [0, 1, 3]),
  ob("cartservice", [port("grpc", 7070), METRICS], [1, 2]),
  ob("checkoutservice", [port("grpc", 5050), METRICS], [0, 2]),
  ob("currencyservice", [port("grpc", 7000), METRICS], [2, 3]),
  ob("emailservice", [port("grpc", 8080), METRICS], [3]),
  ob("paymentservice", [port("grpc", 50051), METRICS], [1]),
  ob("productcatalogservice", [port("grpc", 3550), METRICS], [0, 2, 3]),
  ob("recommendationservice", [port("grpc", 8080), METRICS], [1, 3]),
  ob("shippingservice", [port("grpc", 50051), METRICS], [0]),
  ob("adservice", [port("grpc", 9555), port("grpc-v2", 9556), METRICS], [2]),
  {
    namespace: "boutique", name: "redis-cart", kind: "Deployment", serviceAccount: "redis-cart", nodes: [1],
    labels: { app: "redis-cart" },
    containers: [
      { name: "redis", image: "redis:7.2-alpine", ports: [port("redis", 6379)] },
      { name: "redis-exporter", image: "oliver006/redis_exporter:v1.62.0", ports: [port("metrics", 9121)] },
    ],
    service: { name: "redis-cart", ports: { 6379: "tcp-redis" } },
  },
  {
    namespace: "boutique", name: "loadgenerator", kind: "Deployment", serviceAccount: "loadgenerator", nodes: [0],
    labels: { app: "loadgenerator" },
    containers: [{ name: "main", image: OB_IMAGE("loadgenerator"), ports: [] }],
  },
  // Deployed at 13:25 with no application policy yet: only in the inventory, not in the policies.
  {
    ...ob("shoppingassistantservice", [port("http", 8080), METRICS], [2]),
    createdAt: T0 + 25 * 60 + 20,
  },
  // Cluster services.
  {
    namespace: "ingress-nginx", name: "ingress-nginx-controller", kind: "Deployment", serviceAccount: "ingress-nginx", nodes: [1, 3],
    labels: {
      "app.kubernetes.io/component": "controller",
      "app.kubernetes.io/instance": "ingress-nginx",
      "app.kubernetes.io/name": "ingress-nginx",
      "app.kubernetes.io/part-of": "ingress-nginx",
      "app.kubernetes.io/version": "1.12.1",
    },
    containers: [{
      name: "controller", image: "registry.k8s.io/ingress-nginx/controller:v1.12.1",
      ports: [port("http", 80), port("https", 443), port("metrics", 10254), port("webhook", 8443)],
    }],
  },
  {
    namespace: "kube-system", name: "coredns", kind: "Deployment", serviceAccount: "coredns", nodes: [0, 3],
    labels: { "k8s-app": "kube-dns" },
    containers: [{
      name: "coredns", image: "registry.k8s.io/coredns/coredns:v1.11.3",
      ports: [port("dns", 53, "UDP"), port("dns-tcp", 53, "TCP"), port("metrics", 9153)],
    }],
    service: { name: "kube-dns", ports: { "53/udp": "dns", "53/tcp": "dns-tcp" } },
  },
  {
    namespace: "monitoring", name: "prometheus-k8s", kind: "StatefulSet", serviceAccount: "prometheus-k8s", nodes: [0],
    labels: {
      "app.kubernetes.io/component": "prometheus",
      "app.kubernetes.io/instance": "k8s",
      "app.kubernetes.io/name": "prometheus",
      "app.kubernetes.io/part-of": "kube-prometheus",
      prometheus: "k8s",
    },
    containers: [{ name: "prometheus", image: "quay.io/prometheus/prometheus:v3.2.1", ports: [port("web", 9090)] }],
  },
];

/** An Online Boutique service: its Service exposes every container port but `metrics`, under the same name. */
function ob(svc, ports, nodes) {
  return {
    namespace: "boutique", name: svc, kind: "Deployment", serviceAccount: svc, nodes,
    labels: { app: svc },
    containers: [{ name: "server", image: OB_IMAGE(svc), ports }],
    service: { name: svc, ports: Object.fromEntries(ports.filter((p) => p.name !== "metrics").map((p) => [p.containerPort, p.name])) },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Pods and the inventory

const nextHost = NODES.map(() => int(invRng, 3, 9));
const pods = [];
for (const w of WORKLOADS) {
  const hash = randString(invRng, int(invRng, 9, 10));
  const created = w.createdAt ?? T0 - int(invRng, 2, 20) * 86400 - int(invRng, 0, 86399);
  w.nodes.forEach((nodeIndex, i) => {
    const node = NODES[nodeIndex];
    const host = nextHost[nodeIndex];
    nextHost[nodeIndex] += int(invRng, 1, 6);
    const statefulSet = w.kind === "StatefulSet";
    const name = statefulSet ? `${w.name}-${i}` : `${w.name}-${hash}-${randString(invRng, 5)}`;
    const labels = statefulSet
      ? { ...w.labels, "apps.kubernetes.io/pod-index": String(i), "controller-revision-hash": `${w.name}-${hash}`, "statefulset.kubernetes.io/pod-name": name }
      : { ...w.labels, "pod-template-hash": hash };
    pods.push({
      workload: w,
      app: w.labels.app ?? w.name,
      namespace: w.namespace,
      name,
      nameAggr: statefulSet ? `${w.name}-*` : `${w.name}-${hash}-*`,
      labels,
      ip: `${node.podNet}.${host}`,
      node,
      ports: w.containers.flatMap((c) => c.ports),
      created: created + i * int(invRng, 3, 20),
      owner: statefulSet ? { kind: "StatefulSet", name: w.name } : { kind: "ReplicaSet", name: `${w.name}-${hash}` },
      uid: uid(invRng),
    });
  });
}
const podsOf = (app, namespace = "boutique") => pods.filter((p) => p.app === app && p.namespace === namespace);
const coredns = pods.filter((p) => p.workload.name === "coredns");
const nginx = pods.filter((p) => p.workload.name === "ingress-nginx-controller");
const prometheus = pods.filter((p) => p.workload.name === "prometheus-k8s");

function inventory() {
  const items = [];
  for (const ns of NAMESPACES) {
    items.push({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        creationTimestamp: iso(T0 - 90 * 86400 + items.length * 3600),
        labels: { ...ns.labels, "kubernetes.io/metadata.name": ns.name },
        name: ns.name,
        resourceVersion: String(100 + items.length),
        uid: uid(invRng),
      },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
  }
  for (const p of pods) {
    const w = p.workload;
    items.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        creationTimestamp: iso(p.created),
        ...(w.kind === "StatefulSet" ? {} : { generateName: p.nameAggr.slice(0, -1) }),
        labels: p.labels,
        name: p.name,
        namespace: p.namespace,
        ownerReferences: [{
          apiVersion: "apps/v1", blockOwnerDeletion: true, controller: true, kind: p.owner.kind, name: p.owner.name, uid: uid(invRng),
        }],
        resourceVersion: String(int(invRng, 100000, 999999)),
        uid: p.uid,
      },
      spec: {
        containers: w.containers.map((c) => ({
          image: c.image,
          imagePullPolicy: "IfNotPresent",
          name: c.name,
          ...(c.ports.length ? { ports: c.ports } : {}),
        })),
        nodeName: p.node.name,
        serviceAccount: w.serviceAccount,
        serviceAccountName: w.serviceAccount,
      },
      status: {
        hostIP: p.node.ip,
        hostIPs: [{ ip: p.node.ip }],
        phase: "Running",
        podIP: p.ip,
        podIPs: [{ ip: p.ip }],
        qosClass: "Burstable",
        startTime: iso(p.created + 1),
      },
    });
  }
  const accounts = new Set(NAMESPACES.map((ns) => `${ns.name}/default`));
  for (const w of WORKLOADS) accounts.add(`${w.namespace}/${w.serviceAccount}`);
  for (const key of [...accounts].sort()) {
    const [namespace, name] = key.split("/");
    items.push({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        creationTimestamp: iso(T0 - 60 * 86400 + int(invRng, 0, 86400)),
        ...(name === "default" ? {} : { labels: { "app.kubernetes.io/managed-by": "kustomize" } }),
        name,
        namespace,
        resourceVersion: String(int(invRng, 1000, 99999)),
        uid: uid(invRng),
      },
    });
  }
  return { apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } };
}

/** YAML as kubectl prints it: block style, keys sorted, two-space indent, sequence items not indented. */
function toYaml(value) {
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const isBlock = (v) => (Array.isArray(v) && v.length > 0) || (isObj(v) && Object.keys(v).length > 0);
  const scalar = (v) => {
    if (Array.isArray(v)) return "[]";
    if (isObj(v)) return "{}";
    if (v === null || v === undefined) return "null";
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    const s = String(v);
    const plain = /^[A-Za-z_/][A-Za-z0-9_./@:+-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(s);
    return plain ? s : JSON.stringify(s);
  };
  const object = (o, indent) => Object.keys(o).sort().map((k) => {
    const v = o[k];
    if (!isBlock(v)) return `${indent}${scalar(k)}: ${scalar(v)}\n`;
    return `${indent}${scalar(k)}:\n` + (Array.isArray(v) ? array(v, indent) : object(v, indent + "  "));
  }).join("");
  const array = (a, indent) => a.map((item) => {
    if (isObj(item) && isBlock(item)) return `${indent}- ` + object(item, indent + "  ").slice(indent.length + 2);
    if (Array.isArray(item) && isBlock(item)) return `${indent}-\n` + array(item, indent + "  ");
    return `${indent}- ${scalar(item)}\n`;
  }).join("");
  return isObj(value) ? object(value, "") : array(value, "");
}

// ---------------------------------------------------------------------------------------------------------------
// Traffic

/**
 * Allowed pod-to-pod edges of the Online Boutique call graph, plus ingress and load. `conns`: connections per
 * source-destination pod pair per window (keep-alive pools, so mostly the same source ports window after window);
 * `rpc`: requests per connection per window; `req`/`resp`: bytes per request and per response.
 */
const EDGES = [
  { from: "loadgenerator", to: "frontend", port: 8080, conns: 10, rpc: 8, req: 420, resp: 9800, churn: 0.6 },
  { from: "ingress-nginx", to: "frontend", port: 8080, conns: 8, rpc: 11, req: 610, resp: 12500, churn: 0.3 },
  { from: "frontend", to: "productcatalogservice", port: 3550, conns: 16, rpc: 52, req: 160, resp: 2300, churn: 0.05 },
  { from: "frontend", to: "currencyservice", port: 7000, conns: 9, rpc: 48, req: 120, resp: 90, churn: 0.05 },
  { from: "frontend", to: "cartservice", port: 7070, conns: 7, rpc: 19, req: 140, resp: 260, churn: 0.05 },
  { from: "frontend", to: "recommendationservice", port: 8080, conns: 6, rpc: 14, req: 170, resp: 220, churn: 0.05 },
  { from: "frontend", to: "shippingservice", port: 50051, conns: 6, rpc: 8, req: 210, resp: 80, churn: 0.05 },
  { from: "frontend", to: "checkoutservice", port: 5050, conns: 3, rpc: 3, req: 520, resp: 640, churn: 0.05 },
  { from: "frontend", to: "adservice", port: 9555, conns: 8, rpc: 9, req: 110, resp: 380, churn: 0.05 },
  { from: "checkoutservice", to: "productcatalogservice", port: 3550, conns: 3, rpc: 5, req: 150, resp: 2100, churn: 0.05 },
  { from: "checkoutservice", to: "shippingservice", port: 50051, conns: 3, rpc: 4, req: 230, resp: 90, churn: 0.05 },
  { from: "checkoutservice", to: "currencyservice", port: 7000, conns: 3, rpc: 6, req: 120, resp: 90, churn: 0.05 },
  { from: "checkoutservice", to: "cartservice", port: 7070, conns: 3, rpc: 4, req: 130, resp: 240, churn: 0.05 },
  { from: "checkoutservice", to: "paymentservice", port: 50051, conns: 3, rpc: 3, req: 260, resp: 110, churn: 0.05 },
  { from: "checkoutservice", to: "emailservice", port: 8080, conns: 3, rpc: 3, req: 1900, resp: 40, churn: 0.05 },
  { from: "recommendationservice", to: "productcatalogservice", port: 3550, conns: 7, rpc: 12, req: 150, resp: 2300, churn: 0.05 },
  { from: "cartservice", to: "redis-cart", port: 6379, conns: 5, rpc: 38, req: 90, resp: 160, churn: 0.02 },
];
const podsForApp = (app) => (app === "ingress-nginx" ? nginx : podsOf(app));

/** Traffic volume over the hour: a gentle afternoon ramp. */
const load = (w) => SCALE * (0.85 + 0.3 * Math.sin((Math.PI * (w + 1)) / WINDOWS));
/** Replicas of the new service exist from 13:25. */
const alive = (pod, w) => pod.created < T0 + (w + 1) * WINDOW;

const flows = []; // raw connections: one per 5-tuple per window, before reporting and aggregation
const pools = new Map(); // persistent source ports per pod pair
const ephemeral = (rng) => int(rng, 32768, 60999);

function connection(w, src, dst, o) {
  const proto = o.proto ?? "tcp";
  const started = o.started ?? 1;
  const completed = o.completed ?? 1;
  let reqBytes, respBytes, reqPackets, respPackets;
  if (o.denied) {
    // A refused TCP connection: the SYN and two retransmissions, no answer.
    [reqBytes, respBytes, reqPackets, respPackets] = [180, 0, 3, 0];
  } else {
    const rpc = Math.max(1, Math.round(jitter(flowRng, o.rpc ?? 1, 0.35)));
    reqBytes = rpc * (o.req ?? 100) + int(flowRng, 0, 40);
    respBytes = rpc * (o.resp ?? 100) + int(flowRng, 0, 40);
    reqPackets = Math.max(1, Math.round(rpc * 1.15 + reqBytes / 1400));
    respPackets = Math.max(1, Math.round(rpc * 1.05 + respBytes / 1400));
    if (proto === "tcp") {
      // Handshake and teardown, when they fall in this window.
      const extra = 2 * started + 2 * completed;
      reqPackets += extra;
      respPackets += extra;
      reqBytes += 52 * extra;
      respBytes += 52 * extra;
    }
  }
  flows.push({
    window: w, src, dst,
    srcPort: o.srcPort ?? ephemeral(flowRng),
    dstPort: o.port, proto,
    srcAction: o.srcAction ?? "allow", dstAction: o.dstAction ?? "allow",
    reqBytes, respBytes, reqPackets, respPackets,
    flows: 1, started, completed,
  });
}

/**
 * A keep-alive pool: the same source ports window after window, some replaced (churn), grown to this window's
 * load. Returns the connections used in this window and whether each was opened in it.
 */
function pooledPorts(key, size, churn) {
  const pool = (pools.get(key) ?? []).map((port) => (flowRng() < churn ? { port: ephemeral(flowRng), fresh: true } : { port, fresh: false }));
  while (pool.length < size) pool.push({ port: ephemeral(flowRng), fresh: true });
  pools.set(key, pool.map((c) => c.port));
  return pool.slice(0, size);
}

const wep = (pod, service) => ({ kind: "wep", pod, service });
const ext = (ip, o) => ({ kind: o.type, ip, name: o.name ?? "-", aggr: o.aggr, namespace: o.namespace ?? "-", labels: o.labels ?? null });
const serviceOf = (pod, p, proto = "tcp") => {
  const s = pod.workload.service;
  if (!s) return undefined;
  const name = s.ports[`${p}/${proto}`] ?? s.ports[p];
  return name ? { name: s.name, namespace: pod.namespace, port: name } : undefined;
};

const PAYMENT_GATEWAY = ext("192.0.2.10", { type: "ns", name: "payment-gateways", aggr: "payment-gateways", namespace: "boutique", labels: ["role=payment-gateway"] });
const THREAT = ext("203.0.113.7", { type: "ns", name: "threat-feed", aggr: "threat-feed", labels: ["feed=threats"] });
const LLM_API = ext("198.18.0.5", { type: "net", aggr: "pub" });

for (let w = 0; w < WINDOWS; w++) {
  const f = load(w);
  // The call graph.
  for (const e of EDGES) {
    for (const s of podsForApp(e.from)) {
      for (const d of podsForApp(e.to)) {
        const size = Math.max(1, Math.round(jitter(flowRng, e.conns * f, 0.25)));
        const service = e.from === "ingress-nginx" ? undefined : serviceOf(d, e.port); // nginx dials endpoints directly
        for (const c of pooledPorts(`${s.name}>${d.name}:${e.port}`, size, e.churn)) {
          connection(w, wep(s), wep(d, service), {
            port: e.port, srcPort: c.port, rpc: e.rpc, req: e.req, resp: e.resp,
            started: c.fresh ? 1 : 0, completed: e.churn >= 0.3 ? 1 : 0, // short-lived HTTP vs long-lived gRPC
          });
        }
      }
    }
  }
  // DNS: every boutique pod asks both CoreDNS replicas, mostly over UDP (a new source port per query).
  for (const s of pods.filter((p) => p.namespace === "boutique" && alive(p, w))) {
    for (const d of coredns) {
      const n = Math.max(1, Math.round(jitter(flowRng, 5 * f, 0.4)));
      for (let i = 0; i < n; i++) {
        connection(w, wep(s), wep(d, serviceOf(d, 53, "udp")), { port: 53, proto: "udp", rpc: int(flowRng, 1, 4), req: 74, resp: 190 });
      }
      if (flowRng() < 0.12) connection(w, wep(s), wep(d, serviceOf(d, 53, "tcp")), { port: 53, rpc: 1, req: 90, resp: 1240 });
    }
  }
  // Prometheus scrapes every pod with a `metrics` port, on one keep-alive connection, every 30 s.
  for (const target of pods.filter((p) => ["boutique", "kube-system"].includes(p.namespace) && alive(p, w))) {
    for (const metrics of target.ports.filter((p) => p.name === "metrics")) {
      for (const s of prometheus) {
        const [c] = pooledPorts(`${s.name}>${target.name}:${metrics.containerPort}`, 1, 0.02);
        connection(w, wep(s), wep(target), {
          port: metrics.containerPort, srcPort: c.port, rpc: 10, req: 260, resp: 18500, started: c.fresh ? 1 : 0, completed: 0,
        });
      }
    }
  }
  // The payment provider, reached from paymentservice only (NetworkSet payment-gateways; approved-egress).
  for (const s of podsOf("paymentservice")) {
    const n = Math.max(1, Math.round(jitter(flowRng, 3 * f, 0.3)));
    for (let i = 0; i < n; i++) connection(w, wep(s), PAYMENT_GATEWAY, { port: 443, rpc: int(flowRng, 2, 6), req: 1450, resp: 5200 });
  }

  // --- Traffic the policies do not allow (yet) ---
  // shoppingassistantservice, rolled out at 13:25 with no policy: its catalogue calls are refused by
  // productcatalogservice (end of the application tier), and its LLM API calls by the platform tier.
  for (const s of podsOf("shoppingassistantservice").filter((p) => alive(p, w))) {
    for (const d of podsOf("productcatalogservice")) {
      const attempts = int(flowRng, 2, 4);
      for (let i = 0; i < attempts; i++) {
        connection(w, wep(s), wep(d, serviceOf(d, 3550)), { port: 3550, denied: true, dstAction: "deny", completed: 0 });
      }
    }
    const llm = int(flowRng, 4, 8);
    for (let i = 0; i < llm; i++) connection(w, wep(s), LLM_API, { port: 443, denied: true, srcAction: "deny", completed: 0 });
  }
  // frontend starts calling adservice's new port 9556 at 13:35; frontend's egress policy still lists only 9555.
  if (w >= 7) {
    for (const s of podsOf("frontend")) {
      for (const d of podsOf("adservice")) {
        const attempts = int(flowRng, 2, 4);
        for (let i = 0; i < attempts; i++) {
          connection(w, wep(s), wep(d, serviceOf(d, 9556)), { port: 9556, denied: true, srcAction: "deny", completed: 0 });
        }
      }
    }
  }
  // One connection attempt to an address of the threat feed, at 13:47.
  if (w === 9) {
    connection(w, wep(podsOf("checkoutservice")[0]), THREAT, { port: 443, denied: true, srcAction: "deny", completed: 0 });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting and aggregation: what each node's Felix writes

const labelList = (labels) => ({ labels: Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`) });
function endpointFields(prefix, e, masked) {
  if (e.kind === "wep") {
    return {
      [`${prefix}_ip`]: masked ? null : e.pod.ip,
      [`${prefix}_name`]: masked ? "-" : e.pod.name,
      [`${prefix}_name_aggr`]: e.pod.nameAggr,
      [`${prefix}_namespace`]: e.pod.namespace,
    };
  }
  return {
    [`${prefix}_ip`]: masked ? null : e.ip,
    [`${prefix}_name`]: e.name,
    [`${prefix}_name_aggr`]: e.aggr,
    [`${prefix}_namespace`]: e.namespace,
  };
}
const labelsOf = (e) => (e.kind === "wep" ? labelList(e.pod.labels) : e.labels ? { labels: e.labels } : null);

const records = new Map();
function report(flow, reporter) {
  const local = reporter === "src" ? flow.src : flow.dst;
  const action = reporter === "src" ? flow.srcAction : flow.dstAction;
  const node = local.pod.node;
  const level = action === "allow" ? node.allowedLevel : DENIED_LEVEL;
  const start = T0 + flow.window * WINDOW;
  const svc = flow.dst.service;
  const rec = {
    start_time: start,
    end_time: start + WINDOW,
    ...endpointFields("source", flow.src, level >= 2),
    source_port: level >= 1 ? null : flow.srcPort,
    source_type: flow.src.kind,
    source_labels: labelsOf(flow.src),
    ...endpointFields("dest", flow.dst, level >= 3),
    dest_port: flow.dstPort,
    dest_type: flow.dst.kind,
    dest_labels: labelsOf(flow.dst),
    dest_service_name: svc ? svc.name : "-",
    dest_service_namespace: svc ? svc.namespace : "-",
    dest_service_port: svc ? svc.port : "-",
    proto: flow.proto,
    action,
    reporter,
    bytes_in: 0, bytes_out: 0, packets_in: 0, packets_out: 0,
    num_flows: 0, num_flows_started: 0, num_flows_completed: 0,
    original_source_ips: null,
    num_original_source_ips: 0,
    http_requests_allowed_in: 0,
    http_requests_denied_in: 0,
    host: node.name,
    "@timestamp": (start + WINDOW) * 1000,
  };
  const key = JSON.stringify(rec);
  const r = records.get(key) ?? rec;
  records.set(key, r);
  // Counters are from the reporting endpoint's point of view.
  const [inB, outB, inP, outP] = reporter === "src"
    ? [flow.respBytes, flow.reqBytes, flow.respPackets, flow.reqPackets]
    : [flow.reqBytes, flow.respBytes, flow.reqPackets, flow.respPackets];
  r.bytes_in += inB; r.bytes_out += outB; r.packets_in += inP; r.packets_out += outP;
  r.num_flows += flow.flows; r.num_flows_started += flow.started; r.num_flows_completed += flow.completed;
}
for (const flow of flows) {
  if (flow.src.kind === "wep") report(flow, "src");
  if (flow.dst.kind === "wep" && (flow.src.kind !== "wep" || flow.srcAction === "allow")) report(flow, "dst");
}

// Ordered per node, reporter and connection, then by time: as a per-node export sorted by flow key would be.
// (Consumers must not rely on any order; this one also keeps the gzip small.)
const sortKey = (r) => [r.host, r.reporter, r.source_name_aggr, r.dest_name_aggr, r.source_name, r.dest_name, r.proto, r.dest_port,
  r.source_port ?? 0, r.action, r.start_time]
  .map((x) => (typeof x === "number" ? String(x).padStart(12, "0") : x)).join("\u0000");
const out = [...records.values()].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));

// ---------------------------------------------------------------------------------------------------------------
// Write

fs.mkdirSync(OUT_DIR, { recursive: true });
const inventoryText =
  "# Generated by scripts/generate-boutique-flows.mjs: the prod cluster as\n" +
  "#   kubectl get namespaces,pods,serviceaccounts -A -o yaml\n" +
  `# prints it, taken at ${iso(T0 + WINDOWS * WINDOW)}, the end of the flow snapshot. Do not edit by hand.\n` +
  toYaml(inventory());
fs.writeFileSync(path.join(OUT_DIR, "inventory.yaml"), inventoryText);
const jsonl = out.map((r) => JSON.stringify(r)).join("\n") + "\n";
const gz = zlib.gzipSync(Buffer.from(jsonl), { level: 9 });
fs.writeFileSync(path.join(OUT_DIR, "snapshot.jsonl.gz"), gz);

// ---------------------------------------------------------------------------------------------------------------
// Summary

const count = (pred) => out.filter(pred).length;
const edgeOf = (r) => {
  const side = (p) => (r[`${p}_type`] === "wep" ? `${r[`${p}_namespace`]}/${r[`${p}_name_aggr`].replace(/-[a-z0-9]+-\*$|-\*$/, "")}` : r[`${p}_name_aggr`] === "pub" || r[`${p}_name_aggr`] === "pvt" ? r[`${p}_ip`] ?? r[`${p}_name_aggr`] : `${r[`${p}_type`]}:${r[`${p}_name_aggr`]}`);
  return `${side("source")} -> ${side("dest")}:${r.dest_port}/${r.proto}`;
};
const byEdge = new Map();
for (const r of out) {
  if (r.reporter !== "src" && r.source_type === "wep") continue; // count each connection once
  const k = edgeOf(r);
  const e = byEdge.get(k) ?? { records: 0, flows: 0, bytes: 0, actions: new Set() };
  e.records++; e.flows += r.num_flows; e.bytes += r.bytes_in + r.bytes_out; e.actions.add(r.action);
  byEdge.set(k, e);
}
const pad = (s, n) => String(s).padEnd(n);
const lines = [];
lines.push(`wrote ${path.relative(ROOT, path.join(OUT_DIR, "inventory.yaml"))}: ${NAMESPACES.length} namespaces, ${pods.length} pods, ` +
  `${inventory().items.filter((i) => i.kind === "ServiceAccount").length} service accounts (${(inventoryText.length / 1024).toFixed(1)} KiB)`);
lines.push(`wrote ${path.relative(ROOT, path.join(OUT_DIR, "snapshot.jsonl.gz"))}: ${out.length} records, ${iso(T0)} to ${iso(T0 + WINDOWS * WINDOW)} ` +
  `in ${WINDOWS} windows of ${WINDOW / 60} min (${(jsonl.length / 1048576).toFixed(1)} MiB of JSON, ${(gz.length / 1024).toFixed(0)} KiB gzipped)`);
lines.push(`  reporter src ${count((r) => r.reporter === "src")}, dst ${count((r) => r.reporter === "dst")}; ` +
  `action allow ${count((r) => r.action === "allow")}, deny ${count((r) => r.action === "deny")}; ` +
  `aggregated (source_name "-") ${count((r) => r.source_name === "-" && r.source_type === "wep")}; ` +
  `dest_type wep ${count((r) => r.dest_type === "wep")}, ns ${count((r) => r.dest_type === "ns")}, net ${count((r) => r.dest_type === "net")}; ` +
  `proto tcp ${count((r) => r.proto === "tcp")}, udp ${count((r) => r.proto === "udp")}`);
lines.push("  top edges by flows (each connection counted once):");
const ranked = [...byEdge.entries()].sort((a, b) => b[1].flows - a[1].flows);
for (const [k, e] of ranked.slice(0, 12)) {
  lines.push(`    ${pad(k, 72)} ${String(e.flows).padStart(6)} flows ${String((e.bytes / 1048576).toFixed(1)).padStart(7)} MiB  ${[...e.actions].join("/")}`);
}
lines.push("  denied:");
for (const r of out.filter((x) => x.action === "deny").reduce((acc, r) => {
  const k = `${edgeOf(r)} (reporter ${r.reporter})`;
  const a = acc.find((x) => x.k === k) ?? (acc.push({ k, records: 0, flows: 0 }), acc[acc.length - 1]);
  a.records++; a.flows += r.num_flows;
  return acc;
}, [])) {
  lines.push(`    ${pad(r.k, 84)} ${String(r.records).padStart(4)} records ${String(r.flows).padStart(5)} flows`);
}
console.log(lines.join("\n"));
