import { describe, expect, test } from "@jest/globals";
import { formatCidr, parseCidr, type Cidr } from "../../src/engine/index.js";
import { cidrForest, type CidrNode } from "../../src/review/connectivity/classes.js";

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
function randomCidrs(count: number): Cidr[] {
  let seed = 12345;
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
