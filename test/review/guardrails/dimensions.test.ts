import { describe, expect, test } from "@jest/globals";
import { parseCidr } from "../../../src/engine/ip.js";
import { compilePorts } from "../../../src/engine/compile.js";
import { IntervalSet } from "../../../src/review/guardrails/intervals.js";
import { cidrsToSet, describeNets, setToCidrs } from "../../../src/review/guardrails/cidrs.js";
import { describePorts, portCovers, portOverlap, portSpace, PortNames } from "../../../src/review/guardrails/ports.js";

/** The numeric dimensions of a traffic space: exact interval arithmetic on ports, protocols and addresses. */
const set = (...items: Array<[number, number]>) => IntervalSet.of(items.map(([a, b]) => [BigInt(a), BigInt(b)] as const));
const show = (s: IntervalSet) => s.items.map(([a, b]) => `${a}-${b}`).join(",");

describe("interval sets", () => {
  const rows: Array<[string, IntervalSet, string]> = [
    ["normalises overlaps and neighbours", set([5, 9], [1, 3], [4, 4], [20, 30], [25, 40]), "1-9,20-40"],
    ["minus splits", set([80, 90]).minus(set([85, 85])), "80-84,86-90"],
    ["minus at the edges", set([80, 90]).minus(set([70, 80], [90, 95])), "81-89"],
    ["intersect", set([1, 10], [20, 30]).intersect(set([5, 25])), "5-10,20-25"],
    ["union", set([1, 2]).union(set([3, 4])), "1-4"],
  ];
  test.each(rows)("%s", (_name, actual, expected) => expect(show(actual)).toBe(expected));

  test("covers and overlaps", () => {
    expect(set([80, 90]).covers(set([85, 85]))).toBe(true);
    expect(set([80, 90]).covers(set([85, 95]))).toBe(false);
    expect(set([80, 90]).overlaps(set([90, 95]))).toBe(true);
    expect(set([80, 90]).overlaps(set([91, 95]))).toBe(false);
  });
});

describe("ports, with named ports", () => {
  const names = new PortNames();
  const nobody = { resolve: () => [] };
  const http8080 = { resolve: (n: string) => (n === "http" ? [8080] : []) };
  const ports = (p: Array<number | string>, not?: Array<number | string>, source = nobody) =>
    portSpace(compilePorts(p), not ? compilePorts(not) : undefined, 6, names, source).set;

  test("ranges, notPorts and descriptions", () => {
    expect(describePorts(ports(["80:90"], [85]), names)).toBe("80-84, 86-90");
    expect(describePorts(portSpace(undefined, compilePorts([85]), 6, names, nobody).set, names)).toBe("any except 85");
  });

  test("a named port that nobody declares is comparable with itself only", () => {
    expect(portOverlap(ports(["http"]), ports(["http"]))).toBe("yes");
    expect(portOverlap(ports(["http"]), ports([8080]))).toBe("unknown");
    expect(portOverlap(ports(["http"]), ports(["grpc"]))).toBe("no");
    expect(portCovers(portSpace(undefined, undefined, 6, names, nobody).set, ports(["http"]))).toBe("yes");
    expect(portCovers(ports([8080]), ports(["http"]))).toBe("unknown");
  });

  test("a named port a known workload declares becomes its number", () => {
    const space = portSpace(compilePorts(["http"]), undefined, 6, names, http8080);
    expect(describePorts(space.set, names)).toBe("8080");
    expect(space.resolved).toEqual(['named port "http" (8080 on the known workloads that declare it)']);
    expect(portCovers(ports([8080]), space.set)).toBe("yes");
  });
});

describe("addresses", () => {
  const cidrs = (...t: string[]) => cidrsToSet(t.map((x) => parseCidr(x)!), 4);

  test("sets to the fewest CIDRs", () => {
    expect(setToCidrs(cidrs("10.0.0.0/8").minus(cidrs("10.0.0.0/9")), 4)).toEqual(["10.128.0.0/9"]);
    expect(setToCidrs(cidrs("192.168.1.0/24").minus(cidrs("192.168.1.128/26")), 4)).toEqual(["192.168.1.0/25", "192.168.1.192/26"]);
  });

  test("descriptions pick the shorter of the set and its complement", () => {
    expect(describeNets(cidrs("10.0.0.0/8", "172.16.0.0/12"), 4)).toBe("10.0.0.0/8, 172.16.0.0/12");
    expect(describeNets(cidrs("0.0.0.0/0").minus(cidrs("203.0.113.0/24")), 4)).toBe("any address except 203.0.113.0/24");
  });

  test("IPv6", () => {
    const v6 = cidrsToSet([parseCidr("2001:db8::/32")!], 6).minus(cidrsToSet([parseCidr("2001:db8:bad::/48")!], 6));
    expect(describeNets(v6, 6).startsWith("2001:db8::/37")).toBe(true);
  });
});
