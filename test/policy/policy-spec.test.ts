import { describe, expect, test } from "@jest/globals";
import { found, type Row } from "./validate-helpers.js";

/**
 * policy-spec.ts: types, rule counts, the GNP-only preDNAT/doNotTrack/applyOnForward rules and performanceHints
 * (calico-semantics §12 "Policy spec"). Spec line n is file line 4 + n.
 */
function policy(kind: string, ...spec: string[]): string {
  const meta = kind.includes("Global") ? "metadata: { name: p }" : "metadata: { name: p, namespace: ns }";
  return ["apiVersion: projectcalico.org/v3", `kind: ${kind}`, meta, "spec:", ...spec.map((l) => `  ${l}`), ""].join("\n");
}
const GNP = "GlobalNetworkPolicy";
const manyRules = (n: number) => ["ingress:", ...Array.from({ length: n }, () => "  - action: Allow")];

const rows: Row[] = [
  { name: "a preDNAT policy done right", expected: [],
    yaml: policy(GNP, "preDNAT: true", "applyOnForward: true", "types: [Ingress]", "ingress:", "  - action: Deny") },
  { name: "a doNotTrack policy done right", expected: [],
    yaml: policy("StagedGlobalNetworkPolicy", "doNotTrack: true", "applyOnForward: true") },
  { name: "types Ingress twice", yaml: policy("NetworkPolicy", "types: [Ingress, Ingress]"),
    expected: [{ code: "policy/duplicate-type", line: 5, col: 20, path: "spec.types[1]" }] },
  { name: "preDNAT and doNotTrack", yaml: policy(GNP, "preDNAT: true", "doNotTrack: true", "applyOnForward: true"),
    expected: [{ code: "policy/prednat-and-donottrack", line: 5, col: 12, path: "spec.preDNAT" }] },
  { name: "preDNAT with egress rules", yaml: policy(GNP, "preDNAT: true", "applyOnForward: true", "egress:", "  - action: Allow"),
    expected: [{ code: "policy/prednat-egress-rules", line: 7, col: 3, path: "spec.egress" }] },
  { name: "preDNAT with type Egress", yaml: policy(GNP, "preDNAT: true", "applyOnForward: true", "types: [Ingress, Egress]"),
    expected: [{ code: "policy/prednat-egress-type", line: 7, col: 20, path: "spec.types[1]" }] },
  { name: "doNotTrack without applyOnForward", yaml: policy(GNP, "doNotTrack: true"),
    expected: [{ code: "policy/apply-on-forward", line: 5, col: 15, path: "spec.doNotTrack" }] },
  { name: "preDNAT with applyOnForward false", yaml: policy("StagedGlobalNetworkPolicy", "preDNAT: true", "applyOnForward: false"),
    expected: [{ code: "policy/apply-on-forward", line: 6, col: 19, path: "spec.applyOnForward" }] },
  { name: "a valid performance hint", expected: [], yaml: policy(GNP, "performanceHints: [AssumeNeededOnEveryNode]") },
  { name: "performance hint twice", yaml: policy("NetworkPolicy", "performanceHints: [AssumeNeededOnEveryNode, AssumeNeededOnEveryNode]"),
    expected: [{ code: "policy/duplicate-performance-hint", line: 5, col: 47, path: "spec.performanceHints[1]" }] },
  { name: "unknown performance hint", yaml: policy("NetworkPolicy", "performanceHints: [AssumeNeededOnEverynode]"),
    expected: [{ code: "policy/performance-hint", line: 5, col: 22, path: "spec.performanceHints[0]" }] },
  { name: "1024 ingress rules", expected: [], yaml: policy("NetworkPolicy", ...manyRules(1024)) },
  { name: "1025 ingress rules (Calico 3.33)", version: "3.33", yaml: policy("NetworkPolicy", ...manyRules(1025)),
    expected: [{ code: "policy/too-many-rules", line: 5, col: 3, path: "spec.ingress" }] },
];

describe("policy spec checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });
});
