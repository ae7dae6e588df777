import { describe, expect, test } from "@jest/globals";
import { analyse, brief, CONFIG, gnp, lineOf, np } from "./world.js";

/** Where a changed policy sits: a tier that exists, and one with owners. */
interface Row {
  name: string;
  base: Record<string, string>;
  head: Record<string, string>;
  config?: string | null;
  expected: Array<{ code: string; severity: string; file: string; line: number; words: string[]; approvers?: string[] }>;
}

const simple = (name: string, tier: string) => np(name, "shop", tier, 10, `  selector: app == '${name}'
  types: [Ingress]
`);

const rows: Row[] = [
  {
    name: "a tier that does not exist is an error at spec.tier",
    base: { "sec.yaml": gnp("deny-all", "security", 10, "  selector: all()\n  types: [Ingress]\n  ingress:\n    - action: Deny\n") },
    head: { "sec.yaml": gnp("deny-all", "security", 10, "  selector: all()\n  types: [Ingress]\n  ingress:\n    - action: Deny\n"), "app.yaml": simple("web", "aplication") },
    expected: [{ code: "guardrail/unknown-tier", severity: "error", file: "app.yaml", line: lineOf(simple("web", "aplication"), "tier:"),
      words: ["Tier aplication does not exist", "Calico rejects this policy", "application"] }],
  },
  {
    name: "a tier tierguard.yaml gives owners but no file defines: a warning (it may exist in the cluster only)",
    base: {},
    head: { "app.yaml": simple("web", "batch") },
    config: CONFIG.replace("tiers:\n", "tiers:\n  batch: { owners: ['@acme/batch'] }\n"),
    expected: [{ code: "guardrail/unknown-tier", severity: "warning", file: "app.yaml", line: 7, words: ["Tier batch is not defined in this repository", "may exist only in the cluster"] }],
  },
  {
    name: "removing a Tier that unchanged policies still name",
    base: { "extra.yaml": `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: batch }
spec: { order: 300 }
`, "app.yaml": simple("web", "batch") },
    head: { "app.yaml": simple("web", "batch") },
    config: CONFIG.replace("tiers:\n", "tiers:\n  batch: { owners: ['@acme/batch'] }\n"),
    expected: [{ code: "guardrail/unknown-tier", severity: "error", file: "app.yaml", line: 7, words: ["Tier batch is removed by this change, but this policy still names it"] }],
  },
  {
    name: "a tier without owners in tierguard.yaml is an error, naming the admins as approvers",
    base: {},
    head: { "tiers2.yaml": `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: orphan }
spec: { order: 300 }
`, "app.yaml": simple("web", "orphan") },
    expected: [{ code: "guardrail/unowned-tier", severity: "error", file: "app.yaml", line: 7,
      words: ["Tier orphan has no owners in tierguard.yaml", "Add tiers.orphan.owners", "security, platform, application, default"], approvers: ["acme/admins"] }],
  },
  {
    name: "a Kubernetes NetworkPolicy is in the default tier, which has owners",
    base: {},
    head: { "knp.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  podSelector: {}
  policyTypes: [Ingress]
` },
    expected: [],
  },
  {
    name: "without tierguard.yaml at base, ownership is not enforced",
    base: {},
    head: { "tiers2.yaml": `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: orphan }
spec: { order: 300 }
`, "app.yaml": simple("web", "orphan") },
    config: null,
    expected: [],
  },
  {
    name: "an unchanged policy in an unowned tier is not this change's business",
    base: { "tiers2.yaml": `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: orphan }
spec: { order: 300 }
`, "app.yaml": simple("web", "orphan") },
    head: { "tiers2.yaml": `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: orphan }
spec: { order: 300 }
`, "app.yaml": simple("web", "orphan"), "other.yaml": gnp("other", "application", 10, "  selector: all()\n  types: [Ingress]\n") },
    expected: [],
  },
];

describe("tiers of changed policies", () => {
  test.each(rows)("$name", (row) => {
    const { findings } = analyse({ base: row.base, head: row.head, config: row.config });
    // Nothing else either: a policy whose tier does not exist is not walked through the tiers.
    const tierFindings = findings;
    expect(tierFindings.map(brief)).toEqual(row.expected.map(({ code, severity, file, line }) => ({ code, severity, file, line })));
    row.expected.forEach((e, i) => {
      for (const w of e.words) expect(tierFindings[i].message).toContain(w);
      if (e.approvers) expect(tierFindings[i].approvers).toEqual(e.approvers);
    });
  });
});
