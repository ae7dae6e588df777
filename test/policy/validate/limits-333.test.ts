import { describe, expect, test } from "@jest/globals";
import { calicoMinor, parseCalicoVersion, type CalicoVersion } from "../../../src/policy/index.js";
import { found, rulePolicy, validateYaml, type Found, type Row } from "../validate-helpers.js";

/**
 * Calico 3.33's validation (limits-333.ts, with the CEL rules 3.32 already made in Go): every size limit at its
 * bound (nothing) and one past it (the code at its line and column) under 3.33, and one past it under 3.32 and 3.31
 * (nothing: their CRDs and Go validator have no such limits). Then ICMP against protocol and ipVersion, and services
 * against the other match fields, under both. Inputs are generated here; rule line n is file line 5 + n.
 */
const V333 = "3.33";
const meta = (kind: string) => (kind.includes("Global") ? "metadata: { name: p }" : "metadata: { name: p, namespace: ns }");
const policy = (kind: string, ...spec: string[]) =>
  ["apiVersion: projectcalico.org/v3", `kind: ${kind}`, meta(kind), "spec:", ...spec.map((l) => `  ${l}`), ""].join("\n");
const rules = (direction: string, n: number) => [`${direction}:`, ...Array.from({ length: n }, () => "  - action: Allow")];
const nets = (n: number) => `[${Array.from({ length: n }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`).join(", ")}]`;
const ports = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 1).join(", ")}]`;
/** A selector of exactly `n` characters. */
const selector = (n: number) => `a == '${"x".repeat(n - 7)}'`;
const side = (sideName: string, ...lines: string[]) => rulePolicy(["action: Allow", "protocol: TCP", `${sideName}:`, ...lines.map((l) => `  ${l}`)]);

/** One limit: the input at its bound, the input past it, and the diagnostic past it under 3.33. */
interface Limit {
  name: string;
  at: string;
  beyond: string;
  expected: Found;
}

const limits: Limit[] = [
  { name: "1024 ingress rules (NetworkPolicy)", at: policy("NetworkPolicy", ...rules("ingress", 1024)),
    beyond: policy("NetworkPolicy", ...rules("ingress", 1025)),
    expected: { code: "policy/too-many-rules", line: 5, col: 3, path: "spec.ingress" } },
  { name: "1024 egress rules (GlobalNetworkPolicy)", at: policy("GlobalNetworkPolicy", ...rules("egress", 1024)),
    beyond: policy("GlobalNetworkPolicy", "selector: all()", ...rules("egress", 1025)),
    expected: { code: "policy/too-many-rules", line: 6, col: 3, path: "spec.egress" } },
  { name: "1024 ingress rules (StagedNetworkPolicy)", at: policy("StagedNetworkPolicy", ...rules("ingress", 1024)),
    beyond: policy("StagedNetworkPolicy", ...rules("ingress", 1025)),
    expected: { code: "policy/too-many-rules", line: 5, col: 3, path: "spec.ingress" } },
  { name: "256 destination nets", at: side("destination", `nets: ${nets(256)}`), beyond: side("destination", `nets: ${nets(257)}`),
    expected: { code: "net/too-many", line: 9, col: 9, path: "spec.ingress[0].destination.nets" } },
  { name: "256 source notNets", at: side("source", `notNets: ${nets(256)}`), beyond: side("source", `notNets: ${nets(257)}`),
    expected: { code: "net/too-many", line: 9, col: 9, path: "spec.ingress[0].source.notNets" } },
  { name: "50 destination ports", at: side("destination", `ports: ${ports(50)}`), beyond: side("destination", `ports: ${ports(51)}`),
    expected: { code: "port/too-many", line: 9, col: 9, path: "spec.ingress[0].destination.ports" } },
  { name: "50 source notPorts", at: side("source", `notPorts: ${ports(50)}`), beyond: side("source", `notPorts: ${ports(51)}`),
    expected: { code: "port/too-many", line: 9, col: 9, path: "spec.ingress[0].source.notPorts" } },
  { name: "1024-character policy selector", at: policy("NetworkPolicy", `selector: ${selector(1024)}`),
    beyond: policy("NetworkPolicy", `selector: ${selector(1025)}`),
    expected: { code: "selector/too-long", line: 5, col: 13, path: "spec.selector" } },
  { name: "1024-character serviceAccountSelector", at: policy("StagedNetworkPolicy", `serviceAccountSelector: ${selector(1024)}`),
    beyond: policy("StagedNetworkPolicy", `serviceAccountSelector: ${selector(1025)}`),
    expected: { code: "selector/too-long", line: 5, col: 27, path: "spec.serviceAccountSelector" } },
  { name: "1024-character GNP namespaceSelector", at: policy("GlobalNetworkPolicy", `namespaceSelector: ${selector(1024)}`),
    beyond: policy("GlobalNetworkPolicy", `namespaceSelector: ${selector(1025)}`),
    expected: { code: "selector/too-long", line: 5, col: 22, path: "spec.namespaceSelector" } },
  { name: "1024-character rule selector", at: side("source", `selector: ${selector(1024)}`), beyond: side("source", `selector: ${selector(1025)}`),
    expected: { code: "selector/too-long", line: 9, col: 19, path: "spec.ingress[0].source.selector" } },
  { name: "1024-character rule notSelector", at: side("destination", `notSelector: ${selector(1024)}`),
    beyond: side("destination", `notSelector: ${selector(1025)}`),
    expected: { code: "selector/too-long", line: 9, col: 22, path: "spec.ingress[0].destination.notSelector" } },
  { name: "1024-character rule namespaceSelector", at: side("source", `namespaceSelector: ${selector(1024)}`),
    beyond: side("source", `namespaceSelector: ${selector(1025)}`),
    expected: { code: "selector/too-long", line: 9, col: 28, path: "spec.ingress[0].source.namespaceSelector" } },
];

describe("Calico 3.33's size limits", () => {
  test.each(limits)("$name: at the bound, nothing", ({ at }) => {
    expect(found(at, V333)).toEqual([]);
  });
  test.each(limits)("$name: one past it, the code at its position", ({ beyond, expected }) => {
    expect(found(beyond, V333)).toEqual([expected]);
  });
  test.each(limits)("$name: one past it under 3.32 and 3.31, nothing (no such limit before 3.33)", ({ beyond }) => {
    expect(found(beyond, "3.32")).toEqual([]);
    expect(found(beyond, "v3.32.1")).toEqual([]);
    expect(found(beyond, "3.31")).toEqual([]);
  });
  test("later releases keep the limits", () => {
    expect(found(limits[0].beyond, "3.34")).toEqual([limits[0].expected]);
    expect(found(limits[3].beyond, "v3.33.2")).toEqual([limits[3].expected]);
  });

  test("the message names the version and the bound", () => {
    expect(validateYaml(limits[0].beyond, V333)[0].message).toBe("1025 ingress rules; Calico 3.33 allows at most 1024 per direction. Split the policy");
    expect(validateYaml(limits[7].beyond, "v3.33.1")[0].message).toContain("selector is 1025 characters; Calico v3.33.1 allows at most 1024");
  });

  test("selector length counts characters, not UTF-16 units", () => {
    // 1024 characters, the last but one outside the Basic Multilingual Plane: 1025 UTF-16 units.
    const astral = `a == '${"x".repeat(1016)}\u{1F600}'`;
    expect([...astral].length).toBe(1024);
    expect(astral.length).toBe(1025);
    expect(found(policy("NetworkPolicy", `selector: "${astral}"`), V333)).toEqual([]);
    expect(found(policy("NetworkPolicy", `selector: "${astral.replace("a ==", "ab ==")}"`), V333))
      .toEqual([{ code: "selector/too-long", line: 5, col: 13, path: "spec.selector" }]);
  });

  test("serviceAccounts.selector has no length limit", () => {
    expect(found(side("source", "serviceAccounts:", `  selector: ${selector(2000)}`), V333)).toEqual([]);
  });

  test("a staged Delete is held to the schema too", () => {
    const yaml = policy("StagedNetworkPolicy", "stagedAction: Delete", ...rules("ingress", 1025));
    expect(found(yaml, V333).map((f) => f.code)).toContain("policy/too-many-rules");
    expect(found(yaml, "3.32").map((f) => f.code)).not.toContain("policy/too-many-rules");
  });
});

describe("the version model", () => {
  const v = (text: string) => parseCalicoVersion(text) as CalicoVersion;
  test("3.33 and later keep the v3.32 model and carry their minor release", () => {
    expect(v("3.33")).toEqual({ model: "v3.32", text: "3.33", minor: 33 });
    expect(v("v3.33.1")).toEqual({ model: "v3.32", text: "v3.33.1", minor: 33 });
    expect(v("3.30")).toEqual({ model: "v3.31", text: "3.30", minor: 30 });
  });
  test("a hand-built version without minor stands for its model's release", () => {
    expect(calicoMinor({ model: "v3.32", text: "3.32" })).toBe(32);
    expect(calicoMinor({ model: "v3.31", text: "3.31" })).toBe(31);
  });
});

/** 3.33's CEL rules that 3.32 already made in Go: the same diagnostics under both. */
const both: Row[] = [
  { name: "icmp with protocol ICMP and ipVersion 4", expected: [],
    yaml: rulePolicy(["action: Allow", "protocol: ICMP", "ipVersion: 4", "icmp: { type: 8 }"]) },
  { name: "icmp with protocol ICMPv6 and no ipVersion", expected: [], yaml: rulePolicy(["action: Allow", "protocol: ICMPv6", "icmp: { type: 128 }"]) },
  { name: "notICMP needs no protocol (the CEL rule reads icmp only)", expected: [], yaml: rulePolicy(["action: Allow", "notICMP: { type: 8 }"]) },
  { name: "icmp without a protocol", yaml: rulePolicy(["action: Allow", "icmp: { type: 8 }"]),
    expected: [{ code: "rule/icmp-needs-protocol", line: 7, col: 7, path: "spec.ingress[0].icmp" }] },
  { name: "icmp with protocol UDP", yaml: rulePolicy(["action: Allow", "protocol: UDP", "icmp: { type: 8 }"]),
    expected: [{ code: "rule/icmp-needs-protocol", line: 8, col: 7, path: "spec.ingress[0].icmp" }] },
  { name: "protocol ICMP with ipVersion 6", yaml: rulePolicy(["action: Allow", "protocol: ICMP", "ipVersion: 6"]),
    expected: [{ code: "rule/icmp-ip-version", line: 8, col: 18, path: "spec.ingress[0].ipVersion" }] },
  { name: "protocol ICMPv6 with ipVersion 4", yaml: rulePolicy(["action: Allow", "protocol: ICMPv6", "ipVersion: 4", "icmp: { type: 128 }"]),
    expected: [{ code: "rule/icmp-ip-version", line: 8, col: 18, path: "spec.ingress[0].ipVersion" }] },
  { name: "notProtocol ICMPv6 with ipVersion 4", yaml: rulePolicy(["action: Allow", "notProtocol: ICMPv6", "ipVersion: 4"]),
    expected: [{ code: "rule/icmp-ip-version", line: 8, col: 18, path: "spec.ingress[0].ipVersion" }] },
  { name: "notProtocol ICMP with ipVersion 6", yaml: rulePolicy(["action: Allow", "notProtocol: ICMP", "ipVersion: 6"]),
    expected: [{ code: "rule/icmp-ip-version", line: 8, col: 18, path: "spec.ingress[0].ipVersion" }] },
  { name: "services alone", expected: [], yaml: rulePolicy(["action: Allow", "destination:", "  services: { name: api }"], { direction: "egress" }) },
  { name: "services with an empty namespaceSelector (size 0 is unset)", expected: [],
    yaml: rulePolicy(["action: Allow", "destination:", "  services: { name: api }", "  namespaceSelector: ''"], { direction: "egress" }) },
  { name: "services with nets", yaml: rulePolicy(["action: Allow", "destination:", "  services: { name: api }", "  nets: [10.0.0.0/8]"], { direction: "egress" }),
    expected: [{ code: "service/conflicting-field", line: 9, col: 9, path: "spec.egress[0].destination.nets" }] },
  { name: "services with selector and serviceAccounts",
    yaml: rulePolicy(["action: Allow", "source:", "  services: { name: api }", "  selector: a == 'b'", "  serviceAccounts: { names: [x] }"]),
    expected: [
      { code: "service/conflicting-field", line: 10, col: 9, path: "spec.ingress[0].source.serviceAccounts" },
      { code: "service/conflicting-field", line: 9, col: 9, path: "spec.ingress[0].source.selector" },
    ] },
  { name: "destination services with notPorts", yaml: rulePolicy(["action: Allow", "protocol: TCP", "destination:", "  services: { name: api }", "  notPorts: [80]"], { direction: "egress" }),
    expected: [{ code: "service/ports", line: 10, col: 9, path: "spec.egress[0].destination.notPorts" }] },
];

describe("ICMP and services rules, the same under 3.33 and 3.32", () => {
  test.each(both)("$name", ({ yaml, expected }) => {
    expect(found(yaml, V333)).toEqual(expected);
    expect(found(yaml, "3.32")).toEqual(expected);
  });
});

describe("built-in tiers under 3.33", () => {
  test("the order and default action checks of 3.32 apply unchanged (3.33 moved them to CEL)", () => {
    const tier = (name: string, spec: string) => `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: ${name} }\nspec: ${spec}\n`;
    expect(found(tier("kube-admin", "{ order: 1000, defaultAction: Pass }"), V333)).toEqual([]);
    expect(found(tier("kube-baseline", "{ order: 10000000, defaultAction: Deny }"), V333))
      .toEqual([{ code: "tier/builtin-default-action", line: 4, col: 41, path: "spec.defaultAction" }]);
    expect(found(tier("default", "{ defaultAction: Deny }"), V333)).toEqual(found(tier("default", "{ defaultAction: Deny }"), "3.32"));
    expect(found(tier("default", "{ defaultAction: Deny }"), V333).map((f) => f.code)).toEqual(["tier/builtin-order"]);
  });
});
