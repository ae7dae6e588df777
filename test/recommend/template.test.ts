import { beforeAll, describe, expect, test } from "@jest/globals";
import { loadBundle } from "../../src/policy/index.js";
import { pipeline, templateInventory, templateLines, templateRepo, type PipelineResult } from "./helpers.js";

/**
 * `recommend` on the bundled Online Boutique snapshot (policies-template): the tiers above namespace-isolation
 * (security, platform) decide DNS, the ingress controller's and Prometheus's traffic, the threat feed and the
 * internet; the application tier below denies a few calls. The recommendation must learn the rest, and only it.
 */
const ISOLATION_FILE = "policies-template/namespace-isolation/boutique-isolation.yaml";

describe("recommend on the policies-template snapshot", () => {
  const repo = templateRepo();
  const inventory = templateInventory();
  const lines = templateLines();
  let run: PipelineResult;

  beforeAll(() => {
    run = pipeline(lines, repo, { inventory });
  });

  test("the YAML loads and validates with zero errors, alone and in the repository in place of the policy it replaces", () => {
    expect(run.proof.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const rest = templateRepo([ISOLATION_FILE]).files;
    const together = loadBundle([...rest, { file: "recommended.yaml", text: run.yaml }]);
    expect(together.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(run.proof.loaded.map((r) => `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      "StagedNetworkPolicy boutique/boutique-isolation",
      "StagedNetworkPolicy default/default-isolation",
      "StagedNetworkPolicy ingress-nginx/ingress-nginx-isolation",
      "StagedNetworkPolicy monitoring/monitoring-isolation",
    ]);
  });

  test("the proof: with the recommendation enforced, no flow allowed today is denied", () => {
    expect(run.proof.tuples).toBeGreaterThan(200);
    expect(run.proof.allowed.records).toBeGreaterThan(19_000);
    expect(run.proof.newlyDenied).toEqual({ records: 0, connections: 0, examples: [] });
  });

  test("flows a higher tier decides are not learned, and the exclusions say why", () => {
    const reasons = run.result.classification.excluded.map((e) => `${e.direction}: ${e.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        "egress: allowed by a higher tier: tier security, GlobalNetworkPolicy allow-dns rule 0",
        "egress: denied by a higher tier: tier platform, GlobalNetworkPolicy restrict-internet-egress rule 3",
        "egress: denied by a higher tier: tier security, GlobalNetworkPolicy block-threat-feed rule 0",
        "ingress: allowed by a higher tier: tier platform, GlobalNetworkPolicy allow-ingress-to-frontend rule 0",
        "ingress: allowed by a higher tier: tier platform, GlobalNetworkPolicy allow-prometheus-scrape rule 0",
      ]),
    );
    // Nothing about the internet or the threat feed was learned, and ingress from the ingress controller is not restated.
    const boutique = run.proof.loaded.find((r) => r.metadata.name === "boutique-isolation")!;
    const text = JSON.stringify(boutique.spec);
    expect(text).not.toContain("notNets");
    expect(text).not.toContain("threat");
    expect(text).not.toContain("ingress-nginx");
  });

  test("flows the application tier denies today are not learned: frontend -> adservice:9556 stays denied", () => {
    const denied = run.result.classification.excluded.filter((e) => e.reason.startsWith("denied today below"));
    expect(denied.map((e) => e.direction).sort()).toEqual(["egress", "ingress"]);
    expect(run.yaml).not.toContain("9556");
  });

  test("DNS is always allowed on UDP and TCP 53, even though the security tier decides the DNS flows", () => {
    const egress = (run.proof.loaded.find((r) => r.metadata.name === "boutique-isolation")!.spec as any).egress;
    expect(egress.slice(0, 2).map((r: any) => [r.protocol, r.destination.selector, r.destination.ports])).toEqual([
      ["UDP", "k8s-app == 'kube-dns'", [53]],
      ["TCP", "k8s-app == 'kube-dns'", [53]],
    ]);
  });

  test("selectors name workloads by stable labels, never pod-template-hash or a StatefulSet pod name", () => {
    for (const volatile of ["pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"]) {
      expect(JSON.stringify(run.proof.loaded.map((r) => r.spec))).not.toContain(volatile);
    }
    const monitoring = (run.proof.loaded.find((r) => r.metadata.name === "monitoring-isolation")!.spec as any).egress;
    expect(monitoring.slice(2).map((r: any) => r.source?.selector)).toContain("app.kubernetes.io/name == 'prometheus'");
    expect(run.yaml).toContain("#   app == 'frontend': label app, the first workload-naming label it carries");
  });

  test("every Allow rule learnt from flows carries a comment with its count, first and last seen, and an example", () => {
    const blocks = run.yaml.split(/\n(?=\s+- action: )/).slice(1);
    const learnt = run.yaml.match(/# \d+ connections in \d+ flow records, first seen \S+, last seen \S+; e\.g\. \S+ -> \S+/g) ?? [];
    const allows = (run.yaml.match(/- action: Allow/g) ?? []).length;
    const dns = 2 * 4; // UDP and TCP per policy, none observed here (the security tier decides DNS)
    expect(blocks.length).toBeGreaterThan(0);
    expect(learnt.length).toBe(allows - dns);
  });

  test("a namespace with no traffic (default) gets DNS only and a deny, with a warning", () => {
    const def = run.proof.loaded.find((r) => r.metadata.name === "default-isolation")!.spec as any;
    expect(def.ingress).toEqual([{ action: "Deny" }]);
    expect(def.egress.map((r: any) => r.action)).toEqual(["Allow", "Allow", "Deny"]);
    expect(run.result.recommendation.warnings).toContain("default: no traffic reached tier namespace-isolation; its policy allows DNS only and denies everything else");
  });

  test("deterministic: the same flows in another order give byte-identical YAML", () => {
    const again = pipeline([...lines].reverse(), repo, { inventory });
    expect(again.yaml).toBe(run.yaml);
  });

  test("held-out later window: learnt on the first 20 (40) minutes, it denies 0.1% (none) of the allowed later flows", () => {
    const heldOut = (minutes: number) => {
      const cut = 1_748_955_600 + minutes * 60;
      const early = lines.filter((l) => JSON.parse(l).end_time <= cut);
      const late = lines.filter((l) => JSON.parse(l).end_time > cut);
      const run = pipeline(early, repo, { inventory, proveOn: late });
      return { denied: run.proof.newlyDenied.records, allowed: run.proof.allowed.records, examples: run.proof.newlyDenied.examples };
    };
    // Steady traffic: only a Prometheus scrape of one service, first seen after 20 minutes, is new later on.
    const twenty = heldOut(20);
    expect(twenty.allowed).toBe(13_174);
    expect(twenty.denied).toBe(14);
    expect(twenty.denied / twenty.allowed).toBeLessThan(0.01);
    expect(twenty.examples).toEqual(["monitoring/prometheus-k8s-0 -> boutique/shoppingassistantservice-2vpxxkp6ch-v7scg:9464/TCP"]);
    expect(heldOut(40).denied).toBe(0);
  });

  test("tightness: unobserved connections between the same workloads (other ports, other pairs) are denied", () => {
    const t = run.tight();
    expect(t).toEqual({ candidates: 4290, denied: 4290, fraction: 1 });
  });
});
