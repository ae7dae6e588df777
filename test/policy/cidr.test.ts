import { describe, expect, test } from "@jest/globals";
import { netContains, parseIpAddress, parseNet } from "../../src/policy/validate/cidr.js";

/** cidr.ts: strict address parsing (as Go's net.ParseIP), prefixes, host bits and containment. */
const addresses: Array<[string, 4 | 6 | undefined]> = [
  ["10.0.0.1", 4],
  ["0.0.0.0", 4],
  ["255.255.255.255", 4],
  ["256.0.0.1", undefined],
  ["10.0.0", undefined],
  ["10.0.0.1.2", undefined],
  ["010.0.0.1", undefined],
  ["10.0.0.-1", undefined],
  [" 10.0.0.1", undefined],
  ["::", 6],
  ["::1", 6],
  ["fd00::", 6],
  ["2001:db8:0:0:0:0:0:1", 6],
  ["2001:DB8::1", 6],
  ["::ffff:10.0.0.1", 6],
  ["1:2:3:4:5:6:1.2.3.4", 6],
  ["1:2:3:4:5:6:7::", 6],
  ["1:2:3:4:5:6:7:8:9", undefined],
  ["1:2:3:4:5:6:7", undefined],
  ["1::2::3", undefined],
  [":1::", undefined],
  ["12345::", undefined],
  ["fe80::1%eth0", undefined],
  ["::ffff:10.0.0.256", undefined],
];

const nets: Array<[string, boolean, { version: 4 | 6; prefix: number; hostBits: boolean; bare: boolean } | undefined]> = [
  ["10.0.0.0/8", false, { version: 4, prefix: 8, hostBits: false, bare: false }],
  ["10.0.0.1/8", false, { version: 4, prefix: 8, hostBits: true, bare: false }],
  ["10.0.0.1/32", false, { version: 4, prefix: 32, hostBits: false, bare: false }],
  ["0.0.0.0/0", false, { version: 4, prefix: 0, hostBits: false, bare: false }],
  ["10.0.0.1", false, undefined],
  ["10.0.0.1", true, { version: 4, prefix: 32, hostBits: false, bare: true }],
  ["10.0.0.0/33", true, undefined],
  ["10.0.0.0/", true, undefined],
  ["10.0.0.0/8/8", true, undefined],
  ["10.0.0.0/-1", true, undefined],
  ["fd00::/8", false, { version: 6, prefix: 8, hostBits: false, bare: false }],
  ["fd00::1/64", false, { version: 6, prefix: 64, hostBits: true, bare: false }],
  ["::/0", false, { version: 6, prefix: 0, hostBits: false, bare: false }],
  ["fd00::/129", false, undefined],
];

describe("cidr helpers", () => {
  test.each(addresses)("address %j is IPv%s", (text, version) => {
    expect(parseIpAddress(text)?.version).toBe(version);
  });

  test.each(nets)("net %j (bare allowed: %s)", (text, allowBare, expected) => {
    const net = parseNet(text, { allowBare });
    expect(net && { version: net.version, prefix: net.prefix, hostBits: net.hostBits, bare: net.bare }).toEqual(expected);
  });

  test("values", () => {
    expect(parseIpAddress("10.1.2.3")?.value).toBe(0x0a010203n);
    expect(parseIpAddress("::ffff:10.1.2.3")?.value).toBe(0xffff0a010203n);
    expect(parseIpAddress("1::2")?.value).toBe((1n << 112n) | 2n);
  });

  test.each([
    ["10.0.0.0/8", "10.1.0.0/16", true],
    ["10.0.0.0/8", "10.0.0.0/8", true],
    ["10.0.0.0/8", "11.0.0.0/16", false],
    ["10.0.0.0/16", "10.0.0.0/8", false],
    ["10.0.0.0/8", "fd00::/16", false],
    ["fd00::/8", "fd00:1::/32", true],
    ["0.0.0.0/0", "192.168.1.1/32", true],
  ])("%s contains %s: %s", (outer, inner, expected) => {
    expect(netContains(parseNet(outer, { allowBare: false })!, parseNet(inner, { allowBare: false })!)).toBe(expected);
  });
});
