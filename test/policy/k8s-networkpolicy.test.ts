import { describe, expect, test } from "@jest/globals";
import { found, type Row } from "./validate-helpers.js";

/**
 * k8s-networkpolicy.ts: the Kubernetes API server's validation of networking.k8s.io/v1 NetworkPolicy, applied also
 * to StagedKubernetesNetworkPolicy: label selectors, ports, protocols, ipBlock, policyTypes and peers.
 * Spec line n is file line 4 + n.
 */
function knp(...spec: string[]): string {
  return ["apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", "metadata: { name: p, namespace: ns }", "spec:",
    ...spec.map((l) => `  ${l}`), ""].join("\n");
}
function sknp(...spec: string[]): string {
  return knp(...spec).replace("networking.k8s.io/v1\nkind: NetworkPolicy", "projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy");
}
const expr = (...lines: string[]) => knp("podSelector:", "  matchExpressions:", ...lines.map((l) => `    ${l}`));
const port = (...lines: string[]) => knp("podSelector: {}", "ingress:", "  - ports:", ...lines.map((l) => `      ${l}`));
const peer = (...lines: string[]) => knp("podSelector: {}", "egress:", "  - to:", ...lines.map((l) => `    ${l}`));
const EXPR = "spec.podSelector.matchExpressions[0]";
const PORT = "spec.ingress[0].ports[0]";
const PEER = "spec.egress[0].to[0]";

const rows: Row[] = [
  { name: "a full, valid policy", expected: [], yaml: knp(
    "podSelector:",
    "  matchLabels: { app: web, example.com/tier: front }",
    "  matchExpressions:",
    "    - { key: tier, operator: In, values: [a, b] }",
    "    - { key: legacy, operator: DoesNotExist }",
    "policyTypes: [Ingress, Egress]",
    "ingress:",
    "  - from:",
    "      - podSelector: {}",
    "        namespaceSelector: { matchLabels: { team: a } }",
    "      - ipBlock: { cidr: 10.0.0.1/8, except: [10.1.0.0/16] }",
    "    ports:",
    "      - { protocol: TCP, port: 80 }",
    "      - { port: 8000, endPort: 8080 }",
    "      - { protocol: SCTP, port: dns-tcp }",
    "      - {}",
    "egress:",
    '  - to: [{ ipBlock: { cidr: "fd00::/8", except: ["fd00:1::/32"] } }]',
  ) },
  { name: "operator in lower case", yaml: expr("- key: tier", "  operator: in", "  values: [a]"),
    expected: [{ code: "k8s/selector-operator", line: 8, col: 19, path: `${EXPR}.operator` }] },
  { name: "In without values", yaml: expr("- key: tier", "  operator: In"),
    expected: [{ code: "k8s/selector-values-required", line: 7, col: 9, path: `${EXPR}.values` }] },
  { name: "NotIn with an empty values list", yaml: expr("- key: tier", "  operator: NotIn", "  values: []"),
    expected: [{ code: "k8s/selector-values-required", line: 9, col: 9, path: `${EXPR}.values` }] },
  { name: "Exists with values", yaml: expr("- key: tier", "  operator: Exists", "  values: [a]"),
    expected: [{ code: "k8s/selector-values-forbidden", line: 9, col: 9, path: `${EXPR}.values` }] },
  { name: "expression key starting with '-'", yaml: expr("- key: -tier", "  operator: Exists"),
    expected: [{ code: "k8s/label-key", line: 7, col: 14, path: `${EXPR}.key` }] },
  { name: "expression value with a space", yaml: expr("- key: tier", "  operator: In", "  values: [ok, not ok]"),
    expected: [{ code: "k8s/label-value", line: 9, col: 22, path: `${EXPR}.values[1]` }] },
  { name: "matchLabels key with a space", yaml: knp("podSelector:", "  matchLabels:", "    bad key: x"),
    expected: [{ code: "k8s/label-key", line: 7, col: 7, path: 'spec.podSelector.matchLabels["bad key"]' }] },
  { name: "matchLabels value with a space", yaml: knp("podSelector:", "  matchLabels:", "    app: bad value"),
    expected: [{ code: "k8s/label-value", line: 7, col: 12, path: "spec.podSelector.matchLabels.app" }] },
  { name: "peer namespaceSelector is checked too", yaml: peer("  - namespaceSelector:", "      matchLabels: { team: a b }"),
    expected: [{ code: "k8s/label-value", line: 9, col: 34, path: `${PEER}.namespaceSelector.matchLabels.team` }] },

  { name: "port 0", yaml: port("- port: 0"), expected: [{ code: "k8s/port-range", line: 8, col: 17, path: `${PORT}.port` }] },
  { name: "port 70000", yaml: port("- port: 70000"), expected: [{ code: "k8s/port-range", line: 8, col: 17, path: `${PORT}.port` }] },
  { name: "port name in upper case", yaml: port("- port: HTTP"), expected: [{ code: "k8s/port-name", line: 8, col: 17, path: `${PORT}.port` }] },
  { name: "port name with '_'", yaml: port("- port: my_port"), expected: [{ code: "k8s/port-name", line: 8, col: 17, path: `${PORT}.port` }] },
  { name: "endPort with a named port", yaml: port("- port: http", "  endPort: 90"),
    expected: [{ code: "k8s/end-port", line: 9, col: 20, path: `${PORT}.endPort` }] },
  { name: "endPort without a port", yaml: port("- protocol: TCP", "  endPort: 90"),
    expected: [{ code: "k8s/end-port", line: 9, col: 20, path: `${PORT}.endPort` }] },
  { name: "endPort below port", yaml: port("- port: 90", "  endPort: 80"),
    expected: [{ code: "k8s/end-port-order", line: 9, col: 20, path: `${PORT}.endPort` }] },
  { name: "endPort 70000", yaml: port("- port: 80", "  endPort: 70000"),
    expected: [{ code: "k8s/port-range", line: 9, col: 20, path: `${PORT}.endPort` }] },
  { name: "protocol tcp", yaml: port("- protocol: tcp"), expected: [{ code: "k8s/protocol", line: 8, col: 21, path: `${PORT}.protocol` }] },
  { name: "protocol ICMP", yaml: port("- protocol: ICMP"), expected: [{ code: "k8s/protocol", line: 8, col: 21, path: `${PORT}.protocol` }] },

  { name: "ipBlock cidr without a prefix", yaml: peer("  - ipBlock:", "      cidr: 10.0.0.1"),
    expected: [{ code: "k8s/ipblock-cidr", line: 9, col: 19, path: `${PEER}.ipBlock.cidr` }] },
  { name: "ipBlock cidr malformed", yaml: peer("  - ipBlock:", "      cidr: 10.0.0.0/40"),
    expected: [{ code: "k8s/ipblock-cidr", line: 9, col: 19, path: `${PEER}.ipBlock.cidr` }] },
  { name: "except outside cidr", yaml: peer("  - ipBlock:", "      cidr: 10.0.0.0/8", "      except: [192.168.0.0/16]"),
    expected: [{ code: "k8s/ipblock-except", line: 10, col: 22, path: `${PEER}.ipBlock.except[0]` }] },
  { name: "except equal to cidr", yaml: peer("  - ipBlock:", "      cidr: 10.0.0.0/8", "      except: [10.0.0.0/8]"),
    expected: [{ code: "k8s/ipblock-except", line: 10, col: 22, path: `${PEER}.ipBlock.except[0]` }] },
  { name: "except without a prefix", yaml: peer("  - ipBlock:", "      cidr: 10.0.0.0/8", "      except: [10.1.0.0]"),
    expected: [{ code: "k8s/ipblock-except", line: 10, col: 22, path: `${PEER}.ipBlock.except[0]` }] },
  { name: "ipBlock with podSelector in one peer", yaml: peer("  - ipBlock: { cidr: 10.0.0.0/8 }", "    podSelector: {}"),
    expected: [{ code: "k8s/peer-ipblock-combined", line: 8, col: 11, path: `${PEER}.ipBlock` }] },
  { name: "an empty peer", yaml: peer("  - {}"), expected: [{ code: "k8s/empty-peer", line: 8, col: 11, path: PEER }] },

  { name: "policyTypes Ingress twice", yaml: knp("podSelector: {}", "policyTypes: [Ingress, Ingress]"),
    expected: [{ code: "k8s/duplicate-policy-type", line: 6, col: 26, path: "spec.policyTypes[1]" }] },
  { name: "policyTypes in lower case", yaml: knp("podSelector: {}", "policyTypes: [ingress]"),
    expected: [{ code: "k8s/policy-type", line: 6, col: 17, path: "spec.policyTypes[0]" }] },
  { name: "three policyTypes", yaml: knp("podSelector: {}", "policyTypes: [Ingress, Egress, Ingress]"),
    expected: [{ code: "k8s/too-many-policy-types", line: 6, col: 3, path: "spec.policyTypes" }] },
  { name: "StagedKubernetesNetworkPolicy gets the same checks",
    yaml: sknp("podSelector: {}", "ingress:", "  - ports:", "      - protocol: tcp"),
    expected: [{ code: "k8s/protocol", line: 8, col: 21, path: `${PORT}.protocol` }] },
];

describe("Kubernetes NetworkPolicy checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });
});
