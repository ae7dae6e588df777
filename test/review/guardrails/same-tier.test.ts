import { describe, expect, test } from "@jest/globals";
import { analyse, brief, gnp, lineOf, np } from "./world.js";

/** Rules shadowed inside their own policy or tier, and which rules of a change are analysed at all. */
interface Row {
  name: string;
  base: Record<string, string>;
  head: Record<string, string>;
  expected: Array<{ code: string; severity: string; file: string; line: number; words: string[] }>;
}

const twoRules = np("web", "shop", "application", 10, `  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Deny
      protocol: TCP
    - action: Allow
      protocol: TCP
      destination: { ports: [80] }
`);

const allowWeb80 = (name: string, order: number) => np(name, "shop", "application", order, `  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [80] }
`);

const knp = (port: number) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  podSelector:
    matchLabels: { app: web }
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels: { app: api }
      ports:
        - port: ${port}
`;

const denyIngress85 = gnp("deny-85", "security", 10, `  selector: all()
  types: [Ingress]
  ingress:
    - action: Deny
      protocol: TCP
      destination: { ports: [85] }
`);

const rows: Row[] = [
  {
    name: "an earlier deny in the same policy shadows a later allow",
    base: {},
    head: { "app.yaml": twoRules },
    expected: [{ code: "guardrail/shadowed-by-earlier-rule", severity: "warning", file: "app.yaml", line: lineOf(twoRules, "- action", 1),
      words: ["every packet it matches is decided earlier in this policy", "rule 0 of NetworkPolicy shop/web (tier application) denies all of it", "the earlier verdict wins"] }],
  },
  {
    name: "an earlier policy of the same tier repeating the rule",
    base: { "a.yaml": allowWeb80("web-a", 10) },
    head: { "a.yaml": allowWeb80("web-a", 10), "b.yaml": allowWeb80("web-b", 20) },
    expected: [{ code: "guardrail/shadowed-by-earlier-rule", severity: "notice", file: "b.yaml", line: lineOf(allowWeb80("web-b", 20), "- action"),
      words: ["decided earlier in tier application", "rule 0 of NetworkPolicy shop/web-a (tier application) allows all of it", "repeats the earlier verdict"] }],
  },
  {
    name: "a later policy of the same tier does not shadow an earlier one",
    base: { "b.yaml": allowWeb80("web-b", 20) },
    head: { "a.yaml": allowWeb80("web-a", 10), "b.yaml": allowWeb80("web-b", 20) },
    expected: [],
  },
  {
    name: "a Kubernetes NetworkPolicy port the security tier denies, at the peer it came from",
    base: { "sec.yaml": denyIngress85 },
    head: { "sec.yaml": denyIngress85, "knp.yaml": knp(85) },
    expected: [{ code: "guardrail/ineffective-rule", severity: "warning", file: "knp.yaml", line: lineOf(knp(85), "- podSelector"),
      words: ["rule 0 of GlobalNetworkPolicy deny-85 (tier security) denies all of it"] }],
  },
  {
    name: "a Kubernetes NetworkPolicy on another port: no finding",
    base: { "sec.yaml": denyIngress85 },
    head: { "sec.yaml": denyIngress85, "knp.yaml": knp(86) },
    expected: [],
  },
  {
    name: "a staged policy is checked as it would be enforced",
    base: { "sec.yaml": denyIngress85 },
    head: { "sec.yaml": denyIngress85, "app.yaml": np("web", "shop", "application", 10, `  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [85] }
`).replace("kind: NetworkPolicy", "kind: StagedNetworkPolicy") },
    expected: [{ code: "guardrail/ineffective-rule", severity: "warning", file: "app.yaml", line: 12, words: ["always denies"] }],
  },
  {
    name: "a staged twin is not shadowed by the enforced policy it previews",
    base: { "app.yaml": allowWeb80("web", 10) },
    head: { "app.yaml": allowWeb80("web", 10), "staged.yaml": allowWeb80("web", 10).replace("kind: NetworkPolicy", "kind: StagedNetworkPolicy") },
    expected: [],
  },
  {
    name: "only rules from the first edited one are analysed: an untouched conflicting rule before it is not reported again",
    base: { "sec.yaml": denyIngress85, "app.yaml": np("web", "shop", "application", 10, `  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [85] }
`) },
    head: { "sec.yaml": denyIngress85, "app.yaml": np("web", "shop", "application", 10, `  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [85] }
    - action: Allow
      protocol: TCP
      destination: { ports: ['84:85'] }
`) },
    expected: [{ code: "guardrail/partially-shadowed", severity: "notice", file: "app.yaml", line: 15,
      words: ["denies destination port 85", "Only the part with destination port 84 reaches the rule"] }],
  },
];

describe("shadowing inside a tier, and what a change analyses", () => {
  test.each(rows)("$name", (row) => {
    const { findings } = analyse({ base: row.base, head: row.head });
    const shadow = findings.filter((f) => f.code !== "guardrail/guardrail-edited");
    expect(shadow.map(brief)).toEqual(row.expected.map(({ code, severity, file, line }) => ({ code, severity, file, line })));
    row.expected.forEach((e, i) => {
      for (const w of e.words) expect(shadow[i].message).toContain(w);
    });
  });
});
