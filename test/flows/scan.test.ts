import { describe, expect, test } from "@jest/globals";
import { EnterpriseLineScanner, MAX_DEPTH, SCAN_FIELDS } from "../../src/flows/scan.js";

/**
 * The scanner must read a line exactly as JSON.parse does, or decline it: every line it accepts parses, and every
 * field of interest decodes (and its raw text parses) to JSON.parse's value. Lines are generated here from a seeded
 * PRNG: plain records, escapes, unicode, nested labels, odd whitespace, and hostile mutations of each.
 */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(17);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const WORDS = ["app", "web", "é", "日本", "😀", 'q"uote', "back\\slash", "tab\t", "nl\n", "\u2028", "\ud800", "-", "", "ctl\u0001", "/"];
const WS = ["", " ", "\t", "\r", "  \n "];
const sp = () => pick(WS);

/** A JSON string for s, sometimes with optional escapes (\/ and \u for plain characters). */
function str(s: string): string {
  const j = JSON.stringify(s);
  const r = rand();
  if (r < 0.15) return j.replace(/\//g, "\\/");
  if (r < 0.3) return j.replace(/[a-z]/, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return j;
}

function scalar(): string {
  return pick([() => str(pick(WORDS) + pick(WORDS)), () => String(Math.floor(rand() * 70000)), () => pick(["null", "true", "false", "-0", "1e2", "8080.0", "-1", "1E+400", "0.5"])])();
}

function labels(): string {
  const r = rand();
  if (r < 0.1) return str("-");
  if (r < 0.2) return "null";
  const list = Array.from({ length: Math.floor(rand() * 4) }, () => str(`${pick(WORDS)}=${pick(WORDS)}`)).join(`,${sp()}`);
  if (r < 0.3) return `{${sp()}"labels":${sp()}[${list}],${sp()}"nested":${sp()}{"a":[{"b":[1,2,{"c":null}]}]}}`;
  return `{${sp()}"labels":${sp()}[${sp()}${list}${sp()}]${sp()}}`;
}

function record(): string {
  const fields: Array<[string, string]> = [
    ["start_time", String(1700000000 + Math.floor(rand() * 1000))],
    ["source_type", str(pick(["wep", "net", "hep", "ns", "pub", "x"]))],
    ["source_namespace", str(pick(["ns-1", "-", "ns-é", 'n"s']))],
    ["source_name", str(pick(["pod-a", "-", "😀"]))],
    ["source_name_aggr", str(pick(["pod-*", "pvt", "pub"]))],
    ["source_ip", pick(['"10.0.0.1"', "null", '"fe80::1"', '"10.0.0.010"'])],
    ["source_labels", labels()],
    ["dest_type", str(pick(["wep", "net"]))],
    ["dest_namespace", str(pick(["ns-2", "-"]))],
    ["dest_name", str(pick(["pod-b", "-"]))],
    ["dest_name_aggr", str(pick(["pod-b-*", "pub"]))],
    ["dest_ip", pick(['"10.0.0.2"', "null", '"1.2.3.4"'])],
    ["dest_labels", labels()],
    ["proto", rand() < 0.7 ? str(pick(["tcp", "TCP", "udp", "6", "300"])) : scalar()],
    ["dest_port", rand() < 0.7 ? String(Math.floor(rand() * 70000)) : scalar()],
    ["source_port", rand() < 0.7 ? "null" : scalar()],
    ["num_flows", rand() < 0.7 ? String(1 + Math.floor(rand() * 20)) : scalar()],
    ["action", rand() < 0.8 ? str(pick(["allow", "deny"])) : scalar()],
    ["reporter", rand() < 0.8 ? str(pick(["src", "dst"])) : scalar()],
    ["policies", `{"all_policies":[${str("0|default|default.p|allow|0")}],"x":[[],{}]}`],
    ["host", str(pick(WORDS))],
  ];
  const kept = fields.filter(() => rand() < 0.93).sort(() => rand() - 0.5);
  return `${sp()}{${sp()}${kept.map(([k, v]) => `${JSON.stringify(k)}${sp()}:${sp()}${v}`).join(`${sp()},${sp()}`)}${sp()}}${sp()}`;
}

/** Hostile variants of a line: cut short, a character replaced, inserted or doubled, keys duplicated or escaped. */
function mutate(line: string): string {
  const at = Math.floor(rand() * line.length);
  const ch = pick(['"', "\\", "{", "}", "[", "]", ",", ":", " ", "0", "-", ".", "e", "\u0000", "\u001f", "x", "\ufeff"]);
  switch (Math.floor(rand() * 7)) {
    case 0:
      return line.slice(0, at);
    case 1:
      return line.slice(0, at) + ch + line.slice(at + 1);
    case 2:
      return line.slice(0, at) + ch + line.slice(at);
    case 3:
      return line.replace(/"(dest_port|proto|source_ip)"\s*:\s*([^,}]+)/, (m) => `${m},${m}`);
    case 4:
      return line.replace('"dest_port"', '"dest\\u005fport"');
    case 5:
      return line.replace(/}\s*$/, ',"_source":{}}');
    default:
      return line + ch;
  }
}

/** JSON.parse's reading, or undefined when it throws. */
function parsed(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** Accepted: the fields that differ from JSON.parse's reading (none when exact); declined: undefined. */
function mismatches(scanner: EnterpriseLineScanner, line: string): string[] | undefined {
  if (!scanner.scan(line)) return undefined;
  const value = parsed(line);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`accepted a line JSON.parse reads as ${String(value)}: ${line}`];
  const doc = value as Record<string, unknown>;
  const wrong: string[] = [];
  SCAN_FIELDS.forEach((field, slot) => {
    const own = Object.prototype.hasOwnProperty.call(doc, field);
    if (own !== scanner.start[slot] >= 0) wrong.push(`${field} presence in ${line}`);
    else if (own && !Object.is(JSON.stringify(scanner.decode(slot)), JSON.stringify(doc[field]))) wrong.push(`${field} value in ${line}`);
    else if (own && JSON.stringify(JSON.parse(scanner.raw(slot)!)) !== JSON.stringify(doc[field])) wrong.push(`${field} raw text in ${line}`);
    else if (own && typeof doc[field] === "number" && !Object.is(scanner.decode(slot), doc[field])) wrong.push(`${field} number in ${line}`);
  });
  return wrong;
}

function expectExact(scanner: EnterpriseLineScanner, line: string): boolean {
  const wrong = mismatches(scanner, line);
  if (wrong === undefined) return false;
  expect(wrong).toEqual([]);
  return true;
}

describe("EnterpriseLineScanner reads a line exactly as JSON.parse or declines it", () => {
  const scanner = new EnterpriseLineScanner();

  test("generated records (escapes, unicode, nested labels, odd whitespace): all accepted and exact", () => {
    const wrong: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const line = record();
      wrong.push(...(mismatches(scanner, line) ?? [`declined ${line}`]));
    }
    expect(wrong).toEqual([]);
  });

  test("hostile mutations: never accepts a line JSON.parse rejects; what it accepts is exact", () => {
    let accepted = 0;
    let invalid = 0;
    const wrong: string[] = [];
    for (let i = 0; i < 10000; i++) {
      const line = mutate(record());
      if (parsed(line) === undefined) {
        invalid++;
        if (scanner.scan(line)) wrong.push(`accepted invalid JSON: ${line}`);
        continue;
      }
      const m = mismatches(scanner, line);
      if (m === undefined) continue;
      accepted++;
      wrong.push(...m);
    }
    expect(wrong).toEqual([]);
    expect(invalid).toBeGreaterThan(3000); // the mutations do reach invalid JSON
    expect(accepted).toBeGreaterThan(1000); // and leave many lines the scanner still reads
  });

  test.each([
    ["a field of interest given twice (JSON.parse keeps the last)", '{"proto":"tcp","proto":"udp"}'],
    ["a key spelled with an escape", '{"dest\\u005fport":80,"proto":"tcp"}'],
    ["the search-hit wrapper", '{"_source":{"proto":"tcp"}}'],
    ["a Goldmane key", '{"flow":{"Key":{}},"proto":"tcp"}'],
    ["a byte-order mark", '\ufeff{"proto":"tcp"}'],
    ["an array", '[{"proto":"tcp"}]'],
    ["trailing text", '{"proto":"tcp"} x'],
    ["a lone minus", '{"dest_port":-}'],
    ["a leading zero", '{"dest_port":080}'],
    ["a bad escape", '{"host":"\\x41"}'],
    ["a raw control character", '{"host":"a\u0001"}'],
    ["nesting deeper than MAX_DEPTH", `{"x":${"[".repeat(MAX_DEPTH + 1)}${"]".repeat(MAX_DEPTH + 1)}}`],
  ])("declines %s", (_, line) => {
    expect(scanner.scan(line)).toBe(false);
  });

  test("nesting up to MAX_DEPTH is read; a duplicate of a field of no interest is allowed", () => {
    expect(expectExact(scanner, `{"x":${"[".repeat(MAX_DEPTH)}${"]".repeat(MAX_DEPTH)},"host":1,"host":2,"proto":"tcp"}`)).toBe(true);
  });

  test("endpoint hashes: equal raw fields hash equal, and sameRaw compares raw text", () => {
    const a = '{"source_type":"wep","source_ip":"10.0.0.1","source_labels":{"labels":["a=b"]},"host":"n1"}';
    const b = '{ "host":"n2", "source_ip":"10.0.0.1" , "source_type":"wep","source_labels":{"labels":["a=b"]}}';
    expect(scanner.scan(a)).toBe(true);
    const h = scanner.endpointHash([0, 1, 2, 3, 4, 5]);
    const raw = scanner.raw(5);
    expect(scanner.scan(b)).toBe(true);
    expect(scanner.endpointHash([0, 1, 2, 3, 4, 5])).toBe(h);
    expect(scanner.sameRaw(5, raw)).toBe(true);
    expect(scanner.sameRaw(1, undefined)).toBe(true);
    expect(scanner.sameRaw(4, '"10.0.0.2"')).toBe(false);
  });
});
