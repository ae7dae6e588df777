import { describe, expect, test } from "@jest/globals";
import { found, validateYaml, type Row } from "./validate-helpers.js";

/**
 * names.ts: metadata.name per kind (validator_test.go cases from calico-semantics §12 "Names"), length limits,
 * the namespace, and the v3.31 tier-prefix rule (a warning, since tierguard accepts both forms under both
 * versions). The name value always starts at line 3, column 19.
 */
const SECURITY_TIER = "---\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: security }\nspec: { order: 100 }\n";

function named(kind: string, name: string, options: { tier?: string; namespace?: string } = {}): string {
  const k8s = kind === "KubernetesNetworkPolicy";
  const namespaced = ["NetworkPolicy", "StagedNetworkPolicy", "KubernetesNetworkPolicy", "StagedKubernetesNetworkPolicy", "NetworkSet"]
    .includes(kind);
  const spec = k8s || kind === "StagedKubernetesNetworkPolicy" ? "{ podSelector: {} }" : options.tier ? `{ tier: ${options.tier} }` : "{}";
  return [
    `apiVersion: ${k8s ? "networking.k8s.io/v1" : "projectcalico.org/v3"}`,
    `kind: ${k8s ? "NetworkPolicy" : kind}`,
    namespaced ? `metadata: { name: ${name}, namespace: ${options.namespace ?? "ns"} }` : `metadata: { name: ${name} }`,
    `spec: ${spec}`,
    "",
  ].join("\n") + (options.tier === "security" ? SECURITY_TIER : "");
}

const invalid = { code: "names/invalid", line: 3, col: 19, path: "metadata.name" };
const tooLong = { code: "names/too-long", line: 3, col: 19, path: "metadata.name" };
const prefixWarning = { code: "names/tier-prefix", line: 3, col: 19, path: "metadata.name", severity: "warning" as const };

const rows: Row[] = [
  // validator_test.go: NetworkPolicy and StagedNetworkPolicy
  { name: "NP thing", yaml: named("NetworkPolicy", "thing"), expected: [] },
  { name: "NP th.ing", yaml: named("NetworkPolicy", "th.ing"), expected: [] },
  { name: "NP t.h.i.ng", yaml: named("NetworkPolicy", "t.h.i.ng"), expected: [invalid] },
  { name: "NP tHiNg", yaml: named("NetworkPolicy", "tHiNg"), expected: [invalid] },
  { name: "NP knp.default.thing", yaml: named("NetworkPolicy", "knp.default.thing"), expected: [] },
  { name: "NP ossg.default.a.b", yaml: named("NetworkPolicy", "ossg.default.a.b"), expected: [] },
  { name: "NP thing-", yaml: named("NetworkPolicy", "thing-"), expected: [invalid] },
  { name: "SNP t.h.i.ng", yaml: named("StagedNetworkPolicy", "t.h.i.ng"), expected: [invalid] },
  { name: "SNP th.ing", yaml: named("StagedNetworkPolicy", "th.ing"), expected: [] },
  // GlobalNetworkPolicy and StagedGlobalNetworkPolicy
  { name: "GNP thing", yaml: named("GlobalNetworkPolicy", "thing"), expected: [] },
  { name: "GNP th.ing", yaml: named("GlobalNetworkPolicy", "th.ing"), expected: [] },
  { name: "GNP knp.default.thing", yaml: named("GlobalNetworkPolicy", "knp.default.thing"), expected: [invalid] },
  { name: "GNP t.h.i.ng", yaml: named("GlobalNetworkPolicy", "t.h.i.ng"), expected: [invalid] },
  { name: "SGNP tHiNg", yaml: named("StagedGlobalNetworkPolicy", "tHiNg"), expected: [invalid] },
  // Tier: a DNS-1123 label
  { name: "Tier security", yaml: named("Tier", "security"), expected: [] },
  { name: "Tier sec.urity", yaml: named("Tier", "sec.urity"), expected: [invalid] },
  { name: "Tier of 63 characters", yaml: named("Tier", "t".repeat(63)), expected: [] },
  { name: "Tier of 64 characters", yaml: named("Tier", "t".repeat(64)), expected: [tooLong] },
  // Other kinds: a DNS-1123 subdomain
  { name: "NetworkSet a.b.c", yaml: named("NetworkSet", "a.b.c"), expected: [] },
  { name: "GlobalNetworkSet A", yaml: named("GlobalNetworkSet", "A"), expected: [invalid] },
  { name: "KNP a.b.c", yaml: named("KubernetesNetworkPolicy", "a.b.c"), expected: [] },
  { name: "KNP Foo", yaml: named("KubernetesNetworkPolicy", "Foo"), expected: [invalid] },
  { name: "SKNP a_b", yaml: named("StagedKubernetesNetworkPolicy", "a_b"), expected: [invalid] },
  { name: "NP of 253 characters", yaml: named("NetworkPolicy", "n".repeat(253)), expected: [] },
  { name: "NP of 254 characters", yaml: named("NetworkPolicy", "n".repeat(254)), expected: [tooLong] },
  { name: "namespace Bad_NS", yaml: named("NetworkPolicy", "p", { namespace: "Bad_NS" }),
    expected: [{ code: "names/invalid-namespace", line: 3, col: 33, path: "metadata.namespace" }] },

  // Tier prefix: 3.31 warns where Calico 3.31 would reject; 3.32 accepts both forms.
  { name: "3.31: unprefixed name outside the default tier", version: "3.31",
    yaml: named("NetworkPolicy", "allow-dns", { tier: "security" }), expected: [prefixWarning] },
  { name: "3.31: prefixed name in its tier", version: "3.31",
    yaml: named("NetworkPolicy", "security.allow-dns", { tier: "security" }), expected: [] },
  { name: "3.31: another tier's prefix", version: "3.31",
    yaml: named("GlobalNetworkPolicy", "platform.allow-dns", { tier: "security" }), expected: [prefixWarning] },
  { name: "3.31: default tier without a prefix", version: "3.31", yaml: named("NetworkPolicy", "foo"), expected: [] },
  { name: "3.31: default tier with default. prefix", version: "3.31", yaml: named("NetworkPolicy", "default.foo"), expected: [] },
  { name: "3.31: default tier with another prefix", version: "3.31",
    yaml: named("StagedNetworkPolicy", "other.foo"), expected: [prefixWarning] },
  { name: "3.31: knp.default. names are exempt", version: "3.31",
    yaml: named("NetworkPolicy", "knp.default.foo", { tier: "security" }), expected: [] },
  { name: "3.31: the prefix rule does not apply to network sets", version: "3.31", yaml: named("NetworkSet", "a.b"), expected: [] },
  { name: "3.32: unprefixed name outside the default tier",
    yaml: named("NetworkPolicy", "allow-dns", { tier: "security" }), expected: [] },
  { name: "3.32: prefixed name outside the default tier",
    yaml: named("StagedGlobalNetworkPolicy", "security.allow-dns", { tier: "security" }), expected: [] },
];

describe("name checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });

  test("the tier-prefix warning says how to rename", () => {
    const [d] = validateYaml(named("NetworkPolicy", "allow-dns", { tier: "security" }), "3.31");
    expect(d.message).toBe(
      'Calico 3.31 rejects the name "allow-dns" for a policy in tier "security": up to 3.31 a policy name must start ' +
        'with its tier and a dot; rename it to "security.allow-dns" (Calico 3.32 and later accept either form)');
  });

  test("an invalid name suggests a fixed one", () => {
    const [d] = validateYaml(named("NetworkPolicy", "tHiNg"));
    expect(d.message).toContain('try "thing"');
  });
});
