import { describe, expect, test } from "@jest/globals";
import { found, rulePolicy, validateYaml, type Row } from "./validate-helpers.js";

/**
 * rule.ts: action, protocol/notProtocol, ports against the protocol (by version), ICMP and ipVersion
 * (calico-semantics §12 "Rule"). Rule line n is file line 5 + n; top-level rule keys are at column 7, keys under
 * source/destination/icmp at column 9.
 */
const rows: Row[] = [
  // Valid rules.
  { name: "a TCP rule with numeric, range and named ports", expected: [],
    yaml: rulePolicy(["action: Allow", "protocol: TCP", "destination:", '  ports: [80, "8000:8080", http]']) },
  { name: "protocol as a number and as a numeric string", expected: [],
    yaml: rulePolicy(["action: Deny", "protocol: 6", "notProtocol: \"17\"", "destination: { ports: [53] }"]) },
  { name: "every action and protocol name", expected: [],
    yaml: rulePolicy(["action: Log", "protocol: UDPLite"]) + "    - { action: Pass, protocol: SCTP }\n" },
  { name: "ICMPv6 with ipVersion 6 and type/code", expected: [],
    yaml: rulePolicy(["action: Allow", "protocol: ICMPv6", "ipVersion: 6", "icmp: { type: 128, code: 0 }"]) },
  { name: "notICMP with a type alone and no protocol", expected: [],
    yaml: rulePolicy(["action: Allow", "notICMP:", "  type: 8"]) },
  { name: "HEAD: named ports without a protocol", expected: [],
    yaml: rulePolicy(["action: Allow", "destination:", "  ports: [http, metrics]"]) },

  // action (case-sensitive, required)
  { name: "action missing", yaml: rulePolicy(["protocol: TCP"]),
    expected: [{ code: "rule/action-missing", line: 6, col: 7, path: "spec.ingress[0]" }] },
  { name: "action in lower case", yaml: rulePolicy(["action: allow"]),
    expected: [{ code: "rule/action-case", line: 6, col: 15, path: "spec.ingress[0].action" }] },
  { name: "action allowfoo", yaml: rulePolicy(["action: allowfoo"]),
    expected: [{ code: "rule/action-invalid", line: 6, col: 15, path: "spec.ingress[0].action" }] },
  { name: "action unknown", yaml: rulePolicy(["action: unknown"]),
    expected: [{ code: "rule/action-invalid", line: 6, col: 15, path: "spec.ingress[0].action" }] },

  // protocol and notProtocol
  { name: "protocol tcp (case)", yaml: rulePolicy(["action: Allow", "protocol: tcp"]),
    expected: [{ code: "rule/protocol-case", line: 7, col: 17, path: "spec.ingress[0].protocol" }] },
  { name: "protocol tcpfoo", yaml: rulePolicy(["action: Allow", "protocol: tcpfoo"]),
    expected: [{ code: "rule/protocol-invalid", line: 7, col: 17, path: "spec.ingress[0].protocol" }] },
  { name: 'protocol "256" as a string is a bad name', yaml: rulePolicy(["action: Allow", 'protocol: "256"']),
    expected: [{ code: "rule/protocol-invalid", line: 7, col: 17, path: "spec.ingress[0].protocol" }] },
  { name: "protocol 0", yaml: rulePolicy(["action: Allow", "protocol: 0"]),
    expected: [{ code: "rule/protocol-number", line: 7, col: 17, path: "spec.ingress[0].protocol" }] },
  { name: "protocol 256 as an int", yaml: rulePolicy(["action: Allow", "protocol: 256"]),
    expected: [{ code: "rule/protocol-number", line: 7, col: 17, path: "spec.ingress[0].protocol" }] },
  { name: "notProtocol udp (case)", yaml: rulePolicy(["action: Allow", "notProtocol: udp"]),
    expected: [{ code: "rule/protocol-case", line: 7, col: 20, path: "spec.ingress[0].notProtocol" }] },
  { name: "a mis-cased protocol still counts as TCP for ports", expected: [
      { code: "rule/protocol-case", line: 7, col: 17, path: "spec.ingress[0].protocol" }],
    yaml: rulePolicy(["action: Allow", "protocol: tcp", "destination: { ports: [80] }"]) },

  // ports against the protocol
  { name: "HEAD: numeric ports without a protocol", yaml: rulePolicy(["action: Allow", "destination:", "  ports: [80]"]),
    expected: [{ code: "rule/ports-need-protocol", line: 8, col: 9, path: "spec.ingress[0].destination.ports" }] },
  { name: "3.31: numeric ports without a protocol", version: "3.31",
    yaml: rulePolicy(["action: Allow", "destination:", "  ports: [80]"]),
    expected: [{ code: "rule/ports-need-protocol", line: 8, col: 9, path: "spec.ingress[0].destination.ports" }] },
  { name: "3.31: named ports without a protocol", version: "3.31",
    yaml: rulePolicy(["action: Allow", "destination:", "  ports: [http]"]),
    expected: [{ code: "rule/ports-need-protocol", line: 8, col: 9, path: "spec.ingress[0].destination.ports" }] },
  { name: "HEAD: a range in source notPorts without a protocol",
    yaml: rulePolicy(["action: Allow", "source:", '  notPorts: ["1000:2000"]']),
    expected: [{ code: "rule/ports-need-protocol", line: 8, col: 9, path: "spec.ingress[0].source.notPorts" }] },
  { name: "named ports with ICMP", yaml: rulePolicy(["action: Allow", "protocol: ICMP", "destination:", "  ports: [http]"]),
    expected: [{ code: "rule/ports-protocol", line: 9, col: 9, path: "spec.ingress[0].destination.ports" }] },
  { name: "source notPorts with UDPLite",
    yaml: rulePolicy(["action: Allow", "protocol: UDPLite", "source:", "  notPorts: [53]"]),
    expected: [{ code: "rule/ports-protocol", line: 9, col: 9, path: "spec.ingress[0].source.notPorts" }] },
  { name: "ports with protocol number 1", yaml: rulePolicy(["action: Allow", "protocol: 1", "destination:", "  ports: [7]"]),
    expected: [{ code: "rule/ports-protocol", line: 9, col: 9, path: "spec.ingress[0].destination.ports" }] },

  // ICMP
  { name: "ICMP type 255", yaml: rulePolicy(["action: Allow", "protocol: ICMP", "icmp:", "  type: 255"]),
    expected: [{ code: "rule/icmp-type-range", line: 9, col: 15, path: "spec.ingress[0].icmp.type" }] },
  { name: "ICMP code 256", yaml: rulePolicy(["action: Allow", "protocol: ICMP", "icmp:", "  type: 3", "  code: 256"]),
    expected: [{ code: "rule/icmp-code-range", line: 10, col: 15, path: "spec.ingress[0].icmp.code" }] },
  { name: "ICMP code without a type", yaml: rulePolicy(["action: Allow", "protocol: ICMP", "icmp:", "  code: 1"]),
    expected: [{ code: "rule/icmp-code-without-type", line: 9, col: 9, path: "spec.ingress[0].icmp.code" }] },
  { name: "notICMP code without a type", yaml: rulePolicy(["action: Allow", "protocol: ICMP", "notICMP:", "  code: 1"]),
    expected: [{ code: "rule/icmp-code-without-type", line: 9, col: 9, path: "spec.ingress[0].notICMP.code" }] },
  { name: "icmp without a protocol", yaml: rulePolicy(["action: Allow", "icmp:", "  type: 8"]),
    expected: [{ code: "rule/icmp-needs-protocol", line: 7, col: 7, path: "spec.ingress[0].icmp" }] },
  { name: "icmp with protocol TCP", yaml: rulePolicy(["action: Allow", "protocol: TCP", "icmp:", "  type: 8"]),
    expected: [{ code: "rule/icmp-needs-protocol", line: 8, col: 7, path: "spec.ingress[0].icmp" }] },
  { name: "protocol ICMP with ipVersion 6", yaml: rulePolicy(["action: Allow", "protocol: ICMP", "ipVersion: 6"]),
    expected: [{ code: "rule/icmp-ip-version", line: 8, col: 18, path: "spec.ingress[0].ipVersion" }] },
  { name: "protocol 1 with ipVersion 6", yaml: rulePolicy(["action: Allow", "protocol: 1", "ipVersion: 6"]),
    expected: [{ code: "rule/icmp-ip-version", line: 8, col: 18, path: "spec.ingress[0].ipVersion" }] },
  { name: "notProtocol ICMPv6 with ipVersion 4", yaml: rulePolicy(["action: Allow", "notProtocol: ICMPv6", "ipVersion: 4"]),
    expected: [{ code: "rule/icmp-ip-version", line: 8, col: 18, path: "spec.ingress[0].ipVersion" }] },

  // ipVersion
  { name: "ipVersion 5", yaml: rulePolicy(["action: Allow", "ipVersion: 5"]),
    expected: [{ code: "rule/ip-version", line: 7, col: 18, path: "spec.ingress[0].ipVersion" }] },
  { name: "ipVersion 0", yaml: rulePolicy(["action: Allow", "ipVersion: 0"]),
    expected: [{ code: "rule/ip-version", line: 7, col: 18, path: "spec.ingress[0].ipVersion" }] },
  { name: "egress rules are checked too", yaml: rulePolicy(["action: deny"], { direction: "egress" }),
    expected: [{ code: "rule/action-case", line: 6, col: 15, path: "spec.egress[0].action" }] },
];

describe("rule checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });

  test("messages say how to fix the problem", () => {
    const [d] = validateYaml(rulePolicy(["action: Allow", "protocol: tcp"]));
    expect(d.message).toBe('protocol "tcp" is not valid: protocol names are case-sensitive; write "TCP"');
    expect(d.resource).toBe("NetworkPolicy ns/p");
    expect(d.severity).toBe("error");
    const [a] = validateYaml(rulePolicy(["action: allw"]));
    expect(a.message).toBe('action "allw" is not valid: use Allow, Deny, Log or Pass; did you mean "Allow"?');
  });
});
