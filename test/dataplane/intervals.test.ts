import { describe, expect, test } from "@jest/globals";
import { parseCidr } from "../../src/engine/index.js";
import { mergedElements, rangeToCidrs } from "../../src/dataplane/index.js";

/** Interval-set elements: nft refuses overlaps, and Felix livelocked on them (calico#12851), so they are merged. */
describe("CIDR merging for interval sets", () => {
  const merge = (nets: string[], v: 4 | 6 = 4) => mergedElements(nets.map((n) => parseCidr(n)!), v);

  test.each([
    [["10.0.0.0/8", "10.1.0.0/16"], ["10.0.0.0/8"]],
    [["10.0.0.0/25", "10.0.0.128/25"], ["10.0.0.0/24"]],
    [["10.0.0.1", "10.0.0.2", "10.0.0.3"], ["10.0.0.1", "10.0.0.2/31"]],
    [["203.0.113.7/32", "203.0.113.0/25", "203.0.113.128/25"], ["203.0.113.0/24"]],
    [["192.168.0.0/16", "10.0.0.0/8"], ["10.0.0.0/8", "192.168.0.0/16"]],
    [["10.0.0.1/24"], ["10.0.0.0/24"]],
    [["0.0.0.0/0", "10.0.0.0/8"], ["0.0.0.0/0"]],
  ])("%j -> %j", (nets: string[], expected: string[]) => {
    expect(merge(nets)).toEqual(expected);
  });

  test("families are kept apart; IPv6 merges the same way", () => {
    expect(merge(["2001:db8::/33", "2001:db8:8000::/33", "10.0.0.0/8"], 6)).toEqual(["2001:db8::/32"]);
  });

  test("a range splits into the fewest aligned CIDRs", () => {
    expect(rangeToCidrs({ lo: 0x0a000001n, hi: 0x0a000006n }, 4)).toEqual(["10.0.0.1", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6"]);
  });
});
