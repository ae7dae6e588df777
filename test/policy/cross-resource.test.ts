import { describe, expect, test } from "@jest/globals";
import { found, validateYaml, type Row } from "./validate-helpers.js";

/**
 * cross-resource.ts: duplicate identities across the set, and policies in tiers that are neither defined in the
 * set nor built into the chosen version. Each document is four lines plus a separator, so document k (from 0)
 * starts on line 1 + 5k; its name is at column 19 of its third line and its tier at column 15 of its fourth.
 */
function doc(kind: string, name: string, options: { namespace?: string; spec?: string } = {}): string {
  const meta = options.namespace ? `metadata: { name: ${name}, namespace: ${options.namespace} }` : `metadata: { name: ${name} }`;
  return `apiVersion: projectcalico.org/v3\nkind: ${kind}\n${meta}\nspec: ${options.spec ?? "{}"}\n`;
}
const docs = (...d: string[]) => d.join("---\n");
const tierAt = (k: number) => ({ line: 4 + 5 * k, col: 15, path: "spec.tier" });

const rows: Row[] = [
  { name: "same kind, namespace and name twice",
    yaml: docs(doc("NetworkPolicy", "a", { namespace: "ns" }), doc("NetworkPolicy", "a", { namespace: "ns" })),
    expected: [{ code: "resource/duplicate", line: 8, col: 19, path: "metadata.name" }] },
  { name: "a third copy is reported too",
    yaml: docs(doc("Tier", "t"), doc("Tier", "t"), doc("Tier", "t")),
    expected: [{ code: "resource/duplicate", line: 8, col: 19, path: "metadata.name" },
      { code: "resource/duplicate", line: 13, col: 19, path: "metadata.name" }] },
  { name: "same name in two namespaces", expected: [],
    yaml: docs(doc("NetworkPolicy", "a", { namespace: "x" }), doc("NetworkPolicy", "a", { namespace: "y" })) },
  { name: "same name, different kinds", expected: [],
    yaml: docs(doc("NetworkPolicy", "a", { namespace: "ns" }), doc("StagedNetworkPolicy", "a", { namespace: "ns" }), doc("GlobalNetworkPolicy", "a")) },
  { name: "a tier defined in the set", expected: [],
    yaml: docs(doc("GlobalNetworkPolicy", "p", { spec: "{ tier: security }" }), doc("Tier", "security")) },
  { name: "no tier means default", expected: [], yaml: doc("NetworkPolicy", "p", { namespace: "ns" }) },
  { name: "a tier nobody defines", yaml: doc("NetworkPolicy", "p", { namespace: "ns", spec: "{ tier: security }" }),
    expected: [{ code: "policy/unknown-tier", ...tierAt(0), severity: "warning" }] },
  { name: "3.32 built-in kube-admin", expected: [], yaml: doc("GlobalNetworkPolicy", "p", { spec: "{ tier: kube-admin }" }) },
  { name: "3.31 has no kube-admin tier", version: "3.31", yaml: doc("GlobalNetworkPolicy", "kube-admin.p", { spec: "{ tier: kube-admin }" }),
    expected: [{ code: "policy/unknown-tier", ...tierAt(0), severity: "warning" }] },
  { name: "3.31 built-in adminnetworkpolicy", version: "3.31", expected: [],
    yaml: doc("GlobalNetworkPolicy", "adminnetworkpolicy.p", { spec: "{ tier: adminnetworkpolicy }" }) },
];

describe("cross-resource checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });

  test("a duplicate names both places", () => {
    const [d] = validateYaml(docs(doc("NetworkPolicy", "a", { namespace: "ns" }), doc("NetworkPolicy", "a", { namespace: "ns" })));
    expect(d.message).toBe(
      "NetworkPolicy ns/a is defined twice: here and at test.yaml:3:19; the later one would replace the earlier when " +
        "applied. Remove one or rename it");
    expect(d.resource).toBe("NetworkPolicy ns/a");
  });

  test("an unknown tier says it must exist, with a did-you-mean and the version's renaming", () => {
    const [d] = validateYaml(docs(doc("NetworkPolicy", "p", { namespace: "ns", spec: "{ tier: securty }" }), doc("Tier", "security")));
    expect(d.message).toBe(
      'tier "securty" is not defined in these files and is not built into Calico 3.32; it must exist in the cluster ' +
        'before this policy can be applied — add a Tier named "securty"; did you mean "security"?');
    const [v] = validateYaml(doc("GlobalNetworkPolicy", "kube-admin.p", { spec: "{ tier: kube-admin }" }), "3.31");
    expect(v.message).toContain('("kube-admin" is a built-in tier in Calico 3.32 and later, not in 3.31)');
  });
});
