import { describe, expect, jest, test } from "@jest/globals";
import { createFlowLineParser, detectFormat, locateJsonError, parseFlowLine } from "../../src/flows/index.js";
import { parseFlowValue } from "../../src/flows/detect.js";

const ENTERPRISE_LINE = JSON.stringify({
  source_type: "wep", source_namespace: "shop", source_name_aggr: "web-*", source_labels: "-",
  dest_type: "net", dest_name_aggr: "pub", dest_ip: "93.184.216.34", dest_port: 443, proto: "tcp",
  action: "allow", reporter: "src", num_flows: 2, bytes_in: 10, bytes_out: 20,
});
const GOLDMANE_LINE = JSON.stringify({
  id: "7",
  flow: { Key: { sourceType: "Network", sourceName: "pvt", destType: "WorkloadEndpoint", destName: "web-*", destNamespace: "shop", destPort: "80", proto: "tcp", reporter: "Dst", action: "Allow" } },
});

describe("detectFormat", () => {
  test.each([
    ["an Enterprise document", JSON.parse(ENTERPRISE_LINE), "enterprise"],
    ["an Elasticsearch hit", { _source: {} }, "enterprise"],
    ["a Goldmane FlowResult", JSON.parse(GOLDMANE_LINE), "goldmane"],
    ["a bare Goldmane Flow", { Key: {} }, "goldmane"],
    ["a Flow with a lower-case key", { key: {} }, "goldmane"],
    ["something else", { kind: "Pod" }, undefined],
    ["an array", [], undefined],
    ["null", null, undefined],
  ])("%s", (_name, value, format) => {
    expect(detectFormat(value)).toBe(format);
  });
});

describe("parseFlowLine", () => {
  test("dispatches on the detected format and says which it used", () => {
    const e = parseFlowLine(ENTERPRISE_LINE, 1);
    expect([e.format, e.record?.format, e.record?.numFlows, e.record?.dst.ip, e.diagnostics]).toEqual(["enterprise", "enterprise", 2, "93.184.216.34", []]);
    const g = parseFlowLine(GOLDMANE_LINE, 2);
    expect([g.format, g.record?.dstPort, g.record?.src.nameAggr, g.diagnostics]).toEqual(["goldmane", 80, "pvt", []]);
  });

  test.each([
    ["an empty line", ""],
    ["spaces and a carriage return", "   \r"],
  ])("a blank line is neither a record nor a problem: %s", (_name, text) => {
    expect(parseFlowLine(text, 3)).toEqual({ diagnostics: [] });
  });

  test("a byte-order mark is skipped, and columns still count it", () => {
    expect(parseFlowLine(`\uFEFF${ENTERPRISE_LINE}`, 1).record?.protocol).toBe("tcp");
    expect(parseFlowLine("\uFEFF{]", 1).diagnostics[0]).toMatchObject({ code: "flows/malformed-json", col: 3 });
  });

  test.each([
    ["a missing value", '{"proto": }', 11, 'malformed JSON at column 11: unexpected "}" where a value was expected'],
    ["a truncated line", '{"proto": "tcp", "dest_port": 4', 32, "malformed JSON at column 32: the line ends before the JSON value is complete"],
    ["single quotes", "{'proto': 'tcp'}", 2, 'malformed JSON at column 2: expected a double-quoted property name, found "\'"'],
    ["a trailing comma", '{"a": 1,}', 9, 'malformed JSON at column 9: expected a double-quoted property name, found "}"'],
    ["two objects on one line", '{"a":1} {"b":2}', 9, 'malformed JSON at column 9: unexpected "{" after the end of the JSON value'],
  ])("malformed JSON: %s", (_name, text, col, message) => {
    expect(parseFlowLine(text, 12)).toEqual({ diagnostics: [{ code: "flows/malformed-json", line: 12, col, message }] });
  });

  test.each([
    ["an array", "[1, 2]", "flows/not-an-object", "expected one JSON object per line, found an array"],
    ["a number", "42", "flows/not-an-object", "expected one JSON object per line, found 42"],
    ["a string", '"tcp"', "flows/not-an-object", 'expected one JSON object per line, found "tcp"'],
    ["an unknown object", '{"kind": "Pod"}', "flows/unknown-format", "the object is neither a Calico Enterprise flow log nor a Goldmane flow"],
  ])("refuses %s", (_name, text, code, message) => {
    expect(parseFlowLine(text, 8)).toEqual({ diagnostics: [{ code, line: 8, message }] });
  });

  test("a line over the limit is refused before parsing", () => {
    expect(parseFlowLine(ENTERPRISE_LINE, 5, { maxLineLength: 100 })).toEqual({
      diagnostics: [{ code: "flows/line-too-long", line: 5, message: `the line is ${ENTERPRISE_LINE.length} characters long; the limit is 100` }],
    });
    expect(parseFlowLine(ENTERPRISE_LINE, 5, { maxLineLength: ENTERPRISE_LINE.length }).record).toBeDefined();
  });

  test("a given format is held to: a line of the other format is reported", () => {
    expect(parseFlowLine(GOLDMANE_LINE, 4, { format: "enterprise" }).diagnostics).toEqual([
      { code: "flows/mixed-formats", line: 4, message: "the line is a Goldmane flow, but the file is read as Calico Enterprise flow logs" },
    ]);
  });

  test("record problems keep their codes and line through the dispatcher", () => {
    const text = ENTERPRISE_LINE.replace('"proto":"tcp"', '"proto":"tcpp"');
    expect(parseFlowLine(text, 30).diagnostics.map((d) => [d.code, d.line])).toEqual([["flows/bad-protocol", 30]]);
  });
});

describe("createFlowLineParser", () => {
  test("settles the format on the first good record", () => {
    const parse = createFlowLineParser();
    const results = ["", "{oops", GOLDMANE_LINE, ENTERPRISE_LINE, GOLDMANE_LINE].map((t, i) => parse(t, i + 1));
    expect(results.map((r) => [r.format, r.record?.line, r.diagnostics.map((d) => [d.code, d.line])])).toEqual([
      [undefined, undefined, []],
      [undefined, undefined, [["flows/malformed-json", 2]]],
      ["goldmane", 3, []],
      [undefined, undefined, [["flows/mixed-formats", 4]]],
      ["goldmane", 5, []],
    ]);
  });

  test("a failed first record does not settle the format", () => {
    const parse = createFlowLineParser();
    const broken = ENTERPRISE_LINE.replace('"proto":"tcp"', '"proto":"x"');
    expect(parse(broken, 1).record).toBeUndefined();
    expect(parse(GOLDMANE_LINE, 2).record?.format).toBe("goldmane");
  });
});

describe("locateJsonError", () => {
  test.each([
    ['{"a": [1, 2, {"b": null}], "c": "\\u00e9"}', undefined],
    ["  [true, false, -1.5e+3]  ", undefined],
    ['{"a": 01}', { offset: 7, reason: "malformed number" }],
    ['{"a": -}', { offset: 7, reason: "a number needs digits after '-'" }],
    ['{"a": "x\ty"}', { offset: 8, reason: "a control character must be escaped inside a string" }],
    ['{"a": "\\x"}', { offset: 7, reason: 'invalid escape "\\\\x"' }],
    ['{"a": "\\u12"}', { offset: 7, reason: "\\u needs four hex digits" }],
    ['{"a": "open', { offset: 11, reason: "the string is never closed" }],
    ['{"a" 1}', { offset: 5, reason: 'expected \':\' after a property name, found "1"' }],
    ["[1 2]", { offset: 3, reason: "expected ',' or ']', found \"2\"" }],
    ["[1,]", { offset: 3, reason: 'unexpected "]" where a value was expected' }],
    ["nul", { offset: 0, reason: 'unexpected "n" where a value was expected' }],
    ["", { offset: 0, reason: "the line ends before the JSON value is complete" }],
  ])("%j", (text, expected) => {
    expect(locateJsonError(text)).toEqual(expected);
    // The scanner agrees with JSON.parse on validity.
    expect(expected === undefined).toBe((() => { try { JSON.parse(text); return true; } catch { return false; } })());
  });

  test("deep nesting does not overflow the stack", () => {
    expect(locateJsonError("[".repeat(200_000))).toEqual({ offset: 200_000, reason: "the line ends before the JSON value is complete" });
  });
});

describe("blank lines cost no JSON.parse", () => {
  test.each(["", "   ", "\t\r", "\ufeff "])("%j gives no value and no problem, without parsing", (text) => {
    const parse = jest.spyOn(JSON, "parse");
    try {
      expect(parseFlowValue(text, 7)).toEqual({ diagnostics: [] });
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});
