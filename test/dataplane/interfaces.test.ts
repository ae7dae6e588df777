import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { calicoInterfaceName, compileRuleset, interfacePrefixProblem, MAX_INTERFACE_NAME, podInterfaces, podsOnNode } from "../../src/dataplane/index.js";
import { EngineUniverse, PolicySet } from "../../src/engine/index.js";
import { parseInventory } from "../../src/flows/index.js";
import { resources } from "../helpers/engine.js";
import { DOCS, PODS, TIERED } from "./fixtures.js";
import { build, chainWithComment, expectGolden, inventoryDocs, text } from "./helpers.js";

/**
 * Local endpoints are identified by their address on every node and, where the interface name is given
 * (annotation tierguard.dev/interface), also held to it: a routed node's veth carries only its pod's addresses and
 * those addresses come only from it. A bridge node gives no names, and its ruleset is the same as before.
 */
const ROUTED = inventoryDocs(
  PODS.map((p) => (p.name === "web-1" ? { ...p, iface: "cali1a2b3c4d5e6" } : p.name === "api-1" ? { ...p, iface: "cali0f9e8d7c6b5" } : { ...p, iface: "caliremote00001" })),
  { shop: { team: "shop", env: "prod" }, ops: { team: "ops" } },
  { "shop/web": { role: "frontend" }, "shop/api": { role: "backend" }, "shop/default": {}, "ops/prom": { role: "monitoring" } },
);

describe("dataplane compile: local endpoints by interface name where given", () => {
  test("golden: the (interface, address) sets and the anti-spoofing chains on the forward and input hooks", () => {
    expectGolden("interfaces", text(build(TIERED, ROUTED)));
  });

  test("the interfaces of this node's pods only; the ruleset names each local endpoint's", () => {
    expect([...podInterfaces(ROUTED, "node-a")].sort()).toEqual([["shop/api-1", "cali0f9e8d7c6b5"], ["shop/web-1", "cali1a2b3c4d5e6"]]);
    expect([...podsOnNode(ROUTED, "node-a")].sort()).toEqual(["shop/api-1", "shop/web-1"]);
    const b = build(TIERED, ROUTED);
    if (!b.result.ok) throw new Error("refused");
    expect(b.result.ruleset.local.map((e) => [e.name, e.interface])).toEqual([["api-1", "cali0f9e8d7c6b5"], ["web-1", "cali1a2b3c4d5e6"]]);
    const nft = b.result.ruleset.text;
    expect(nft).toContain('"cali1a2b3c4d5e6" . 10.0.1.10');
    expect(nft).toContain('"cali1a2b3c4d5e6" . fd00::10');
    expect(nft).not.toContain("caliremote00001");
    expect(chainWithComment(nft, "local endpoints held to their interfaces (forwarded traffic)")).toEqual([
      "type filter hook forward priority -20; policy accept;",
      'meta iifkind "bridge" return comment "bridged: the hook sees the bridge, not the pod\'s port; the address identifies the endpoint"',
      'iifname { "cali0f9e8d7c6b5", "cali1a2b3c4d5e6" } iifname . ip saddr != @local_if_v4 counter drop comment "spoofed: an endpoint\'s interface carries only its addresses"',
      'ip saddr { 10.0.1.10, 10.0.1.20 } iifname . ip saddr != @local_if_v4 counter drop comment "spoofed: an endpoint\'s addresses come only from its interface"',
      'iifname { "cali0f9e8d7c6b5", "cali1a2b3c4d5e6" } iifname . ip6 saddr != @local_if_v6 counter drop comment "spoofed: an endpoint\'s interface carries only its addresses"',
      'ip6 saddr { fd00::10 } iifname . ip6 saddr != @local_if_v6 counter drop comment "spoofed: an endpoint\'s addresses come only from its interface"',
    ]);
    // The input hook (pods to their node) sees the same: the same rules, bridged packets returned first.
    expect(chainWithComment(nft, "local endpoints held to their interfaces (traffic to this node)").slice(1)).toEqual(
      chainWithComment(nft, "local endpoints held to their interfaces (forwarded traffic)").slice(1),
    );
  });

  test("a bridge node (no names given) compiles to the same ruleset as before: no interface set, no spoof chain", () => {
    const nft = text(build(TIERED, DOCS));
    expect(nft).not.toMatch(/local_if_v|chain spoof/);
    expectGolden("tiered", nft);
  });

  test("a name nft cannot take is a warning, and that pod goes by its address only", () => {
    const docs = inventoryDocs(PODS.map((p) => (p.name === "web-1" ? { ...p, iface: 'eth0" accept' } : p)), { shop: {}, ops: {} });
    const b = build(TIERED, docs);
    if (!b.result.ok) throw new Error("refused");
    expect(b.result.ruleset.warnings).toContain('interface "eth0\\" accept" of shop/web-1 is not an interface name; the pod is identified by its address only');
    expect(b.result.ruleset.text).not.toContain("accept\" .");
    expect(b.result.ruleset.text).not.toMatch(/chain spoof/);
  });
});

describe("bridge nodes: nothing a bridge carries is taken for one pod's interface", () => {
  test("a name several local pods share (a bridge) is a warning; those pods go by address only, no spoof chain", () => {
    const docs = inventoryDocs(PODS.map((p) => ({ ...p, iface: "br0" })), { shop: {}, ops: {} });
    const b = build(TIERED, docs);
    if (!b.result.ok) throw new Error("refused");
    expect(b.result.ruleset.warnings).toContain('interface "br0" is named by 2 pods on this node (shop/api-1, shop/web-1): a shared device, not one pod\'s; they are identified by their addresses only');
    expect(b.result.ruleset.local.map((e) => e.interface)).toEqual([undefined, undefined]);
    expect(b.result.ruleset.text).not.toMatch(/local_if_v|chain spoof|"br0"/);
  });
});

describe("Calico's computed interface names (no annotation, a prefix given)", () => {
  /** The rule, computed here independently: prefix + first 11 hex digits of SHA-1("<namespace>.<pod>"). */
  const rule = (prefix: string, ns: string, pod: string) => prefix + createHash("sha1").update(`${ns}.${pod}`).digest("hex").slice(0, 11);

  test("the rule, Calico's own test vector, and the 15-character limit", () => {
    expect(calicoInterfaceName("eni", "namespace", "podname")).toBe("eni82111e10a96"); // libcalico-go conversion_test.go
    expect(calicoInterfaceName("cali", "shop", "web-1")).toBe(rule("cali", "shop", "web-1"));
    expect(calicoInterfaceName("cali", "shop", "web-1")).toHaveLength(MAX_INTERFACE_NAME);
    const long = "x".repeat(253);
    expect(calicoInterfaceName("cali", long, long)).toHaveLength(15);
    expect(interfacePrefixProblem("cali")).toBeUndefined();
    expect(interfacePrefixProblem("calic")).toBe("an interface prefix has 1 to 4 characters (it is followed by 11 hex digits, and Linux allows 15), not 5");
    expect(interfacePrefixProblem("")).toBe("an interface prefix has 1 to 4 characters (it is followed by 11 hex digits, and Linux allows 15), not 0");
    expect(interfacePrefixProblem('c"a')).toBe("an interface prefix has letters, digits and _ . : @ + - only");
  });

  test("pods without the annotation are held to Calico's name; an annotation wins; other nodes' pods are not named", () => {
    const docs = inventoryDocs(PODS.map((p) => (p.name === "api-1" ? { ...p, iface: "eth-api" } : p)), { shop: {}, ops: {} });
    const universe = new EngineUniverse();
    const { inventory } = parseInventory(docs);
    const set = new PolicySet(resources(TIERED), { universe, namespaceLabels: new Map([...inventory.namespaces].map(([k, v]) => [k, v.labels])) });
    const r = compileRuleset({ policySet: set, universe, inventory, localPods: podsOnNode(docs, "node-a"), interfaces: podInterfaces(docs, "node-a"), interfacePrefix: "cali" });
    if (!r.ok) throw new Error("refused");
    expect(r.ruleset.local.map((e) => [e.name, e.interface])).toEqual([["api-1", "eth-api"], ["web-1", rule("cali", "shop", "web-1")]]);
    expect(r.ruleset.text).toContain(`"${rule("cali", "shop", "web-1")}" . 10.0.1.10`);
    expect(r.ruleset.text).not.toContain(rule("cali", "shop", "db-1"));
    // Without the prefix, the unannotated pod goes by address only (the old behaviour).
    const plain = compileRuleset({ policySet: set, universe, inventory, localPods: podsOnNode(docs, "node-a"), interfaces: podInterfaces(docs, "node-a") });
    if (!plain.ok) throw new Error("refused");
    expect(plain.ruleset.local.map((e) => [e.name, e.interface])).toEqual([["api-1", "eth-api"], ["web-1", undefined]]);
  });
});

/** nft's own parser, where root and nft exist (in a network namespace of its own); skipped with a message elsewhere. */
const nftCheck = spawnSync("unshare", ["-n", "nft", "-c", "-f", "/dev/null"]).status === 0;
describe("the interface ruleset passes nft -c", () => {
  (nftCheck ? test : test.skip)(nftCheck ? "nft -c accepts it" : "nft -c accepts it (skipped: needs root, unshare and nft)", () => {
    const r = spawnSync("unshare", ["-n", "nft", "-c", "-f", "-"], { input: text(build(TIERED, ROUTED)), encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
  });
});
