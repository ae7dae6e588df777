import { describe, expect, test } from "@jest/globals";
import { staleRules } from "../../src/recommend/index.js";
import { flow, net, pipeline, pod, policies, T0, type Ep } from "./helpers.js";

/**
 * Recommendations on generated snapshots, each built for one behaviour. The repository has a security tier (order
 * 100) above the recommendation tier, which it does not define (so a Tier is emitted after it), and a Kubernetes
 * NetworkPolicy in the default tier below it.
 */
const REPO = `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100, defaultAction: Pass }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: allow-metrics }
spec:
  tier: security
  selector: all()
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { namespaceSelector: "projectcalico.org/name == 'monitoring'" }
      destination: { ports: [9090] }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: block-bad }
spec:
  tier: security
  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination: { nets: [203.0.113.66/32] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: api } } }]
`;

const web = pod("shop", "web-5d8f9c7b6-abcde", "10.1.0.1", "app=web", "pod-template-hash=5d8f9c7b6");
const web2 = pod("shop", "web-7f6e5d4c3-fghij", "10.1.0.2", "app=web", "pod-template-hash=7f6e5d4c3");
const api = pod("shop", "api-6b5a4c3d2-klmno", "10.1.0.3", "app=api", "pod-template-hash=6b5a4c3d2");
const db = pod("shop", "db-0", "10.1.0.4", "app=db", "controller-revision-hash=db-6c7d8e9f0", "statefulset.kubernetes.io/pod-name=db-0", "apps.kubernetes.io/pod-index=0");
const dns = pod("kube-system", "coredns-5d78c9869d-xyz12", "10.1.9.9", "k8s-app=kube-dns", "pod-template-hash=5d78c9869d");
const prom = pod("monitoring", "prometheus-0", "10.1.8.8", "app.kubernetes.io/name=prometheus", "statefulset.kubernetes.io/pod-name=prometheus-0");

function shop(): string[] {
  return [
    flow(web, api, 8080),
    flow(web2, api, 8080),
    flow(api, db, 5432),
    flow(web, db, 5432, { action: "deny" }), // the Kubernetes policy below the tier denies it today
    flow(api, dns, 53, { proto: "udp" }),
    flow(api, net("198.51.100.10"), 443),
    flow(api, net("198.51.100.11"), 443),
    flow(api, net("203.0.113.66"), 443, { action: "deny" }), // the security tier denies it
    flow(prom, web, 9090), // the security tier allows it at the destination
    ...[8000, 8001, 8002, 8005].map((p) => flow(web, api, p)),
  ];
}

const spec = (run: ReturnType<typeof pipeline>, name: string) => run.proof.loaded.find((r) => r.metadata.name === name)!.spec as any;
const repo = policies(REPO);

describe("recommend on generated snapshots", () => {
  test("a Tier is emitted after the repository's tiers, and the output validates with zero errors", () => {
    const run = pipeline(shop(), repo);
    expect(run.result.recommendation.tier).toEqual({ name: "namespace-isolation", order: 1100, emit: true });
    expect(run.files.map((f) => f.name)).toEqual(["namespace-isolation-tier.yaml", "monitoring-isolation.yaml", "shop-isolation.yaml"]);
    expect(run.proof.diagnostics.filter((d) => d.severity !== "notice")).toEqual([]);
    expect(run.proof.newlyDenied.records).toBe(0);
  });

  test("DNS: observed UDP lookups justify the UDP rule; TCP 53 is allowed too, never observed", () => {
    const egress = spec(pipeline(shop(), repo), "shop-isolation").egress;
    expect(egress.slice(0, 2).map((r: any) => `${r.protocol} ${r.destination.namespaceSelector} ${r.destination.selector} ${r.destination.ports}`)).toEqual([
      "UDP projectcalico.org/name == 'kube-system' k8s-app == 'kube-dns' 53",
      "TCP projectcalico.org/name == 'kube-system' k8s-app == 'kube-dns' 53",
    ]);
    const yaml = pipeline(shop(), repo).yaml;
    expect(yaml).toMatch(/# cluster DNS: always allowed, UDP and TCP\n\s+# 1 connections in 1 flow records, first seen 2025-06-03T13:00:00Z, last seen 2025-06-03T13:05:00Z; e\.g\. shop\/api-6b5a4c3d2-klmno -> kube-system\/coredns-5d78c9869d-xyz12:53\/UDP\n\s+- action: Allow\n\s+protocol: UDP/);
    expect(yaml).toMatch(/# cluster DNS: always allowed, UDP and TCP \(no flow observed\)\n\s+- action: Allow\n\s+protocol: TCP/);
  });

  test("external addresses become one nets rule; the address a higher tier denies is not learned", () => {
    const egress = spec(pipeline(shop(), repo), "shop-isolation").egress;
    const ext = egress.filter((r: any) => r.destination?.nets);
    expect(ext).toEqual([
      expect.objectContaining({ action: "Allow", protocol: "TCP", source: { selector: "app == 'api'" }, destination: { nets: ["198.51.100.10/32", "198.51.100.11/32"], ports: [443] } }),
    ]);
    expect(JSON.stringify(egress)).not.toContain("203.0.113.66");
  });

  test("addresses the records aggregated to pvt/pub: the rule leaves the address open (the engine cannot check a CIDR), with a warning", () => {
    const pvt: Ep = { name: "pvt", type: "net" };
    const pub: Ep = { name: "pub", type: "net" };
    const run = pipeline([flow(api, pvt, 5432), flow(api, pub, 443)], repo, { namespaces: ["shop"] });
    const ext = spec(run, "shop-isolation").egress.slice(2, -1).map((r: any) => r.destination);
    expect(ext).toEqual([{ ports: [443] }, { ports: [5432] }]);
    expect(spec(run, "shop-isolation").egress[2].metadata.annotations["policyrecommendation.tigera.io/scope"]).toBe("Public");
    expect(run.result.recommendation.warnings).toContain("2 learned flow records name a peer without its address (aggregated to pvt/pub, or none): their rules cannot constrain the peer's address, only the workload, protocol and port");
    expect(run.proof.newlyDenied.records).toBe(0);
  });

  test("many external addresses are merged into a NetworkSet over --max-rules, with a warning, and the proof still holds", () => {
    const many = Array.from({ length: 25 }, (_, i) => flow(api, net(`198.51.100.${i + 1}`), i % 2 === 0 ? 443 : 80));
    const run = pipeline([...shop(), ...many], repo, { maxRules: 5 });
    expect(run.result.recommendation.networkSets).toEqual([
      { namespace: "shop", name: "shop-egress-external", labels: { "policyrecommendation.tigera.io/networkset": "shop-egress-external" }, nets: expect.arrayContaining(["198.51.100.1/32", "198.51.100.25/32"]) },
    ]);
    const egress = spec(run, "shop-isolation").egress;
    expect(egress.filter((r: any) => r.destination?.nets)).toEqual([]);
    expect(egress).toContainEqual(expect.objectContaining({ destination: { selector: "policyrecommendation.tigera.io/networkset == 'shop-egress-external'", ports: [80, 443] } }));
    expect(run.result.recommendation.warnings).toEqual([
      "shop/shop-isolation: 25 external addresses in 5 egress rules exceed --max-rules 5: merged into NetworkSet shop/shop-egress-external (ports merged per protocol, which admits address/port pairs never observed)",
    ]);
    expect(run.proof.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(run.proof.newlyDenied.records).toBe(0);
  });

  test("volatile labels never reach a selector; two replica sets of one Deployment are one workload", () => {
    const run = pipeline(shop(), repo);
    const text = JSON.stringify(run.proof.loaded.map((r) => r.spec));
    for (const v of ["pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"]) expect(text).not.toContain(v);
    const ingress = spec(run, "shop-isolation").ingress;
    expect(ingress.filter((r: any) => r.destination?.selector === "app == 'api'" && r.source?.selector === "app == 'web'")).toHaveLength(1);
    expect(run.yaml).toContain("#   app == 'db': label app, the first workload-naming label it carries");
  });

  test("a peer whose labels the records aggregated away is its whole namespace, never anyone", () => {
    const hidden: Ep = { ns: "shop", name: "batch-7c6b5a4d3-pqrst", ip: "10.1.0.9", aggregated: true };
    const run = pipeline([flow(hidden, api, 8080)], repo, { namespaces: ["shop"] });
    const rule = spec(run, "shop-isolation").ingress[0];
    expect(rule.source).toEqual({ namespaceSelector: "projectcalico.org/name == 'shop'" });
    expect(rule.destination).toEqual({ selector: "app == 'api'", ports: [8080] });
    expect(run.proof.newlyDenied.records).toBe(0);
  });

  test("workloads sharing their first identity label are told apart by the next one", () => {
    const a = pod("shop", "cache-a-1", "10.1.0.7", "app=cache", "component=primary");
    const b = pod("shop", "cache-b-1", "10.1.0.8", "app=cache", "component=replica");
    const run = pipeline([flow(api, a, 6379), flow(a, b, 6379)], repo);
    const ids = run.result.recommendation.policies[0].identities.map((i) => i.selector);
    expect(ids).toEqual(["app == 'api'", "app == 'cache' && component == 'primary'", "app == 'cache' && component == 'replica'"]);
    expect(run.proof.newlyDenied.records).toBe(0);
  });

  test("flows a higher tier allowed or denied are excluded with the reason; flows denied below are not learned", () => {
    const run = pipeline(shop(), repo);
    expect(run.result.classification.excluded.map((e) => `${e.direction} ${e.records}: ${e.reason}`)).toEqual([
      "egress 1: denied by a higher tier: tier security, GlobalNetworkPolicy block-bad rule 0",
      "egress 1: denied today below the recommendation tier (end of tier default): not learned, so it stays denied",
      "ingress 1: allowed by a higher tier: tier security, GlobalNetworkPolicy allow-metrics rule 0",
      "ingress 1: denied today below the recommendation tier (end of tier default): not learned, so it stays denied",
    ]);
    const ingress = spec(run, "shop-isolation").ingress;
    expect(JSON.stringify(ingress)).not.toContain("monitoring");
    expect(ingress.filter((r: any) => r.destination?.selector === "app == 'db'").map((r: any) => r.source.selector)).toEqual(["app == 'api'"]);
    // Prometheus's own egress reaches the tier in monitoring, so monitoring's policy learns it.
    expect(spec(run, "monitoring-isolation").egress[2]).toEqual(
      expect.objectContaining({ source: { selector: "app.kubernetes.io/name == 'prometheus'" }, destination: { namespaceSelector: "projectcalico.org/name == 'shop'", selector: "app == 'web'", ports: [9090] } }),
    );
  });

  test("ports as observed: 8000-8002 become a range, 8005 and 8080 stay alone, 8003 is not admitted", () => {
    const run = pipeline(shop(), repo);
    const rule = spec(run, "shop-isolation").ingress.find((r: any) => r.destination?.ports?.includes("8000:8002"));
    expect(rule.destination.ports).toEqual(["8000:8002", 8005, 8080]);
    expect(run.yaml).toContain('ports: [ "8000:8002", 8005, 8080 ]');
  });

  test("a namespace asked for with no traffic gets DNS and a deny; kube-* is left out unless asked for", () => {
    const run = pipeline(shop(), repo, { namespaces: ["shop", "empty"] });
    expect(run.result.namespaces).toEqual(["empty", "shop"]);
    expect(spec(run, "empty-isolation").ingress).toEqual([{ action: "Deny" }]);
    expect(spec(run, "empty-isolation").egress.map((r: any) => `${r.action} ${r.protocol ?? ""}`)).toEqual(["Allow UDP", "Allow TCP", "Deny "]);
    expect(pipeline(shop(), repo).result.namespaces).toEqual(["monitoring", "shop"]);
  });

  test("--level workload: two workloads whose names shorten alike get distinct policy names", () => {
    const a = pod("shop", "cache-a-1", "10.1.0.7", "app=cache", "component=primary");
    const b = pod("shop", "cache-b-1", "10.1.0.8", "app=cache", "component=replica");
    const run = pipeline([flow(a, b, 6379)], repo, { level: "workload", namespaces: ["shop"] });
    expect(run.proof.loaded.filter((r) => r.kind === "StagedNetworkPolicy").map((r) => r.metadata.name)).toEqual(["cache-isolation", "cache-2-isolation"]);
  });

  test("--level workload: one policy per workload, selected by its identity", () => {
    const run = pipeline(shop(), repo, { level: "workload", namespaces: ["shop"] });
    expect(run.proof.loaded.filter((r) => r.kind === "StagedNetworkPolicy").map((r) => `${r.metadata.name} ${(r.spec as any).selector}`)).toEqual(["api-isolation app == 'api'", "db-isolation app == 'db'", "web-isolation app == 'web'"]);
    expect(spec(run, "api-isolation").egress[2]).toEqual(expect.objectContaining({ destination: { selector: "app == 'db'", ports: [5432] } }));
    expect(run.proof.newlyDenied.records).toBe(0);
  });

  test("Calico 3.31: policy names carry the tier prefix", () => {
    const run = pipeline(shop(), policies(REPO, "3.31"));
    expect(run.proof.loaded.filter((r) => r.kind === "StagedNetworkPolicy").map((r) => r.metadata.name)).toEqual(["namespace-isolation.monitoring-isolation", "namespace-isolation.shop-isolation"]);
    expect(run.proof.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  test("deterministic: shuffled input gives byte-identical YAML", () => {
    const lines = shop();
    const a = pipeline(lines, repo).yaml;
    const b = pipeline([...lines].reverse(), repo).yaml;
    expect(b).toBe(a);
  });

  test("tightness on generated traffic: other ports and other pairs are denied", () => {
    const t = pipeline(shop(), repo).tight();
    expect(t.fraction).toBeGreaterThan(0.9);
  });
});

describe("hostile records", () => {
  test("labels no cluster could carry never reach a selector; names with line breaks cannot break the YAML", () => {
    const odd = pod("shop", "odd-1\nkind: Secret\rx", "10.1.0.20", "app=we'ird", "bad key=x", "team=a");
    const run = pipeline([flow(odd, api, 8080)], repo, { namespaces: ["shop"] });
    expect(run.proof.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(spec(run, "shop-isolation").ingress[0].source).toEqual({ selector: "team == 'a'" });
    expect(run.yaml).toContain("e.g. shop/odd-1?kind: Secret?x -> shop/api-6b5a4c3d2-klmno:8080/TCP");
    expect(run.proof.loaded.map((r) => r.kind)).toEqual(["Tier", "StagedNetworkPolicy"]);
    expect(run.proof.newlyDenied.records).toBe(0);
  });

  test("a namespace name no selector can hold gets no policy, and as a peer it stays open", () => {
    const evil = pod("Bad_NS'", "x-1", "10.1.0.21", "app=x");
    const run = pipeline([flow(evil, api, 8080), flow(api, evil, 9000)], repo);
    expect(run.result.namespaces).toEqual(["shop"]);
    expect(spec(run, "shop-isolation").ingress[0]).toEqual(expect.objectContaining({ destination: { selector: "app == 'api'", ports: [8080] } }));
    expect(spec(run, "shop-isolation").ingress[0].source).toBeUndefined();
    expect(run.proof.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(run.proof.newlyDenied.records).toBe(0);
  });

  test("20,000 copies of one record are one tuple: records are folded, never kept", () => {
    const line = flow(web, api, 8080);
    const run = pipeline(Array(20_000).fill(line), repo, { namespaces: ["shop"] });
    expect(run.proof.tuples).toBe(1);
    expect(run.result.classification.learned.map((l) => l.tuple.records)).toEqual([20_000, 20_000]);
  });

  test("more than 50 observed ports are split over several rules (Calico's limit per list)", () => {
    const ports = Array.from({ length: 120 }, (_, i) => 10_000 + i * 2);
    const run = pipeline(ports.map((p) => flow(web, api, p)), repo, { namespaces: ["shop"] });
    const rules = spec(run, "shop-isolation").ingress.filter((r: any) => r.action === "Allow");
    expect(rules.map((r: any) => r.destination.ports.length)).toEqual([50, 50, 20]);
    expect(run.proof.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(run.proof.newlyDenied.records).toBe(0);
  });
});

describe("over time: the status lifecycle and stale rules", () => {
  const DAY = 86_400;
  const a: Ep = api;
  const steady = (days: number) => Array.from({ length: days * 4 }, (_, i) => flow(web, a, 8080, { start: T0 + i * 6 * 3600 }));

  test("three days of steady traffic: Stable; an infrequent flow seen once on the first day is kept", () => {
    const lines = [...steady(3), flow(a, db, 5432, { start: T0 + 3600 })];
    const run = pipeline(lines, repo, { namespaces: ["shop"] });
    expect(run.result.recommendation.policies[0].status).toBe("Stable");
    expect(spec(run, "shop-isolation").egress.some((r: any) => r.destination?.selector === "app == 'db'")).toBe(true);
  });

  test("a new peer first seen 4 minutes before now: Learning; 8 minutes: Stabilizing; 13 minutes: Stable", () => {
    // The spec changes at the first processing run (every 2m30s) after the peer appeared.
    const now = T0 + 3 * DAY;
    const at = (min: number) => pipeline([...steady(3), flow(a, db, 5432, { start: now - min * 60, end: now - min * 60 + 60 })], repo, { namespaces: ["shop"], now }).result.recommendation.policies[0].status;
    expect([at(4), at(8), at(13)]).toEqual(["Learning", "Stabilizing", "Stable"]);
  });

  test("less history than the initial lookback: Learning", () => {
    expect(pipeline(steady(0.25), repo, { namespaces: ["shop"] }).result.recommendation.policies[0].status).toBe("Learning");
  });

  test("a rule no flow used for longer than --stale-after is marked Stale, kept, and the proof still holds", () => {
    const lines = [...steady(3), flow(a, db, 5432, { start: T0 })];
    const run = pipeline(lines, repo, { namespaces: ["shop"], staleAfter: DAY });
    const rule = spec(run, "shop-isolation").egress.find((r: any) => r.destination?.selector === "app == 'db'");
    expect(rule.metadata.annotations["policyrecommendation.tigera.io/status"]).toBe("Stale");
    expect(run.yaml).toContain("# STALE: no flow since 2025-06-03T13:05:00Z; offered for removal");
    expect(run.result.recommendation.warnings).toContain("shop/shop-isolation: 2 stale rules (no flow for over 86400s) offered for removal");
    expect(staleRules(run.result.recommendation)).toEqual([
      { policy: "shop/shop-isolation", direction: "ingress", rule: 0, lastSeen: "2025-06-03T13:05:00Z" },
      { policy: "shop/shop-isolation", direction: "egress", rule: 2, lastSeen: "2025-06-03T13:05:00Z" },
    ]);
    expect(run.proof.newlyDenied.records).toBe(0);
  });

  test("a time window: --since leaves out what ended before, and says how many", () => {
    const lines = [flow(a, db, 5432, { start: T0 }), flow(web, a, 8080, { start: T0 + DAY })];
    const run = pipeline(lines, repo, { namespaces: ["shop"], window: { since: T0 + DAY / 2 } });
    expect(JSON.stringify(spec(run, "shop-isolation"))).not.toContain("app == 'db'");
  });
});
