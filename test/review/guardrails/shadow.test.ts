import { describe, expect, test } from "@jest/globals";
import { analyse, brief, gnp, lineOf, np } from "./world.js";

/**
 * Higher-tier shadowing, decided on traffic: each row is a higher-tier policy already in the repository, a change in
 * a lower tier, and the findings on the changed rules (code, severity, file, line and the words that matter).
 */
const denyEgress85 = gnp("deny-85", "security", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      protocol: TCP
      destination: { ports: [85] }
`);

const webEgress = (rule: string, more = "") => np("web", "shop", "application", 10, `  selector: app == 'web'
  types: [Egress]
  egress:
${rule}${more}`);

const allowTcp = (ports: string, extra = "") => `    - action: Allow
      protocol: TCP
      destination: { ports: [${ports}]${extra} }
`;

interface Row {
  name: string;
  higher: Record<string, string>;
  change: Record<string, string>;
  expected: Array<{ code: string; severity: string; file: string; line: number; words: string[]; details?: string[] }>;
}

const lockdown = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: lockdown }
spec: { order: 150, defaultAction: Deny }
`;

const rows: Row[] = [
  {
    name: "an allow that the security tier always denies",
    higher: { "sec.yaml": denyEgress85 },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [{
      code: "guardrail/ineffective-rule", severity: "warning", file: "app.yaml", line: lineOf(webEgress(allowTcp("85")), "- action"),
      words: ["allows traffic that tier security always denies", "rule 0 of GlobalNetworkPolicy deny-85 (tier security) denies all of it", "@acme/secops"],
      details: [`denied by GlobalNetworkPolicy deny-85 spec.egress[0] (rule 0, tier security) at sec.yaml:${lineOf(denyEgress85, "- action")}`],
    }],
  },
  {
    name: "ports 80-90 against a deny of 85: only the rest takes effect",
    higher: { "sec.yaml": denyEgress85 },
    change: { "app.yaml": webEgress(allowTcp("'80:90'")) },
    expected: [{
      code: "guardrail/partially-shadowed", severity: "notice", file: "app.yaml", line: lineOf(webEgress(allowTcp("'80:90'")), "- action"),
      words: ["rule 0 of GlobalNetworkPolicy deny-85 (tier security) denies destination port 85", "Only the part with destination ports 80-84, 86-90 reaches the rule"],
    }],
  },
  {
    name: "namespaces: a cluster-wide allow of which the security tier denies kube-system",
    higher: { "sec.yaml": gnp("no-kube-system", "security", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination: { namespaceSelector: projectcalico.org/name == 'kube-system' }
`) },
    change: { "app.yaml": gnp("any-namespace", "application", 10, `  selector: app == 'batch'
  types: [Egress]
  egress:
    - action: Allow
      destination: { namespaceSelector: all() }
`) },
    expected: [{
      code: "guardrail/partially-shadowed", severity: "notice", file: "app.yaml", line: 11,
      words: ['denies destinations matching namespace == "kube-system"', 'Only the part with destinations not matching namespace == "kube-system" reaches the rule'],
    }],
  },
  {
    name: "a higher Pass for the traffic: it reaches the lower tier, no finding",
    higher: { "sec.yaml": gnp("pass-85", "security", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Pass
      protocol: TCP
      destination: { ports: [85] }
    - action: Deny
      protocol: TCP
`) },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [],
  },
  {
    name: "an earlier Pass makes the deny partial, and says which part still takes effect",
    higher: { "sec.yaml": gnp("pass-85", "security", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Pass
      protocol: TCP
      destination: { ports: [85] }
    - action: Deny
      protocol: TCP
`) },
    change: { "app.yaml": webEgress(allowTcp("'80:90'")) },
    expected: [{
      code: "guardrail/partially-shadowed", severity: "notice", file: "app.yaml", line: 12,
      words: ["rule 1 of GlobalNetworkPolicy pass-85 (tier security) denies destination ports 80-84, 86-90", "Only the part with destination port 85 reaches the rule"],
    }],
  },
  {
    name: "an earlier Allow decides part, a Deny the rest: the rule cannot take effect",
    higher: { "sec.yaml": gnp("allow-85", "security", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Allow
      protocol: TCP
      destination: { ports: [85] }
    - action: Deny
      protocol: TCP
`) },
    change: { "app.yaml": webEgress(allowTcp("'80:90'")) },
    expected: [{
      code: "guardrail/decided-by-higher-tier", severity: "warning", file: "app.yaml", line: 12,
      words: ["Every packet this rule allows is decided before the rule is reached, in tier security", "rule 0 of GlobalNetworkPolicy allow-85 (tier security) allows destination port 85", "rule 1 of GlobalNetworkPolicy allow-85 (tier security) denies destination ports 80-84, 86-90"],
    }],
  },
  {
    name: "the higher deny covers another namespace only",
    higher: { "sec.yaml": gnp("deny-other", "security", 10, `  namespaceSelector: projectcalico.org/name == 'other'
  types: [Egress]
  egress:
    - action: Deny
`) },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [],
  },
  {
    name: "a Log rule above decides nothing: the deny after it still does",
    higher: { "sec.yaml": gnp("log-then-deny", "security", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Log
      protocol: TCP
    - action: Deny
      protocol: TCP
      destination: { ports: [85] }
`) },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [{ code: "guardrail/ineffective-rule", severity: "warning", file: "app.yaml", line: 12, words: ["rule 1 of GlobalNetworkPolicy log-then-deny (tier security) denies all of it"] }],
  },
  {
    name: "ports differ",
    higher: { "sec.yaml": denyEgress85 },
    change: { "app.yaml": webEgress(allowTcp("443")) },
    expected: [],
  },
  {
    name: "protocols differ",
    higher: { "sec.yaml": denyEgress85.replace("protocol: TCP", "protocol: UDP") },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [],
  },
  {
    name: "CIDRs are disjoint",
    higher: { "sec.yaml": gnp("deny-10", "security", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination: { nets: [10.0.0.0/8] }
`) },
    change: { "app.yaml": webEgress(allowTcp("443", ", nets: [192.168.0.0/16]")) },
    expected: [],
  },
  {
    name: "CIDRs nested: the allowed range lies inside the denied one",
    higher: { "sec.yaml": gnp("deny-10", "security", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination: { nets: [10.0.0.0/8] }
`) },
    change: { "app.yaml": webEgress(allowTcp("443", ", nets: [10.1.0.0/16]")) },
    expected: [{ code: "guardrail/ineffective-rule", severity: "warning", file: "app.yaml", line: 12, words: ["rule 0 of GlobalNetworkPolicy deny-10 (tier security) denies all of it"] }],
  },
  {
    name: "the changed rule is in the higher tier: a lower deny never shadows it",
    higher: { "app.yaml": np("deny-85", "shop", "application", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      protocol: TCP
      destination: { ports: [85] }
`) },
    change: { "sec.yaml": gnp("allow-85", "security", 10, `  selector: all()
  types: [Egress]
  egress:
${allowTcp("85")}`) },
    expected: [],
  },
  {
    name: "the conflicting policy is staged: it decides nothing",
    higher: { "sec.yaml": denyEgress85.replace("kind: GlobalNetworkPolicy", "kind: StagedGlobalNetworkPolicy") },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [],
  },
  {
    name: "ingress and egress are separate",
    higher: { "sec.yaml": gnp("deny-in-85", "security", 10, `  selector: all()
  types: [Ingress]
  ingress:
    - action: Deny
      protocol: TCP
      destination: { ports: [85] }
`) },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [],
  },
  {
    name: "a tier ending in Pass never denies at its end",
    higher: { "sec.yaml": gnp("select-all", "security", 10, `  selector: all()
  types: [Egress]
`) },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [],
  },
  {
    name: "a tier ending in Deny denies at its end what its rules do not allow",
    higher: { "lockdown.yaml": lockdown + "---\n" + gnp("only-dns", "lockdown", 10, `  selector: all()
  types: [Egress]
  egress:
    - action: Allow
      protocol: UDP
      destination: { ports: [53] }
`) },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [
      { code: "guardrail/decided-by-higher-tier", severity: "warning", file: "app.yaml", line: 9,
        words: ["None of the egress traffic of the endpoints this policy selects reaches tier application", "tier lockdown decides all of it first", "move the policy to a tier above lockdown"] },
      { code: "guardrail/ineffective-rule", severity: "warning", file: "app.yaml", line: 12,
        words: ["the end of tier lockdown (defaultAction Deny), which applies because GlobalNetworkPolicy only-dns selects these endpoints denies all of it"] },
    ],
  },
  {
    name: "a tier ending in Deny applies only where its policies select: the rest takes effect",
    higher: { "lockdown.yaml": lockdown + "---\n" + gnp("shop-only", "lockdown", 10, `  namespaceSelector: projectcalico.org/name == 'shop'
  types: [Egress]
`) },
    change: { "app.yaml": gnp("web-anywhere", "application", 10, `  selector: app == 'web'
  types: [Egress]
  egress:
${allowTcp("443")}`) },
    expected: [{ code: "guardrail/partially-shadowed", severity: "notice", file: "app.yaml", line: 11,
      words: ['the end of tier lockdown (defaultAction Deny), which applies because GlobalNetworkPolicy shop-only selects these endpoints denies source endpoints matching namespace == "shop"',
        'Only the part with source endpoints not matching namespace == "shop" reaches the rule'] }],
  },
  {
    name: "a quarantine of pods the rule never mentions is no conflict",
    higher: { "sec.yaml": gnp("quarantine", "security", 10, `  selector: quarantine == 'true'
  types: [Ingress, Egress]
  ingress:
    - action: Deny
  egress:
    - action: Deny
`) },
    change: { "app.yaml": webEgress(allowTcp("85")) },
    expected: [],
  },
  {
    name: "a network set's addresses: an allow to a CIDR inside a blocked feed",
    higher: { "sec.yaml": `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: threat-feed, labels: { feed: threats } }
spec: { nets: [203.0.113.0/24] }
---
` + gnp("block-feed", "security", 20, `  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination: { selector: feed == 'threats' }
`) },
    change: { "app.yaml": webEgress(allowTcp("443", ", nets: [203.0.113.128/25]")) },
    expected: [{ code: "guardrail/ineffective-rule", severity: "warning", file: "app.yaml", line: 12, words: ["rule 0 of GlobalNetworkPolicy block-feed (tier security) denies all of it"] }],
  },
  {
    name: "a lower Deny of what a higher tier allows cannot take effect",
    higher: { "plat.yaml": gnp("scrape", "platform", 10, `  selector: all()
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [9090] }
`) },
    change: { "app.yaml": np("web", "shop", "application", 10, `  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Deny
      protocol: TCP
      destination: { ports: [9090] }
`) },
    expected: [{ code: "guardrail/decided-by-higher-tier", severity: "warning", file: "app.yaml", line: 12,
      words: ["Every packet this rule denies is decided before the rule is reached, in tier platform", "rule 0 of GlobalNetworkPolicy scrape (tier platform) allows all of it", "@acme/platform"] }],
  },
  {
    name: "an allow a higher tier already allows is redundant",
    higher: { "sec.yaml": gnp("allow-dns", "security", 30, `  selector: all()
  types: [Egress]
  egress:
    - action: Allow
      protocol: UDP
      destination:
        namespaceSelector: projectcalico.org/name == 'kube-system'
        selector: k8s-app == 'kube-dns'
        ports: [53]
`) },
    change: { "app.yaml": webEgress(`    - action: Allow
      protocol: UDP
      destination:
        namespaceSelector: kubernetes.io/metadata.name == 'kube-system'
        selector: k8s-app == 'kube-dns'
        ports: [53]
`) },
    expected: [{ code: "guardrail/decided-by-higher-tier", severity: "notice", file: "app.yaml", line: 12, words: ["rule 0 of GlobalNetworkPolicy allow-dns (tier security) allows all of it", "cannot change that verdict and can be removed"] }],
  },
];

describe("higher-tier shadowing", () => {
  test.each(rows)("$name", (row) => {
    const { findings } = analyse({ base: row.higher, head: { ...row.higher, ...row.change } });
    const shadow = findings.filter((f) => f.code !== "guardrail/guardrail-edited");
    expect(shadow.map(brief)).toEqual(row.expected.map(({ code, severity, file, line }) => ({ code, severity, file, line })));
    row.expected.forEach((e, i) => {
      for (const w of e.words) expect(shadow[i].message).toContain(w);
      if (e.details) expect(shadow[i].details).toEqual(e.details);
    });
  });
});
