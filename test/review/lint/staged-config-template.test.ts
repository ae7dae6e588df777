import { describe, expect, test } from "@jest/globals";
import { checkLint, lintCheck, LINT_RULES } from "../../../src/review/lint/index.js";
import { reviewContext } from "../../helpers/review.js";
import { lineOf } from "../policy-tests/fixtures.js";
import { templateConfig, templateInventory, templatePolicies } from "../policy-tests/template-fixture.js";
import { brief, lint, np, NOW } from "./world.js";

const STAGED = `apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata:
  name: isolation
  namespace: shop
  annotations:
    policyrecommendation.tigera.io/lastUpdated: "2025-06-03T12:41:07Z"
spec:
  tier: app
  stagedAction: Set
  selector: all()
  types: [Ingress]
`;

describe("lint/stale-staged: staged before this pull request and left as it was", () => {
  const CODE = "lint/stale-staged";

  test("unchanged at base and head: promote or remove, with its age from lastUpdated; a notice (the pull request did not touch it)", () => {
    const findings = lint({ base: { "s.yaml": STAGED }, head: {} }, CODE);
    expect(findings.map(brief)).toEqual([{ code: CODE, severity: "notice", file: "s.yaml", line: lineOf(STAGED, "kind:"), path: "kind" }]);
    expect(findings[0].message).toBe(
      "StagedNetworkPolicy shop/isolation was staged before this pull request (its recommendation was last updated 2025-06-03, 29 days ago); " +
        "promote it (replace it with its enforced kind, NetworkPolicy, without stagedAction) or remove it. A staged policy is evaluated and reported but never enforced.",
    );
  });

  test("reformatted only (same meaning): still stale; without the annotation, no age", () => {
    const plain = STAGED.replace(/  annotations:\n.*\n/, "");
    const findings = lint({ base: { "s.yaml": plain }, head: { "s.yaml": `# staged for review\n${plain}` } }, CODE);
    expect(findings.map((f) => [f.line, f.message.split(";")[0]])).toEqual([[lineOf(plain, "kind:") + 1, "StagedNetworkPolicy shop/isolation was staged before this pull request"]]);
  });

  test("a staged deletion: promote means delete both", () => {
    const del = `apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: { name: old-rule }
spec:
  tier: app
  stagedAction: Delete
`;
    const [f] = lint({ base: { "d.yaml": del }, head: {} }, CODE);
    expect(f.message).toContain("promote it (delete the enforced GlobalNetworkPolicy old-rule and this staged deletion) or remove it");
  });

  test("staged or changed by this pull request: not stale", () => {
    expect(lint({ head: { "s.yaml": STAGED } }, CODE)).toEqual([]);
    expect(lint({ base: { "s.yaml": STAGED }, head: { "s.yaml": STAGED.replace("types: [Ingress]", "types: [Ingress, Egress]") } }, CODE)).toEqual([]);
  });
});

describe("lint configuration and scope", () => {
  const BAD = np("api", "shop", `  tier: app
  selector: app == 'api'
  types: [Egress]
  egress:
    - action: Allow
      destination: { selector: all() }`);

  test("lint.disable turns rules off by name, with or without the lint/ prefix", () => {
    const all = lint({ base: { "s.yaml": STAGED }, head: { "api.yaml": BAD } });
    expect([...new Set(all.map((f) => f.code))].sort()).toEqual(["lint/default-deny-blocks-dns", "lint/missing-coverage", "lint/no-default-deny", "lint/rule-selector-all", "lint/stale-staged"]);
    const config = "lint:\n  disable: [stale-staged, lint/rule-selector-all, default-deny-blocks-dns]\n";
    const some = lint({ base: { "s.yaml": STAGED }, head: { "api.yaml": BAD }, config });
    expect([...new Set(some.map((f) => f.code))].sort()).toEqual(["lint/missing-coverage", "lint/no-default-deny"]);
    const none = `lint:\n  disable: [${LINT_RULES.map((r) => r.name).join(", ")}]\n`;
    expect(lint({ base: { "s.yaml": STAGED }, head: { "api.yaml": BAD }, config: none })).toEqual([]);
  });

  test("every lint finding has a lint/<name> code of a known rule; a warning on what the pull request changed, a notice on what it did not", () => {
    const names = new Set(LINT_RULES.map((r) => `lint/${r.name}`));
    for (const f of lint({ base: { "s.yaml": STAGED }, head: { "api.yaml": BAD } })) {
      expect(f.severity).toBe(f.resource === "StagedNetworkPolicy shop/isolation" ? "notice" : "warning");
      expect(names.has(f.code)).toBe(true);
    }
  });

  test("a pull request that changes nothing: only stale staged policies are reported", () => {
    expect(lint({ base: { "api.yaml": BAD, "s.yaml": STAGED }, head: {} }).map((f) => f.code)).toEqual(["lint/stale-staged"]);
  });

  test("checkLint is lintCheck with the current time", () => {
    const ctx = reviewContext({ base: { "s.yaml": STAGED }, head: { "s.yaml": STAGED } });
    const [f] = checkLint(ctx);
    const days = Math.floor((Date.now() - Date.parse("2025-06-03T12:41:07Z")) / 86_400_000);
    expect(f.message).toContain(`${days} days ago`);
    expect(lintCheck({ now: NOW })(ctx)[0].message).toContain("29 days ago");
  });
});

describe("lint on the template repository", () => {
  function review(head: Record<string, string>) {
    return lintCheck({ now: NOW })(reviewContext({ base: templatePolicies(), head, config: templateConfig(), inventory: templateInventory() }));
  }

  test("no change: only the two staged policies waiting for promotion, as notices (a revision against itself has no warning)", () => {
    const findings = review(templatePolicies());
    expect(findings.map(brief)).toEqual([
      { code: "lint/stale-staged", severity: "notice", file: "platform/default-deny.yaml", line: 9, path: "kind" },
      { code: "lint/stale-staged", severity: "notice", file: "namespace-isolation/boutique-isolation.yaml", line: 9, path: "kind" },
    ]);
    expect(findings[1].message).toContain("(its recommendation was last updated 2025-06-03, 29 days ago)");
  });

  test("a change to the frontend's policy, written in the template's style: no style warnings; boutique's unprotected shopping assistant is reported", () => {
    const head = templatePolicies();
    head["application/frontend.yaml"] = head["application/frontend.yaml"].replace("          - 9555", "          - 9555\n          - 9556");
    const findings = review(head).filter((f) => f.code !== "lint/stale-staged");
    expect(findings.map(brief)).toEqual([{ code: "lint/no-default-deny", severity: "warning", file: "application/frontend.yaml", line: lineOf(head["application/frontend.yaml"], "metadata:"), path: "metadata" }]);
    expect(findings[0].message).toContain("Namespace boutique has no default deny for 1 of 13 known workloads (boutique/shoppingassistantservice-2vpxxkp6ch-v7scg)");
    expect(findings[0].message).toContain("The staged StagedNetworkPolicy boutique/boutique-isolation would deny it");
  });
});
