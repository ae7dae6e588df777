import { describe, expect, test } from "@jest/globals";
import { buildResources, loadText } from "../../src/policy/index.js";
import { found, type Row } from "./validate-helpers.js";

/**
 * staged.ts: with stagedAction Delete every spec field but tier (Calico staged kinds) or every field
 * (StagedKubernetesNetworkPolicy) must be zero, and the spec is not otherwise checked (calico-semantics §7, §12).
 * The field after stagedAction is on line 6, column 3.
 */
function staged(kind: string, ...spec: string[]): string {
  const meta = kind.includes("Global") ? "metadata: { name: p }" : "metadata: { name: p, namespace: ns }";
  return ["apiVersion: projectcalico.org/v3", `kind: ${kind}`, meta, "spec:", ...spec.map((l) => `  ${l}`), ""].join("\n");
}
const at = (field: string) => ({ code: "staged/delete-with-spec", line: 6, col: 3, path: `spec.${field}` });

const rows: Row[] = [
  { name: "SNP Delete keeping tier", expected: [], yaml: staged("StagedNetworkPolicy", "stagedAction: Delete", "tier: default") },
  { name: "SNP Delete with false and empty values", expected: [],
    yaml: staged("StagedGlobalNetworkPolicy", "stagedAction: Delete", "doNotTrack: false", 'selector: ""') },
  { name: "SNP Delete with a selector", yaml: staged("StagedNetworkPolicy", "stagedAction: Delete", "selector: all()"),
    expected: [at("selector")] },
  { name: "SNP Delete with order 0 (a set pointer)", yaml: staged("StagedNetworkPolicy", "stagedAction: Delete", "order: 0"),
    expected: [at("order")] },
  { name: "SNP Delete with an empty types list", yaml: staged("StagedNetworkPolicy", "stagedAction: Delete", "types: []"),
    expected: [at("types")] },
  { name: "SGNP Delete with rules: the rules themselves are not checked",
    yaml: staged("StagedGlobalNetworkPolicy", "stagedAction: Delete", "ingress:", "  - action: allow"),
    expected: [at("ingress")] },
  { name: "SKNP Delete with an empty podSelector", expected: [],
    yaml: staged("StagedKubernetesNetworkPolicy", "stagedAction: Delete", "podSelector: {}") },
  { name: "SKNP Delete with matchLabels",
    yaml: staged("StagedKubernetesNetworkPolicy", "stagedAction: Delete", "podSelector: { matchLabels: { app: web } }"),
    expected: [at("podSelector")] },
  { name: "SKNP Delete with policyTypes",
    yaml: staged("StagedKubernetesNetworkPolicy", "stagedAction: Delete", "policyTypes: [Ingress]"),
    expected: [at("policyTypes")] },
  { name: "SKNP Delete skips Kubernetes validation",
    yaml: staged("StagedKubernetesNetworkPolicy", "stagedAction: Delete", "policyTypes: [ingress]"),
    expected: [at("policyTypes")] },
  { name: "stagedAction Set is checked like an enforced policy",
    yaml: staged("StagedNetworkPolicy", "stagedAction: Set", "ingress:", "  - action: allow"),
    expected: [{ code: "rule/action-case", line: 7, col: 15, path: "spec.ingress[0].action" }] },
  { name: "stagedAction Learn is checked like Set",
    yaml: staged("StagedGlobalNetworkPolicy", "stagedAction: Learn", "doNotTrack: true"),
    expected: [{ code: "policy/apply-on-forward", line: 6, col: 15, path: "spec.doNotTrack" }] },
];

describe("staged policy checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });

  test("a stagedAction outside the enum is rejected by the schema", () => {
    const loaded = loadText("test.yaml", staged("StagedNetworkPolicy", "stagedAction: Warning"));
    const built = buildResources(loaded.documents);
    expect(built.diagnostics.map(({ code, line, col, path }) => ({ code, line, col, path }))).toEqual([
      { code: "schema/invalid-value", line: 5, col: 17, path: "spec.stagedAction" },
    ]);
  });
});
