import { describe, expect, test } from "@jest/globals";
import { found, rulePolicy, validateYaml, type Row } from "./validate-helpers.js";

/**
 * nets.ts: rule nets and notNets (calico-semantics §12 "Nets"): strictly masked CIDRs or bare IPs, one family per
 * rule, agreeing with ipVersion, no catch-all notNets, at most 256 per list.
 */
const netRule = (field: string, ...entries: string[]) =>
  rulePolicy(["action: Allow", "source:", `  ${field}:`, ...entries.map((e) => `    - ${JSON.stringify(e)}`)]);
const entry = (code: string, field = "nets", index = 0) => ({
  code,
  line: 9 + index,
  col: 13,
  path: `spec.ingress[0].source.${field}[${index}]`,
});

const rows: Row[] = [
  { name: "masked CIDRs and bare IPs", expected: [],
    yaml: netRule("nets", "10.0.0.0/8", "10.1.2.3", "10.1.2.3/32", "0.0.0.0/0") },
  { name: "IPv6 CIDRs and addresses", expected: [],
    yaml: netRule("notNets", "fd00::/8", "::1", "2001:db8::1:0:0/96", "::ffff:10.0.0.1") },
  { name: "host bits set", yaml: netRule("nets", "10.0.0.1/24"), expected: [entry("net/host-bits")] },
  { name: "IPv6 host bits set", yaml: netRule("nets", "fd00::1/64"), expected: [entry("net/host-bits")] },
  { name: "prefix too long", yaml: netRule("nets", "10.0.0.0/33"), expected: [entry("net/invalid")] },
  { name: "three octets", yaml: netRule("nets", "10.0.0"), expected: [entry("net/invalid")] },
  { name: "leading zero", yaml: netRule("nets", "010.0.0.0/8"), expected: [entry("net/invalid")] },
  { name: "two ::", yaml: netRule("nets", "fd00::1::/64"), expected: [entry("net/invalid")] },
  { name: "a hostname", yaml: netRule("nets", "example.com"), expected: [entry("net/invalid")] },
  { name: "catch-all IPv4 in notNets", yaml: netRule("notNets", "0.0.0.0/0"), expected: [entry("net/catch-all-negation", "notNets")] },
  { name: "catch-all IPv6 in notNets", yaml: netRule("notNets", "::/0"), expected: [entry("net/catch-all-negation", "notNets")] },
  { name: "IPv4 and IPv6 in one list", yaml: netRule("nets", "10.0.0.0/8", "fd00::/8"),
    expected: [{ code: "net/mixed-families", line: 8, col: 9, path: "spec.ingress[0].source.nets" }] },
  { name: "IPv4 source and IPv6 destination",
    yaml: rulePolicy(["action: Allow", "source:", "  nets: [10.0.0.0/8]", "destination:", '  notNets: ["fd00::/8"]']),
    expected: [{ code: "net/mixed-families", line: 10, col: 9, path: "spec.ingress[0].destination.notNets" }] },
  { name: "ipVersion 6 with IPv4 nets",
    yaml: rulePolicy(["action: Allow", "ipVersion: 6", "source:", "  nets: [10.0.0.0/8]"]),
    expected: [{ code: "net/ip-version-mismatch", line: 9, col: 9, path: "spec.ingress[0].source.nets" }] },
  { name: "ipVersion 4 with IPv6 notNets",
    yaml: rulePolicy(["action: Allow", "ipVersion: 4", "destination:", '  notNets: ["fd00::/8"]']),
    expected: [{ code: "net/ip-version-mismatch", line: 9, col: 9, path: "spec.ingress[0].destination.notNets" }] },
  { name: "257 nets (Calico 3.33)", version: "3.33", yaml: rulePolicy(["action: Allow", "destination:", `  nets: [${Array.from({ length: 257 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(", ")}]`]),
    expected: [{ code: "net/too-many", line: 8, col: 9, path: "spec.ingress[0].destination.nets" }] },
  { name: "256 nets", expected: [],
    yaml: rulePolicy(["action: Allow", "destination:", `  nets: [${Array.from({ length: 256 }, (_, i) => `10.0.0.${i}`).join(", ")}]`]) },
];

describe("rule net checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });

  test("a host-bits message gives the network address", () => {
    expect(validateYaml(netRule("nets", "10.0.0.1/24"))[0].message).toBe(
      '"10.0.0.1/24" has host bits set beyond its /24 prefix; rule nets must be the network address — write "10.0.0.0/24"');
    expect(validateYaml(netRule("nets", "fd00:0:0:1::1/64"))[0].message).toContain('write "fd00:0:0:1::/64"');
  });
});
