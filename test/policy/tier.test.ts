import { describe, expect, test } from "@jest/globals";
import { found, validateYaml, type Row } from "./validate-helpers.js";

/**
 * tier.ts: defaultAction values and the fixed order and default action of each version's built-in tiers
 * (calico-semantics §9, §12 "Tier"). spec.order is at line 5 column 10; spec.defaultAction at line 6 column 18.
 */
function tier(name: string, spec: { order?: string; defaultAction?: string }): string {
  const lines = ["apiVersion: projectcalico.org/v3", "kind: Tier", `metadata: { name: ${name} }`, "spec:"];
  lines.push(spec.order === undefined ? "  # no order" : `  order: ${spec.order}`);
  if (spec.defaultAction !== undefined) lines.push(`  defaultAction: ${spec.defaultAction}`);
  return lines.join("\n") + "\n";
}

const order = { line: 5, col: 10, path: "spec.order" };
const action = { line: 6, col: 18, path: "spec.defaultAction" };
const specKey = { line: 4, col: 1, path: "spec" };

const rows: Row[] = [
  { name: "a user tier with Pass", yaml: tier("security", { order: "100", defaultAction: "Pass" }), expected: [] },
  { name: "a user tier with no order", yaml: tier("security", { defaultAction: "Deny" }), expected: [] },
  { name: "defaultAction in lower case", yaml: tier("security", { order: "1", defaultAction: "pass" }),
    expected: [{ code: "tier/default-action-case", ...action }] },
  { name: "defaultAction Allow", yaml: tier("security", { order: "1", defaultAction: "Allow" }),
    expected: [{ code: "tier/default-action", ...action }] },

  // 3.32 built-ins: default, kube-admin, kube-baseline
  { name: "3.32 default tier as built", yaml: tier("default", { order: "1000000", defaultAction: "Deny" }), expected: [] },
  { name: "3.32 default tier, order in exponent form", yaml: tier("default", { order: "1e6" }), expected: [] },
  { name: "3.32 default tier with order 1000", yaml: tier("default", { order: "1000" }),
    expected: [{ code: "tier/builtin-order", ...order }] },
  { name: "3.32 default tier with no order", yaml: tier("default", { defaultAction: "Deny" }),
    expected: [{ code: "tier/builtin-order", ...specKey }] },
  { name: "3.32 default tier with Pass", yaml: tier("default", { order: "1000000", defaultAction: "Pass" }),
    expected: [{ code: "tier/builtin-default-action", ...action }] },
  { name: "3.32 kube-admin as built", yaml: tier("kube-admin", { order: "1000", defaultAction: "Pass" }), expected: [] },
  { name: "3.32 kube-admin without defaultAction (Deny)", yaml: tier("kube-admin", { order: "1000" }),
    expected: [{ code: "tier/builtin-default-action", ...specKey }] },
  { name: "3.32 kube-baseline with order 1000", yaml: tier("kube-baseline", { order: "1000", defaultAction: "Pass" }),
    expected: [{ code: "tier/builtin-order", ...order }] },
  { name: "3.32 adminnetworkpolicy is a user tier", yaml: tier("adminnetworkpolicy", { order: "5" }), expected: [] },

  // 3.31 built-ins: adminnetworkpolicy, default, baselineadminnetworkpolicy; default action only advisory
  { name: "3.31 kube-admin is a user tier", version: "3.31", yaml: tier("kube-admin", { order: "5" }), expected: [] },
  { name: "3.31 adminnetworkpolicy as built", version: "3.31",
    yaml: tier("adminnetworkpolicy", { order: "1000", defaultAction: "Pass" }), expected: [] },
  { name: "3.31 baselineadminnetworkpolicy with order 1000", version: "3.31",
    yaml: tier("baselineadminnetworkpolicy", { order: "1000", defaultAction: "Pass" }),
    expected: [{ code: "tier/builtin-order", ...order }] },
  { name: "3.31 default tier with Pass is a warning", version: "3.31",
    yaml: tier("default", { order: "1000000", defaultAction: "Pass" }),
    expected: [{ code: "tier/builtin-default-action", ...action, severity: "warning" }] },
];

describe("tier checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });

  test("built-in tier messages give the fixed values", () => {
    expect(validateYaml(tier("default", { order: "1000" }))[0].message).toBe(
      '"default" is a built-in tier in Calico 3.32 and its order is fixed at 1000000; set order: 1000000');
  });
});
