import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { podInterfaces, podsOnNode } from "../../src/dataplane/index.js";
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
      'iifname { "cali0f9e8d7c6b5", "cali1a2b3c4d5e6" } iifname . ip saddr != @local_if_v4 drop comment "spoofed: an endpoint\'s interface carries only its addresses"',
      'ip saddr { 10.0.1.10, 10.0.1.20 } iifname . ip saddr != @local_if_v4 drop comment "spoofed: an endpoint\'s addresses come only from its interface"',
      'iifname { "cali0f9e8d7c6b5", "cali1a2b3c4d5e6" } iifname . ip6 saddr != @local_if_v6 drop comment "spoofed: an endpoint\'s interface carries only its addresses"',
      'ip6 saddr { fd00::10 } iifname . ip6 saddr != @local_if_v6 drop comment "spoofed: an endpoint\'s addresses come only from its interface"',
    ]);
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

/** nft's own parser, where root and nft exist (in a network namespace of its own); skipped with a message elsewhere. */
const nftCheck = spawnSync("unshare", ["-n", "nft", "-c", "-f", "/dev/null"]).status === 0;
describe("the interface ruleset passes nft -c", () => {
  (nftCheck ? test : test.skip)(nftCheck ? "nft -c accepts it" : "nft -c accepts it (skipped: needs root, unshare and nft)", () => {
    const r = spawnSync("unshare", ["-n", "nft", "-c", "-f", "-"], { input: text(build(TIERED, ROUTED)), encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
  });
});
