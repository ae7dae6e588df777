import { describe, expect, test } from "@jest/globals";
import { found, type Row } from "./validate-helpers.js";

/**
 * networkset.ts: nets may have host bits and may be bare IPs; the projectcalico.org/namespace label is reserved
 * (calico-semantics §6, §12 "NetworkSet and GlobalNetworkSet").
 */
function set(kind: string, options: { nets?: string[]; label?: string }): string {
  const lines = ["apiVersion: projectcalico.org/v3", `kind: ${kind}`, "metadata:", "  name: s"];
  if (kind === "NetworkSet") lines.push("  namespace: ns");
  if (options.label) lines.push("  labels:", `    ${options.label}`);
  lines.push("spec:", "  nets:", ...(options.nets ?? []).map((n) => `    - ${JSON.stringify(n)}`));
  return lines.join("\n") + "\n";
}

const rows: Row[] = [
  { name: "host bits and bare IPs are allowed", expected: [],
    yaml: set("NetworkSet", { nets: ["10.0.0.1/24", "10.0.0.5", "fd00::1/64", "0.0.0.0/0"] }) },
  { name: "an invalid CIDR in a GlobalNetworkSet", yaml: set("GlobalNetworkSet", { nets: ["10.0.0.0/8", "10.0.0.0/33"] }),
    expected: [{ code: "net/invalid", line: 8, col: 7, path: "spec.nets[1]" }] },
  { name: "the namespace label on a NetworkSet", yaml: set("NetworkSet", { label: "projectcalico.org/namespace: ns", nets: [] }),
    expected: [{ code: "networkset/namespace-label", line: 7, col: 5, path: 'metadata.labels["projectcalico.org/namespace"]' }] },
  { name: "the namespace label on a GlobalNetworkSet", yaml: set("GlobalNetworkSet", { label: "projectcalico.org/namespace: ns" }),
    expected: [{ code: "networkset/namespace-label", line: 6, col: 5, path: 'metadata.labels["projectcalico.org/namespace"]' }] },
  { name: "other labels are fine", expected: [], yaml: set("GlobalNetworkSet", { label: "projectcalico.org/role: dns" }) },
];

describe("network set checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });
});
