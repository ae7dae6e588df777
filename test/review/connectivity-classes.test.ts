import { describe, expect, test } from "@jest/globals";
import { formatCidr, formatIp, parseCidr, type Cidr, type Ip } from "../../src/engine/index.js";
import { cidrForest, externalClasses, regionIndex, type CidrNode, type EndpointClass } from "../../src/review/connectivity/classes.js";
import { reviewContext } from "../helpers/review.js";

/**
 * The external classes' CIDR forest (issue 15): a review adding 3,000 network sets spent 4.6 s CPU inserting each
 * CIDR from the root past every sibling. The forest is now built in one walk; these tests count its containment
 * tests and compare its shape with the old insertion's.
 */
const cidr = (text: string): Cidr => parseCidr(text)!;

/** The old construction: each CIDR, outermost first, inserted from the root (quadratic in siblings). */
function insertionForest(cidrs: readonly Cidr[]): CidrNode {
  const size = (c: Cidr) => BigInt((c.version === 4 ? 32 : 128) - c.prefix);
  const inside = (o: Cidr, i: Cidr) => i.prefix >= o.prefix && i.base >> size(o) === o.base >> size(o);
  const insert = (n: CidrNode, c: Cidr): void => {
    for (const child of n.children) if (inside(child.cidr!, c)) return insert(child, c);
    n.children.push({ cidr: c, children: [] });
  };
  const root: CidrNode = { children: [] };
  for (const c of [...cidrs].sort((a, b) => a.prefix - b.prefix)) insert(root, c);
  return root;
}

const shape = (n: CidrNode): unknown => ({ cidr: n.cidr && formatCidr(n.cidr), children: n.children.map(shape) });

/** Deterministic pseudo-random CIDRs inside 10.0.0.0/12, distinct, of prefixes 12-32: many nest, many are disjoint. */
function randomCidrs(count: number, seed = 12345): Cidr[] {
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const out = new Map<string, Cidr>();
  while (out.size < count) {
    const prefix = 12 + (next() % 21);
    const addr = 0x0a000000 + (next() % (1 << 20));
    const c = cidr(`${[24, 16, 8, 0].map((s) => (addr >>> s) & 255).join(".")}/${prefix}`);
    out.set(formatCidr(c), c);
  }
  return [...out.values()];
}

describe("external classes: the CIDR forest", () => {
  test("3,000 disjoint network-set /32s and their /24s: at most two containment tests per CIDR (the old insertion made millions)", () => {
    const cidrs: Cidr[] = [];
    for (let i = 0; i < 3000; i++) cidrs.push(cidr(`198.51.${Math.floor(i / 250)}.${i % 250}/32`));
    for (let i = 0; i < 12; i++) cidrs.push(cidr(`198.51.${i}.0/24`));
    const counter = { comparisons: 0 };
    const root = cidrForest(cidrs, counter);
    expect(counter.comparisons).toBeLessThanOrEqual(2 * cidrs.length);
    expect(root.children.map((n) => formatCidr(n.cidr!))).toEqual(Array.from({ length: 12 }, (_, i) => `198.51.${i}.0/24`));
    expect(root.children.map((n) => n.children.length)).toEqual(Array(12).fill(250));
  });

  test("the same forest as the old insertion, children in the same order, on 600 nested and disjoint CIDRs of both families", () => {
    const cidrs = [...randomCidrs(600), cidr("0.0.0.0/0"), cidr("fd00::/8"), cidr("fd00:1::/32"), cidr("2001:db8::/32")];
    const counter = { comparisons: 0 };
    const forest = cidrForest(cidrs.filter((c) => c.version === 4), counter);
    expect(shape(forest)).toEqual(shape(insertionForest(cidrs.filter((c) => c.version === 4))));
    expect(counter.comparisons).toBeLessThanOrEqual(2 * 601);
    expect(shape(cidrForest(cidrs.filter((c) => c.version === 6)))).toEqual(shape(insertionForest(cidrs.filter((c) => c.version === 6))));
  });
});

/** The old lookup: every region scanned for the innermost one holding the address. */
function scanRegion(classes: readonly EndpointClass[], ip: Ip): EndpointClass | undefined {
  const holds = (c: Cidr) => c.version === ip.version && ip.value >> BigInt((c.version === 4 ? 32 : 128) - c.prefix) === c.base >> BigInt((c.version === 4 ? 32 : 128) - c.prefix);
  let best: EndpointClass | undefined;
  for (const c of classes) {
    const r = c.region;
    if (!r || r.version !== ip.version || (r.cidr && !holds(r.cidr)) || r.holes.some(holds)) continue;
    if (!best || (r.cidr?.prefix ?? -1) > (best.region!.cidr?.prefix ?? -1)) best = c;
  }
  return best;
}

describe("external classes: placing a recorded address", () => {
  test("the longest-prefix lookup finds the region the old scan of every region found, for 2,000 addresses among 400 nested CIDRs", () => {
    const nets = randomCidrs(400, 777).map((c) => `"${formatCidr(c)}"`);
    const netset = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: { name: partners, labels: { role: partner } }\nspec: { nets: [${nets.join(", ")}, "2001:db8::/32"] }\n`;
    const ctx = reviewContext({ base: {}, head: { "partners.yaml": netset } });
    const classes = externalClasses([ctx.base.set, ctx.head.set], 0);
    const lookup = regionIndex(classes);
    let seed = 99;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const ips: Ip[] = [{ version: 4, value: 0x08080808n }, { version: 6, value: 0x20010db8000000000000000000000001n }, { version: 6, value: 1n }];
    for (let i = 0; i < 2000; i++) ips.push({ version: 4, value: BigInt(0x0a000000 + (next() % (1 << 20))) });
    const mismatches = ips.filter((ip) => lookup(ip) !== scanRegion(classes, ip)).map(formatIp);
    expect(mismatches).toEqual([]);
    expect(lookup({ version: 4, value: 0x08080808n })?.group.kind).toBe("anywhere");
  });
});
