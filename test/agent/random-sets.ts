import fc from "fast-check";
import type { PodSpec } from "../dataplane/helpers.js";

/**
 * Random policy sets over a fixed four-pod cluster, for the kernel proof: tiers with Deny or Pass defaults,
 * Calico and Kubernetes policies, staged ones, Allow/Deny/Pass/Log rules, selectors, namespace and service-account
 * selectors, notSelector, nets (overlapping), network sets, port numbers, ranges and named ports.
 */
export const RANDOM_PODS: Array<PodSpec & { tcp: number[]; udp: number[] }> = [
  { ns: "ra", name: "a1", ip: "10.99.0.11", labels: { app: "web" }, sa: "web", ports: [{ name: "http", port: 8080 }], tcp: [80, 8080], udp: [] },
  { ns: "ra", name: "a2", ip: "10.99.0.12", labels: { app: "api" }, sa: "api", ports: [{ name: "http", port: 8080 }, { name: "dns", port: 53, protocol: "UDP" }], tcp: [8080, 5432], udp: [53] },
  { ns: "rb", name: "b1", ip: "10.99.0.13", labels: { app: "web" }, ports: [{ name: "http", port: 80 }], tcp: [80, 8080], udp: [] },
  { ns: "rb", name: "b2", ip: "10.99.0.14", labels: { app: "db" }, ports: [{ name: "pg", port: 5432 }, { name: "dns", port: 53, protocol: "UDP" }], tcp: [5432], udp: [53] },
];
export const RANDOM_NAMESPACES = { ra: { team: "a" }, rb: { team: "b" } };
export const RANDOM_SERVICE_ACCOUNTS = { "ra/web": { role: "front" }, "ra/api": { role: "back" }, "rb/default": {} };

const NETWORK_SET = {
  apiVersion: "projectcalico.org/v3",
  kind: "GlobalNetworkSet",
  metadata: { name: "dbnet", labels: { role: "dbnet" } },
  spec: { nets: ["10.99.0.14/32", "10.99.0.12/31"] },
};

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const SELECTORS = ["all()", "app == 'web'", "app in {'api', 'db'}", "app != 'web'", "has(app)"];
const PEER_SELECTORS = ["app == 'web'", "app == 'api'", "app == 'db'", "all()", "role == 'dbnet'", "has(app)"];
const NETS = [["10.99.0.12/31"], ["10.99.0.0/28", "10.99.0.8/29"], ["10.99.0.14/32"], ["10.99.0.11/32", "10.99.0.13/32"]];

const peer = fc.record({
  selector: opt(fc.constantFrom(...PEER_SELECTORS)),
  namespaceSelector: opt(fc.constantFrom("team == 'a'", "team == 'b'", "all()")),
  notSelector: opt(fc.constantFrom("app == 'api'", "app == 'db'")),
  nets: opt(fc.constantFrom(...NETS)),
  notNets: opt(fc.constantFrom(["10.99.0.13/32"], ["10.99.0.8/30"])),
  serviceAccounts: opt(fc.constantFrom({ names: ["api"] }, { selector: "role == 'front'" })),
});

const ports = fc.constantFrom<Array<number | string>>([80], [8080], ["5000:6000"], ["http"], ["dns"], [5432, "http"], ["pg", 53], ["1:100"]);

const calicoRule = fc
  .record({
    action: fc.constantFrom("Allow", "Allow", "Deny", "Pass", "Log"),
    protocol: opt(fc.constantFrom("TCP", "UDP")),
    peer: opt(peer),
    ports: opt(ports),
    notPorts: opt(fc.constantFrom<Array<number | string>>([8080], ["http"])),
  })
  .map(({ action, protocol, peer, ports, notPorts }) => ({ action, protocol, peer: clean(peer), ports: protocol ? ports : undefined, notPorts: protocol ? notPorts : undefined }));

const calicoPolicy = fc.record({
  kind: fc.constantFrom("GlobalNetworkPolicy", "NetworkPolicy", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy"),
  namespace: fc.constantFrom("ra", "rb"),
  tier: fc.constantFrom("default", "t1", "t2"),
  order: opt(fc.integer({ min: 1, max: 50 })),
  selector: fc.constantFrom(...SELECTORS),
  types: fc.constantFrom<string[]>(["Ingress"], ["Egress"], ["Ingress", "Egress"]),
  ingress: fc.array(calicoRule, { maxLength: 3 }),
  egress: fc.array(calicoRule, { maxLength: 2 }),
});

const k8sPeer = fc.constantFrom<Record<string, unknown>>(
  { podSelector: { matchLabels: { app: "web" } } },
  { namespaceSelector: { matchLabels: { team: "b" } } },
  { namespaceSelector: {}, podSelector: { matchLabels: { app: "api" } } },
  { ipBlock: { cidr: "10.99.0.0/28", except: ["10.99.0.12/30"] } },
);
const k8sPolicy = fc.record({
  kind: fc.constantFrom("NetworkPolicy", "StagedKubernetesNetworkPolicy"),
  namespace: fc.constantFrom("ra", "rb"),
  podSelector: fc.constantFrom<Record<string, unknown>>({}, { matchLabels: { app: "web" } }, { matchLabels: { app: "db" } }),
  policyTypes: fc.constantFrom<string[]>(["Ingress"], ["Ingress", "Egress"]),
  ingress: fc.array(fc.record({ from: fc.array(k8sPeer, { maxLength: 2 }), ports: opt(fc.constantFrom([{ port: 80 }], [{ port: "http" }], [{ port: 53, protocol: "UDP" }], [{ port: 5000, endPort: 6000 }])) }), { maxLength: 2 }),
  egress: fc.array(fc.record({ to: fc.array(k8sPeer, { maxLength: 1 }) }), { maxLength: 1 }),
});

function clean<T extends object>(o: T | undefined): Partial<T> | undefined {
  if (!o) return undefined;
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return Object.keys(out).length > 0 ? out : undefined;
}

type CalicoRule = { action: string; protocol?: string; peer?: Record<string, unknown>; ports?: Array<number | string>; notPorts?: Array<number | string> };

function ruleDoc(r: CalicoRule, direction: "ingress" | "egress"): Record<string, unknown> {
  const peerSide = direction === "ingress" ? "source" : "destination";
  const doc: Record<string, unknown> = { action: r.action };
  if (r.protocol) doc.protocol = r.protocol;
  const dest: Record<string, unknown> = direction === "egress" ? { ...(r.peer ?? {}) } : {};
  if (r.ports) dest.ports = r.ports;
  if (r.notPorts) dest.notPorts = r.notPorts;
  if (direction === "ingress" && r.peer) doc[peerSide] = r.peer;
  if (Object.keys(dest).length > 0) doc.destination = dest;
  return doc;
}

/** A whole policy set as YAML (JSON documents), with both tiers defined. */
export const randomPolicySet = fc
  .record({
    t1: fc.constantFrom("Deny", "Pass"),
    t2: fc.constantFrom("Deny", "Pass"),
    calico: fc.array(calicoPolicy, { minLength: 1, maxLength: 5 }),
    k8s: fc.array(k8sPolicy, { maxLength: 2 }),
  })
  .map(({ t1, t2, calico, k8s }) => {
    const docs: unknown[] = [
      { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "t1" }, spec: { order: 100, defaultAction: t1 } },
      { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "t2" }, spec: { order: 200, defaultAction: t2 } },
      NETWORK_SET,
    ];
    calico.forEach((p, i) => {
      const global = p.kind.includes("Global");
      const spec: Record<string, unknown> = { tier: p.tier, selector: p.selector, types: p.types };
      if (p.order !== undefined) spec.order = p.order;
      if (p.types.includes("Ingress")) spec.ingress = p.ingress.map((r) => ruleDoc(r as CalicoRule, "ingress"));
      if (p.types.includes("Egress")) spec.egress = p.egress.map((r) => ruleDoc(r as CalicoRule, "egress"));
      docs.push({ apiVersion: "projectcalico.org/v3", kind: p.kind, metadata: { name: `p${i}`, ...(global ? {} : { namespace: p.namespace }) }, spec });
    });
    k8s.forEach((p, i) => {
      const apiVersion = p.kind === "NetworkPolicy" ? "networking.k8s.io/v1" : "projectcalico.org/v3";
      const spec = { podSelector: p.podSelector, policyTypes: p.policyTypes, ingress: p.ingress.map((r) => clean(r)), ...(p.policyTypes.includes("Egress") ? { egress: p.egress } : {}) };
      docs.push({ apiVersion, kind: p.kind, metadata: { name: `k${i}`, namespace: p.namespace }, spec });
    });
    return docs.map((d) => JSON.stringify(d)).join("\n---\n");
  });
