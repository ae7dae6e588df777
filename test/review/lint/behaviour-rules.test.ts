import { describe, expect, test } from "@jest/globals";
import { lineOf } from "../policy-tests/fixtures.js";
import { brief, gnp, lint, np } from "./world.js";

/**
 * Lint rules that ask the engine what the policies do: default deny, DNS under a default deny, policies that select
 * nothing known, directions no enforced policy covers. Namespace-level rules report once per namespace the pull
 * request touches, at the first changed resource that touches it.
 */
const ALLOW_DNS = gnp("allow-dns", `  tier: sec
  selector: all()
  types: [Egress]
  egress:
    - action: Allow
      protocol: UDP
      destination: { namespaceSelector: projectcalico.org/name == 'kube-system', selector: k8s-app == 'kube-dns', ports: [53] }`);

const WEB_INGRESS = np("web", "shop", `  tier: app
  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: app == 'api' }
      destination: { ports: [80] }`);

const SHOP_DEFAULT_DENY = np("default-deny", "shop", `  tier: app
  selector: all()
  types: [Ingress, Egress]`);

const at = (code: string, file: string, text: string, line: string, path: string, revision?: "base") => ({
  code, severity: "warning", file, line: lineOf(text, line), path, ...(revision ? { revision } : {}),
});

describe("lint/no-default-deny: once per touched namespace whose known workloads are not all under a default deny", () => {
  const CODE = "lint/no-default-deny";

  test("a policy for web only: shop is touched, api has no default deny in either direction", () => {
    const findings = lint({ head: { "web.yaml": WEB_INGRESS } }, CODE);
    expect(findings.map(brief)).toEqual([{ code: CODE, severity: "warning", file: "web.yaml", line: lineOf(WEB_INGRESS, "metadata:"), path: "metadata" }]);
    expect(findings[0].message).toContain("Namespace shop has no default deny for 1 of 2 known workloads (shop/api-1): a connection no policy mentions (from or to tierguard-probe, TCP 1) is allowed in both directions.");
    expect(findings[0].message).toContain("in a tier whose defaultAction is Deny, or ending with a rule `- action: Deny`; allow DNS before it");
    expect(findings[0].details).toEqual(["shop/api-1"]);
  });

  test("a default deny for the whole namespace: nothing to report", () => {
    expect(lint({ head: { "web.yaml": WEB_INGRESS, "deny.yaml": SHOP_DEFAULT_DENY } }, CODE)).toEqual([]);
  });

  test("a Deny-all rule in a Pass tier counts, in one direction", () => {
    const denyEgress = np("deny-out", "shop", `  tier: sec
  selector: all()
  types: [Egress]
  egress:
    - action: Deny`);
    expect(lint({ head: { "d.yaml": denyEgress } }, CODE)).toEqual([]);
  });

  test("only touched namespaces: a change in dev reports dev, not shop", () => {
    const devPolicy = np("tool", "dev", `  tier: sec
  selector: app == 'tool'
  ingress:
    - action: Pass`);
    expect(lint({ head: { "dev.yaml": devPolicy } }, CODE).map((f) => f.message.slice(0, 25))).toEqual(["Namespace dev has no defa"]);
  });

  test("a cluster-wide global policy (selector all()) is about no namespace in particular: nothing reported", () => {
    expect(lint({ head: { "dns.yaml": ALLOW_DNS } }, CODE)).toEqual([]);
  });

  test("a global policy that selects by labels touches every namespace whose workloads it selects, each once", () => {
    const selective = ALLOW_DNS.replace("selector: all()", "selector: app in {'web', 'tool'}");
    const findings = lint({ head: { "dns.yaml": selective } }, CODE);
    expect(findings.map((f) => [f.file, f.message.split(" has ")[0]])).toEqual([
      ["dns.yaml", "Namespace shop"],
      ["dns.yaml", "Namespace dev"],
    ]);
  });

  test("a staged policy that would deny is named: promote it", () => {
    const staged = np("default-deny", "shop", `  tier: app
  selector: all()
  types: [Ingress, Egress]`, "StagedNetworkPolicy");
    const [f] = lint({ head: { "web.yaml": WEB_INGRESS, "staged.yaml": staged } }, CODE);
    expect(f.message).toContain("The staged StagedNetworkPolicy shop/default-deny would deny it: promote it once the preview is clean.");
  });

  test("a removed policy touches its namespace at base: reported at its base file", () => {
    const findings = lint({ base: { "deny.yaml": SHOP_DEFAULT_DENY }, head: { "deny.yaml": "" } }, CODE);
    expect(findings.map(brief)).toEqual([{ code: CODE, severity: "warning", file: "deny.yaml", line: lineOf(SHOP_DEFAULT_DENY, "metadata:"), path: "metadata" }]);
    expect(findings[0].revision).toBe("base");
    expect(findings[0].message).toContain("for 2 of 2 known workloads (shop/web-1 and shop/api-1)");
  });

  test("no known workloads: nothing to judge", () => {
    expect(lint({ head: { "web.yaml": WEB_INGRESS }, inventory: null }, CODE)).toEqual([]);
  });
});

describe("lint/default-deny-blocks-dns: a default deny for egress that denies DNS lookups", () => {
  const CODE = "lint/default-deny-blocks-dns";
  const API_EGRESS = np("api", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      protocol: TCP
      destination: { selector: app == 'web', ports: [80] }`);

  test("an egress policy in a Deny tier with no DNS rule: flagged, with the fix and the trace", () => {
    const findings = lint({ head: { "api.yaml": API_EGRESS } }, CODE);
    expect(findings.map(brief)).toEqual([at(CODE, "api.yaml", API_EGRESS, "egress:", "spec.egress")]);
    expect(findings[0].message).toContain("NetworkPolicy shop/api is a default deny for egress (its tier app ends with Deny) and denies DNS with it: UDP 53 to kube-system/coredns-1 is denied for shop/api-1, so name lookups fail.");
    expect(findings[0].message).toContain("destination: { namespaceSelector: projectcalico.org/name == 'kube-system', selector: k8s-app == 'kube-dns', ports: [53] }");
    expect(findings[0].details).toEqual(["shop/api-1 -> kube-system/coredns-1 UDP 53: 0|app|np:shop/api|deny|-1"]);
  });

  test("DNS allowed in the policy itself, or in a higher tier: not flagged", () => {
    const withDns = API_EGRESS.replace("  egress:\n", "  egress:\n    - action: Allow\n      protocol: UDP\n      destination: { ports: [53] }\n");
    expect(lint({ head: { "api.yaml": withDns } }, CODE)).toEqual([]);
    expect(lint({ base: { "dns.yaml": ALLOW_DNS }, head: { "api.yaml": API_EGRESS } }, CODE)).toEqual([]);
  });

  test("an ingress-only policy, or a Pass tier without a Deny-all rule: not a default deny for egress", () => {
    expect(lint({ head: { "web.yaml": WEB_INGRESS } }, CODE)).toEqual([]);
    expect(lint({ head: { "api.yaml": API_EGRESS.replace("tier: app", "tier: sec") } }, CODE)).toEqual([]);
  });

  test("a Deny-all egress rule in a Pass tier: flagged, decided by that rule", () => {
    const denyAll = API_EGRESS.replace("tier: app", "tier: sec") + "    - action: Deny\n";
    const findings = lint({ head: { "api.yaml": denyAll } }, CODE);
    expect(findings.map(brief)).toEqual([at(CODE, "api.yaml", denyAll, "egress:", "spec.egress")]);
    expect(findings[0].message).toContain("(an egress rule denies everything)");
    expect(findings[0].details).toEqual(["shop/api-1 -> kube-system/coredns-1 UDP 53: 0|sec|np:shop/api|deny|1"]);
  });

  test("a Kubernetes NetworkPolicy with Egress and no DNS: flagged with the Kubernetes form of the fix", () => {
    const knp = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  podSelector: { matchLabels: { app: api } }
  policyTypes: [Egress]
  egress:
    - to: [{ podSelector: { matchLabels: { app: web } } }]
`;
    const findings = lint({ head: { "api.yaml": knp } }, CODE);
    expect(findings.map(brief)).toEqual([at(CODE, "api.yaml", knp, "egress:", "spec.egress")]);
    expect(findings[0].message).toContain("KubernetesNetworkPolicy shop/api is a default deny for egress (its tier default ends with Deny)");
    expect(findings[0].message).toContain("kubernetes.io/metadata.name: kube-system");
  });

  test("a staged default deny is judged as if promoted", () => {
    const staged = np("api", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]`, "StagedNetworkPolicy");
    const findings = lint({ head: { "api.yaml": staged } }, CODE);
    expect(findings.map(brief)).toEqual([at(CODE, "api.yaml", staged, "types:", "spec.types")]);
    expect(findings[0].message).toContain("is denied for shop/api-1 once promoted");
  });

  test("without an inventory, a pod is made up from the policy's selector, and a hypothetical kube-dns", () => {
    const findings = lint({ head: { "api.yaml": API_EGRESS }, inventory: null }, CODE);
    expect(findings.map(brief)).toEqual([at(CODE, "api.yaml", API_EGRESS, "egress:", "spec.egress")]);
    expect(findings[0].message).toContain("UDP 53 to kube-system/kube-dns is denied for shop/(selected by api)");
  });
});

describe("lint/selects-nothing: a changed policy that selects no known workload", () => {
  const CODE = "lint/selects-nothing";

  test("a typo in the selector: flagged at spec.selector, according to the inventory and flow snapshot", () => {
    const typo = WEB_INGRESS.replace("selector: app == 'web'", "selector: app == 'wbe'");
    const findings = lint({ head: { "web.yaml": typo } }, CODE);
    expect(findings.map(brief)).toEqual([at(CODE, "web.yaml", typo, "selector: app == 'wbe'", "spec.selector")]);
    expect(findings[0].message).toContain('According to the inventory and flow snapshot, NetworkPolicy shop/web selects no workload (it applies where (app == "wbe" && projectcalico.org/namespace == "shop")). Namespace shop has 2 known workloads.');
  });

  test("a namespace nobody knows, and a Kubernetes policy (at spec.podSelector)", () => {
    const other = np("web", "ghost", "  tier: app\n  selector: app == 'web'");
    const knp = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: redis, namespace: shop }
spec:
  podSelector: { matchLabels: { app: redis } }
`;
    const findings = lint({ head: { "ghost.yaml": other, "redis.yaml": knp } }, CODE);
    expect(findings.map(brief)).toEqual([at(CODE, "ghost.yaml", other, "selector:", "spec.selector"), at(CODE, "redis.yaml", knp, "podSelector:", "spec.podSelector")]);
    expect(findings[0].message).toContain("No workload of namespace ghost is known at all.");
  });

  test("a global policy for host endpoints says it may be meant for them", () => {
    const hep = gnp("nodes", "  tier: sec\n  selector: has(node-role.kubernetes.io/worker)\n  ingress:\n    - action: Pass");
    const [f] = lint({ head: { "hep.yaml": hep } }, CODE);
    expect(f.message).toContain("If it is meant for host endpoints, which tierguard does not know, ignore this.");
  });

  test("a policy that selects a known workload, and any policy when no workloads are known: not flagged", () => {
    expect(lint({ head: { "web.yaml": WEB_INGRESS } }, CODE)).toEqual([]);
    expect(lint({ head: { "web.yaml": WEB_INGRESS.replace("'web'", "'wbe'") }, inventory: null }, CODE)).toEqual([]);
  });
});

describe("lint/missing-coverage: directions of known workloads no enforced policy applies to", () => {
  const CODE = "lint/missing-coverage";

  test("an ingress policy for web: web's egress and api's both directions are uncovered, once for shop", () => {
    const findings = lint({ head: { "web.yaml": WEB_INGRESS } }, CODE);
    expect(findings.map(brief)).toEqual([at(CODE, "web.yaml", WEB_INGRESS, "metadata:", "metadata")]);
    expect(findings[0].message).toContain("In namespace shop, no enforced policy applies to the ingress of shop/api-1, nor to the egress of shop/web-1 and shop/api-1");
    expect(findings[0].message).toContain("with types [Ingress, Egress]");
    expect(findings[0].details).toEqual(["ingress: shop/api-1", "egress: shop/web-1", "egress: shop/api-1"]);
  });

  test("a staged policy that would cover them is named", () => {
    const staged = SHOP_DEFAULT_DENY.replace("kind: NetworkPolicy", "kind: StagedNetworkPolicy").replace("tier: app", "tier: app\n  stagedAction: Set");
    const [f] = lint({ head: { "web.yaml": WEB_INGRESS, "staged.yaml": staged } }, CODE);
    expect(f.message).toContain("or promote the staged StagedNetworkPolicy shop/default-deny that would");
  });

  test("covered both ways: nothing to report", () => {
    expect(lint({ head: { "deny.yaml": SHOP_DEFAULT_DENY } }, CODE)).toEqual([]);
  });
});
