import { describe, expect, test } from "@jest/globals";
import { build, chainWithComment, expectGolden, text } from "./helpers.js";
import { DOCS, FIELDS, KUBERNETES, NOT_EVALUATED, STAGED, TIERED } from "./fixtures.js";

/**
 * The node compiler, without root: golden files for whole rulesets (reviewed by hand once, then compared byte for
 * byte) and targeted assertions for each semantic point of issue 12. test/agent/kernel.test.ts proves the same
 * rulesets on a real kernel.
 */
describe("dataplane compile: golden files", () => {
  test.each([
    ["tiered", TIERED],
    ["staged", STAGED],
    ["kubernetes", KUBERNETES],
    ["fields", FIELDS],
  ])("%s", (name: string, yaml: string) => {
    expectGolden(name, text(build(yaml, DOCS)));
  });
});

describe("dataplane compile: tiers, Pass, end of tier, profile", () => {
  const nft = text(build(TIERED, DOCS));

  test("only local endpoints get chains; a policy that selects nothing local costs nothing", () => {
    expect(nft).toContain("10.0.1.10 : jump ep_e_in_");
    expect(nft).not.toContain("10.0.2.30 : jump"); // db-1 is on node-b
    expect(nft).not.toContain("only-on-node-b");
  });

  test("Pass sets the pass mark and returns; the tier chain then returns to the next tier", () => {
    const pol = chainWithComment(nft, "enforced ingress security|gnp:pass-shop");
    expect(pol).toEqual([
      expect.stringMatching(/^ip saddr @net4_\w+ counter name c_\w+ log prefix "tierguard security\/pass-shop " comment "security\|gnp:pass-shop\|ingress\[0\]\|log"$/),
      // A terminal rule without a protocol is counted per protocol (TCP, UDP, other), so its hits become flow records.
      expect.stringMatching(/^meta l4proto 6 ip saddr @net4_\w+ counter name c_\w+ jump deny comment "security\|gnp:pass-shop\|ingress\[1\]\|deny"$/),
      expect.stringMatching(/^meta l4proto 17 ip saddr @net4_\w+ counter name c_\w+ jump deny comment "security\|gnp:pass-shop\|ingress\[1\]\|deny"$/),
      expect.stringMatching(/^ip saddr @net4_\w+ counter name c_\w+ jump deny comment "security\|gnp:pass-shop\|ingress\[1\]\|deny"$/),
      expect.stringMatching(/^meta l4proto 6 counter name c_\w+ meta mark set meta mark \| 0x00100000 return comment "security\|gnp:pass-shop\|ingress\[2\]\|pass"$/),
      expect.stringMatching(/^meta l4proto 17 counter name c_\w+ meta mark set meta mark \| 0x00100000 return comment "security\|gnp:pass-shop\|ingress\[2\]\|pass"$/),
      expect.stringMatching(/^counter name c_\w+ meta mark set meta mark \| 0x00100000 return comment "security\|gnp:pass-shop\|ingress\[2\]\|pass"$/),
    ]);
    const tier = chainWithComment(nft, "enforced ingress tier security");
    expect(tier[0]).toBe("meta mark set meta mark & 0xffefffff");
    expect(tier).toContainEqual("meta mark & 0x00100000 == 0x00100000 return");
    expect(tier[tier.length - 1]).toMatch(/^counter name c_\w+ jump deny comment "security\|end of tier\|deny"$/);
  });

  test("a tier whose defaultAction is Pass ends by returning; past the last tier the profile allows", () => {
    const tier = chainWithComment(nft, "enforced ingress tier platform");
    expect(tier[tier.length - 1]).toMatch(/^counter name c_\w+ return comment "platform\|end of tier\|pass"$/);
    const ep = chainWithComment(nft, "enforced ingress: security, platform, default");
    expect(ep[ep.length - 1]).toMatch(/^counter name c_\w+ accept comment "profile kns.shop allow"$/);
  });

  test("egress at the source and ingress at the destination are separate base chains; established first", () => {
    expect(nft).toContain("\tchain walk_egress {\n\t\tcomment \"egress policy of local endpoints\"\n\t\ttype filter hook forward priority 0; policy accept;\n\t\tct state established,related accept\n");
    expect(nft).toContain("ip saddr vmap @e_eg_v4");
    expect(nft).toContain("ip daddr vmap @e_in_v4");
    expect(nft).toContain("type filter hook forward priority 10; policy accept;");
  });

  test("denied TCP gets a reset", () => {
    expect(chainWithComment(nft, "denied: TCP gets a reset")).toEqual(["meta l4proto tcp reject with tcp reset", "reject with icmpx type admin-prohibited"]);
  });

  test("deterministic: the same input compiles to the same bytes, whatever the order of the resources", () => {
    const docs = TIERED.split("\n---\n");
    const reversed = [...docs].reverse().join("\n---\n");
    expect(text(build(reversed, DOCS))).toEqual(nft);
  });
});

describe("dataplane compile: staged policies count, never decide", () => {
  const nft = text(build(STAGED, DOCS));

  test("the pending walk holds the staged policy with mark-and-return verdicts; the enforced walk does not", () => {
    const pending = chainWithComment(nft, "pending ingress security|snp:shop/api-tight");
    // One rule per family (the selector's set is per family), one counter for both.
    expect(pending).toEqual([
      expect.stringMatching(/^meta l4proto 6 ip saddr @sel4_\w+ .* counter name (c_\w+) meta mark set meta mark \| 0x00200000 return comment "security\|snp:shop\/api-tight\|ingress\[0\]\|allow"$/),
      expect.stringMatching(/^meta l4proto 6 ip6 saddr @sel6_\w+ .* meta mark set meta mark \| 0x00200000 return comment "security\|snp:shop\/api-tight\|ingress\[0\]\|allow"$/),
    ]);
    expect(pending[0].replace(/ip saddr @sel4_\w+/, "")).toEqual(pending[1].replace(/ip6 saddr @sel6_\w+/, ""));
    expect(nft).not.toMatch(/chain pol_e_in_\w+ \{\n\t\tcomment "enforced ingress security\|snp:/);
  });

  test("a staged Delete removes its enforced twin from the pending walk only", () => {
    expect(nft).toContain('comment "enforced ingress default|np:shop/api"');
    expect(nft).not.toContain('comment "pending ingress default|np:shop/api"');
  });
});

describe("dataplane compile: rule fields", () => {
  const nft = text(build(FIELDS, DOCS));
  const rules = chainWithComment(nft, "enforced ingress default|np:shop/fields");

  test("ICMP type and code", () => {
    expect(rules[0]).toMatch(/^meta l4proto 1 icmp type \. icmp code \{ 8 \. 0 \} counter/);
    expect(rules[1]).toMatch(/^meta l4proto 1 icmp type != 0 counter name c_\w+ jump deny/);
  });

  test("overlapping nets are merged before they reach an interval set (calico#12851)", () => {
    expect(nft).toMatch(/comment "nets 10\.0\.0\.0\/8"/);
    expect(nft).toMatch(/comment "nets 203\.0\.113\.0\/24"|elements = \{\n\t\t\t203\.0\.113\.0\/24\n/);
  });

  test("rules whose nets have no IPv6 entry apply to IPv4 only; ipVersion 6 rules to IPv6 only", () => {
    expect(rules.filter((r) => r.includes("ingress[6]"))).toEqual([
      expect.stringMatching(/^meta l4proto 6 ip6 saddr @net6_\w+ counter/),
      expect.stringMatching(/^meta l4proto 17 ip6 saddr @net6_\w+ counter/),
      expect.stringMatching(/^ip6 saddr @net6_\w+ counter/),
    ]);
    expect(rules.filter((r) => r.includes("ingress[2]"))).toHaveLength(1);
  });

  test("named ports become address . protocol . port sets (local addresses on the local side); numbers in the same rule match any address", () => {
    const named = nft.split("\n\tset ").find((s) => s.includes('comment "ports 6:443,8000-8200 local names http"') && s.startsWith("nport4"));
    expect(named).toContain("0.0.0.0/0 . 6 . 443");
    expect(named).toContain("0.0.0.0/0 . 6 . 8000-8200");
    expect(named).toContain("10.0.1.20 . 6 . 9090");
    // web-1's http (8080) lies inside 8000-8200: an overlapping element would be refused by nft, so it is left out.
    expect(named).not.toContain("8080");
  });

  test("notPorts is a negated protocol . port lookup, so packets without ports satisfy it", () => {
    expect(rules.find((r) => r.includes("ingress[2]"))).toMatch(/meta l4proto \. th dport != @port_\w+/);
  });
});

describe("dataplane compile: what the engine does not evaluate is refused", () => {
  test("HTTP matches and doNotTrack policies on local endpoints are refused; services on a remote pod are not", () => {
    const r = build(NOT_EVALUATED, DOCS).result;
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusals.map((x) => [x.code, x.policy, x.path, `${x.file}:${x.line}:${x.col}`])).toEqual([
      ["dataplane/not-evaluated", "GlobalNetworkPolicy untracked", "spec.doNotTrack", "policies.yaml:17:15"],
      ["dataplane/not-evaluated", "NetworkPolicy shop/uses-http", "spec.ingress[0]", "policies.yaml:8:7"],
    ]);
    expect(r.refusals[1].message).toContain("http matches are not evaluated");
  });
});
