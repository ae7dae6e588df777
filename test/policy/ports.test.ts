import { describe, expect, test } from "@jest/globals";
import { found, rulePolicy, validateYaml, type Row } from "./validate-helpers.js";

/**
 * ports.ts: port entries (numbers, "lo:hi" ranges, digit strings, named ports) and the 50-entry limit
 * (calico-semantics §12 "Port values"). Each entry is on its own line: entry k is file line 9 + k, column 13.
 */
const portRule = (...entries: string[]) =>
  rulePolicy(["action: Allow", "protocol: TCP", "destination:", "  ports:", ...entries.map((e) => `    - ${e}`)]);
const at = (code: string, index = 0) => ({
  code,
  line: 10 + index,
  col: 13,
  path: `spec.ingress[0].destination.ports[${index}]`,
});

const rows: Row[] = [
  { name: "numbers, digit strings, ranges and names", expected: [],
    yaml: portRule("1", "65535", '"443"', '"8000:8080"', '"80:80"', "http", "metrics-1", "h2c") },
  { name: "port 0", yaml: portRule("0"), expected: [at("port/out-of-range")] },
  { name: "port 65536", yaml: portRule("65536"), expected: [at("port/out-of-range")] },
  { name: 'port "0" as a string', yaml: portRule('"0"'), expected: [at("port/out-of-range")] },
  { name: "range lo > hi", yaml: portRule('"90:80"'), expected: [at("port/range-order")] },
  { name: "range starting at 0", yaml: portRule('"0:80"'), expected: [at("port/out-of-range")] },
  { name: "range past 65535", yaml: portRule('"80:70000"'), expected: [at("port/out-of-range")] },
  { name: "a dash range is a bad name", yaml: portRule('"80-90"'), expected: [at("port/invalid-name")] },
  { name: "unparseable entry", yaml: portRule('"http/1"'), expected: [at("port/invalid")] },
  { name: "upper-case name", yaml: portRule("HTTP"), expected: [at("port/invalid-name")] },
  { name: "underscore in a name", yaml: portRule("my_port"), expected: [at("port/invalid-name")] },
  { name: "double dash in a name", yaml: portRule("a--b"), expected: [at("port/invalid-name")] },
  { name: "name over 15 characters", yaml: portRule("averyverylongname"), expected: [at("port/invalid-name")] },
  { name: "every bad entry is reported", yaml: portRule("80", "0", "HTTP"),
    expected: [at("port/out-of-range", 1), at("port/invalid-name", 2)] },
  { name: "51 ports in one list (Calico 3.33)", version: "3.33",
    yaml: rulePolicy(["action: Allow", "protocol: TCP", "destination:", `  ports: [${Array.from({ length: 51 }, (_, i) => i + 1).join(", ")}]`]),
    expected: [{ code: "port/too-many", line: 9, col: 9, path: "spec.ingress[0].destination.ports" }] },
  { name: "50 ports in one list", expected: [],
    yaml: rulePolicy(["action: Allow", "protocol: TCP", "destination:", `  ports: [${Array.from({ length: 50 }, (_, i) => i + 1).join(", ")}]`]) },
];

describe("port checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });

  test("messages carry the fix", () => {
    expect(validateYaml(portRule('"90:80"'))[0].message).toBe('port range "90:80" runs backwards (90 > 80); write it as "80:90"');
    expect(validateYaml(portRule('"80-90"'))[0].message).toBe(
      'named port "80-90" is not a valid port name: it must contain at least one letter; for a range write "80:90"');
    expect(validateYaml(portRule("HTTP"))[0].message).toBe(
      'named port "HTTP" is not a valid port name: it may contain only lower-case letters, digits and \'-\'; write "http"');
  });
});
