import { describe, expect, test } from "@jest/globals";
import { analyse, brief, CONFIG, gnp, lineOf, np } from "./world.js";

/**
 * Guard rails in tierguard.yaml: `guardrails.required` (quarantine) must not go, directly or through a staged
 * deletion; every change to a guard rail (a policy of the security tier, or a required one) names its owners.
 */
const quarantine = gnp("quarantine", "security", 10, `  selector: quarantine == 'true'
  types: [Ingress, Egress]
  ingress:
    - action: Deny
  egress:
    - action: Deny
`);

const stagedDelete = `apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata:
  name: quarantine
spec:
  tier: security
  stagedAction: Delete
`;

const blockFeed = gnp("block-feed", "security", 20, `  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination: { nets: [203.0.113.0/24] }
`);

const requiredApp = np("payments", "shop", "application", 10, `  selector: app == 'payments'
  types: [Ingress]
`);

const stagedNpDelete = `apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata:
  name: payments
  namespace: shop
spec:
  tier: application
  stagedAction: Delete
`;

const knp = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

const stagedKnpDelete = `apiVersion: projectcalico.org/v3
kind: StagedKubernetesNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  stagedAction: Delete
`;

interface Row {
  name: string;
  base: Record<string, string>;
  head: Record<string, string>;
  config?: string;
  expected: Array<{ code: string; severity: string; file: string; line: number; revision?: string; words: string[]; approvers?: string[] }>;
}

const rows: Row[] = [
  {
    name: "deleting a required guard rail: an error at its base location",
    base: { "sec/quarantine.yaml": quarantine },
    head: {},
    expected: [{ code: "guardrail/required-removed", severity: "error", file: "sec/quarantine.yaml", line: lineOf(quarantine, "name: quarantine"), revision: "base",
      words: ["GlobalNetworkPolicy quarantine is a required guard rail (tierguard.yaml guardrails.required: GlobalNetworkPolicy/quarantine)", "this change removes it", "@acme/secops"],
      approvers: ["acme/secops", "acme/admins"] }],
  },
  {
    name: "renaming a required guard rail removes the required name",
    base: { "sec/quarantine.yaml": quarantine },
    head: { "sec/quarantine.yaml": quarantine.replace("name: quarantine", "name: isolate") },
    expected: [{ code: "guardrail/required-removed", severity: "error", file: "sec/quarantine.yaml", line: 4, revision: "base",
      words: ["renamed from GlobalNetworkPolicy quarantine to GlobalNetworkPolicy isolate"] }],
  },
  {
    name: "turning a required guard rail into a staged policy removes the enforced one",
    base: { "sec/quarantine.yaml": quarantine },
    head: { "sec/quarantine.yaml": quarantine.replace("kind: GlobalNetworkPolicy", "kind: StagedGlobalNetworkPolicy") },
    expected: [
      { code: "guardrail/required-removed", severity: "error", file: "sec/quarantine.yaml", line: 4, revision: "base",
        words: ["its kind changed to StagedGlobalNetworkPolicy, which removes the GlobalNetworkPolicy"] },
      { code: "guardrail/guardrail-edited", severity: "warning", file: "sec/quarantine.yaml", line: 4, words: ["StagedGlobalNetworkPolicy quarantine is a guard rail (a policy of guard-rail tier security) and this change adds it"] },
    ],
  },
  {
    name: "a staged deletion of a required guard rail, added here: an error at stagedAction",
    base: { "sec/quarantine.yaml": quarantine },
    head: { "sec/quarantine.yaml": quarantine, "sec/retire.yaml": stagedDelete },
    expected: [{ code: "guardrail/required-removed", severity: "error", file: "sec/retire.yaml", line: lineOf(stagedDelete, "stagedAction"),
      words: ["previews the deletion of required guard rail GlobalNetworkPolicy quarantine", "promoting it deletes the guard rail"] }],
  },
  {
    name: "a StagedNetworkPolicy deleting a required namespaced policy",
    base: { "app.yaml": requiredApp },
    head: { "app.yaml": requiredApp, "retire.yaml": stagedNpDelete },
    config: CONFIG.replace("required: [GlobalNetworkPolicy/quarantine]", "required: [GlobalNetworkPolicy/quarantine, NetworkPolicy/shop/payments]"),
    expected: [{ code: "guardrail/required-removed", severity: "error", file: "retire.yaml", line: lineOf(stagedNpDelete, "stagedAction"),
      words: ["This StagedNetworkPolicy with stagedAction: Delete previews the deletion of required guard rail NetworkPolicy shop/payments"] }],
  },
  {
    name: "a StagedKubernetesNetworkPolicy deleting a required Kubernetes NetworkPolicy",
    base: { "knp.yaml": knp },
    head: { "knp.yaml": knp, "retire.yaml": stagedKnpDelete },
    config: CONFIG.replace("required: [GlobalNetworkPolicy/quarantine]", "required: [GlobalNetworkPolicy/quarantine, KubernetesNetworkPolicy/shop/web]"),
    expected: [{ code: "guardrail/required-removed", severity: "error", file: "retire.yaml", line: lineOf(stagedKnpDelete, "stagedAction"),
      words: ["previews the deletion of required guard rail KubernetesNetworkPolicy shop/web", "@acme/platform"] }],
  },
  {
    name: "a staged deletion that was already there is not this change's doing",
    base: { "sec/quarantine.yaml": quarantine, "sec/retire.yaml": stagedDelete },
    head: { "sec/quarantine.yaml": quarantine, "sec/retire.yaml": stagedDelete },
    expected: [],
  },
  {
    name: "editing a policy of a guard-rail tier: a warning naming its owners",
    base: { "sec/feed.yaml": blockFeed },
    head: { "sec/feed.yaml": blockFeed.replace("203.0.113.0/24", "198.51.100.0/24") },
    expected: [{ code: "guardrail/guardrail-edited", severity: "warning", file: "sec/feed.yaml", line: 4,
      words: ["GlobalNetworkPolicy block-feed is a guard rail (a policy of guard-rail tier security) and this change changes it (spec changed)", "the owners of tier security (@acme/secops) or the admins (@acme/admins)"],
      approvers: ["acme/secops", "acme/admins"] }],
  },
  {
    name: "removing a guard-rail tier policy that is not required: a warning at its base location",
    base: { "sec/feed.yaml": blockFeed },
    head: {},
    expected: [{ code: "guardrail/guardrail-edited", severity: "warning", file: "sec/feed.yaml", line: 4, revision: "base", words: ["and this change removes it"] }],
  },
  {
    name: "moving a policy out of the guard-rail tier is a guard-rail edit",
    base: { "sec/feed.yaml": blockFeed },
    head: { "sec/feed.yaml": blockFeed.replace("tier: security", "tier: platform") },
    expected: [{ code: "guardrail/guardrail-edited", severity: "warning", file: "sec/feed.yaml", line: 4, words: ["spec.tier changed from security to platform"] }],
  },
  {
    name: "a required policy outside the guard-rail tiers, in a namespace",
    base: { "app.yaml": requiredApp },
    head: { "app.yaml": requiredApp.replace("types: [Ingress]", "types: [Ingress, Egress]") },
    config: CONFIG.replace("required: [GlobalNetworkPolicy/quarantine]", "required: [GlobalNetworkPolicy/quarantine, NetworkPolicy/shop/payments]"),
    expected: [{ code: "guardrail/guardrail-edited", severity: "warning", file: "app.yaml", line: 4,
      words: ["required by tierguard.yaml guardrails.required: NetworkPolicy/shop/payments", "@acme/app-devs"] }],
  },
  {
    name: "reformatting a guard rail changes nothing",
    base: { "sec/feed.yaml": blockFeed },
    head: { "sec/feed.yaml": `# owned by secops\n${blockFeed}` },
    expected: [],
  },
];

describe("required guard rails and guard-rail edits", () => {
  test.each(rows)("$name", (row) => {
    const { findings } = analyse({ base: row.base, head: row.head, config: row.config });
    const rails = findings.filter((f) => f.code === "guardrail/required-removed" || f.code === "guardrail/guardrail-edited");
    expect(rails.map((f) => ({ ...brief(f), revision: f.revision }))).toEqual(row.expected.map(({ code, severity, file, line, revision }) => ({ code, severity, file, line, revision })));
    row.expected.forEach((e, i) => {
      for (const w of e.words) expect(rails[i].message).toContain(w);
      if (e.approvers) expect(rails[i].approvers).toEqual(e.approvers);
    });
  });
});
