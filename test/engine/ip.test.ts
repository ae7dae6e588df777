import { describe, expect, test } from "@jest/globals";
import { cidrContains, formatCidr, formatIp, parseCidr, parseIp } from "../../src/engine/ip.js";
import { parseNet } from "../../src/policy/validate/cidr.js";

describe("engine IP parsing", () => {
  test.each([
    ["10.1.2.3", "10.1.2.3"],
    ["::1", "::1"],
    ["::ffff:1.2.3.4", "::ffff:102:304"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
  ])("parses %s and prints it as %s", (text, printed) => {
    const ip = parseIp(text);
    expect(ip).toBeDefined();
    expect(formatIp(ip!)).toBe(printed);
  });

  test.each(["010.0.0.1", "1.2.3", "256.0.0.1", "fe80::1%eth0", "1::2::3", "1:2:3:4:5:6:7:8:9", ""])("rejects %j", (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  test("a CIDR keeps its network address and notes host bits", () => {
    const cidr = parseCidr("10.0.0.1/24")!;
    expect(formatCidr(cidr)).toBe("10.0.0.0/24");
    expect(cidr.hostBitsSet).toBe(true);
    expect(cidrContains(cidr, parseIp("10.0.0.200")!)).toBe(true);
    expect(cidrContains(cidr, parseIp("10.0.1.1")!)).toBe(false);
    expect(cidrContains(cidr, parseIp("::a00:1")!)).toBe(false);
  });

  test("a bare address is a full-length prefix", () => {
    expect(formatCidr(parseCidr("2001:db8::1")!)).toBe("2001:db8::1/128");
    expect(parseCidr("10.0.0.1")!.prefix).toBe(32);
  });

  test("a prefix with leading zeros reads as decimal, as Go's net.ParseCIDR reads it", () => {
    expect(formatCidr(parseCidr("10.0.0.0/024")!)).toBe("10.0.0.0/24");
  });

  test.each(["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8"])("rejects the CIDR %j", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  test.each(["10.0.0.0/024", "10.0.0.0/8", "10.0.0.1/24", "fd00::/8", "010.0.0.0/8", "10.0.0.0/33", "10.0.0.0/x"])(
    "accepts %j exactly when the validator does, so a validated net is a matched net",
    (text) => {
      expect(parseCidr(text) !== undefined).toBe(parseNet(text, { allowBare: true }) !== undefined);
    },
  );
});
