import { describe, expect, test } from "@jest/globals";
import { parseTestFile } from "../../../src/review/policy-tests/index.js";

const FILE = "tests/t.yaml";

/** One test, the fields in this order; `name` on line 2, each field one line further. */
function oneTest(fields: string[]): string {
  return ["tests:", "  - name: t", ...fields.map((f) => `    ${f}`)].join("\n") + "\n";
}
const FROM = "from: { namespace: shop, labels: { app: api } }";
const TO = "to: { namespace: shop, labels: { app: web } }";

interface Row {
  what: string;
  text: string;
  line: number;
  path?: string;
  message: string;
}

const INVALID: Row[] = [
  { what: "an unknown top-level field", text: "tests: []\nextra: 1\n", line: 2, path: "extra", message: 'unknown field "extra"' },
  { what: "no tests list", text: "tests:\n", line: 1, path: "", message: "tests is required" },
  { what: "tests is not a list", text: "tests: { name: t }\n", line: 1, path: "tests", message: "tests must be a list" },
  { what: "a missing expect", text: oneTest([FROM, TO, "port: 80"]), line: 2, path: "tests[0]", message: "tests[0].expect is required" },
  { what: "a misspelt field", text: oneTest([FROM, TO, "port: 80", "expected: allow"]), line: 6, path: "tests[0].expected", message: 'did you mean "expect"?' },
  { what: "a port written as a string", text: oneTest([FROM, TO, 'port: "80"', "expect: allow"]), line: 5, path: "tests[0].port", message: "tests[0].port must be a whole number" },
  { what: "an unknown expect value", text: oneTest([FROM, TO, "port: 80", "expect: permit"]), line: 6, path: "tests[0].expect", message: "must be one of allow, deny" },
  { what: "a capitalised expect value", text: oneTest([FROM, TO, "port: 80", "expect: Allow"]), line: 6, path: "tests[0].expect", message: "write allow" },
  { what: "a port out of range", text: oneTest([FROM, TO, "port: 70000", "expect: allow"]), line: 5, path: "tests[0].port", message: "port 70000 is out of range" },
  { what: "port 0", text: oneTest([FROM, TO, "port: 0", "expect: allow"]), line: 5, path: "tests[0].port", message: "out of range" },
  { what: "an unknown protocol", text: oneTest([FROM, TO, "port: 80", "protocol: HTTP", "expect: allow"]), line: 6, path: "tests[0].protocol", message: 'protocol "HTTP" is not a protocol' },
  { what: "protocol number 0", text: oneTest([FROM, TO, "protocol: 0", "expect: allow"]), line: 5, path: "tests[0].protocol", message: "is not a protocol" },
  { what: "a port with ICMP", text: oneTest([FROM, TO, "port: 80", "protocol: ICMP", "expect: deny"]), line: 5, path: "tests[0].port", message: "ICMP has no ports" },
  { what: "TCP without a port", text: oneTest([FROM, TO, "expect: allow"]), line: 2, path: "tests[0]", message: "add port" },
  { what: "an empty endpoint", text: oneTest(["from: {}", TO, "port: 80", "expect: allow"]), line: 3, path: "tests[0].from", message: "from names no endpoint" },
  { what: "an endpoint that is not a map", text: oneTest(["from: shop/api", TO, "port: 80", "expect: allow"]), line: 3, path: "tests[0].from", message: "tests[0].from must be a map of fields" },
  { what: "an unknown endpoint field", text: oneTest(["from: { namespace: shop, label: { app: api } }", TO, "port: 80", "expect: allow"]), line: 3, path: "tests[0].from.label", message: 'did you mean "labels"?' },
  { what: "a pod without its namespace", text: oneTest(["from: { pod: api-1 }", TO, "port: 80", "expect: allow"]), line: 3, path: "tests[0].from.pod", message: 'from.pod "api-1" is not NAMESPACE/NAME' },
  { what: "a pod with labels", text: oneTest(["from: { pod: shop/api-1, labels: { app: api } }", TO, "port: 80", "expect: allow"]), line: 3, path: "tests[0].from.labels", message: "from.pod names one endpoint by itself" },
  { what: "an ip with a namespace", text: oneTest([FROM, "to: { ip: 10.0.0.1, namespace: shop }", "port: 80", "expect: allow"]), line: 4, path: "tests[0].to.namespace", message: "to.ip names one endpoint by itself" },
  { what: "a CIDR instead of an address", text: oneTest([FROM, "to: { ip: 10.0.0.0/8 }", "port: 80", "expect: allow"]), line: 4, path: "tests[0].to.ip", message: "CIDRs are not accepted" },
  { what: "labels without a namespace", text: oneTest(["from: { labels: { app: api } }", TO, "port: 80", "expect: allow"]), line: 3, path: "tests[0].from.labels", message: "from.labels needs from.namespace" },
  { what: "labels and a selector", text: oneTest(["from: { namespace: shop, labels: { app: api }, selector: \"app == 'api'\" }", TO, "port: 80", "expect: allow"]), line: 3, path: "tests[0].from.selector", message: "keep one" },
  { what: "a label value that is not a string", text: oneTest(["from: { namespace: shop, labels: { quarantine: true } }", TO, "port: 80", "expect: deny"]), line: 3, path: 'tests[0].from.labels.quarantine', message: "must be a string" },
  { what: "an invalid namespace name", text: oneTest(["from: { namespace: Shop, labels: { app: api } }", TO, "port: 80", "expect: allow"]), line: 3, path: "tests[0].from.namespace", message: 'from.namespace "Shop" is not a namespace name' },
  { what: "an empty service account", text: oneTest(["from: { namespace: shop, labels: { app: api }, serviceAccount: '' }", TO, "port: 80", "expect: allow"]), line: 3, path: "tests[0].from.serviceAccount", message: "from.serviceAccount is empty" },
  { what: "a selector that does not parse", text: oneTest([FROM, "to:", "      namespace: data", "      selector: \"tier == 'db' &&\"", "port: 80", "expect: deny"]), line: 6, path: "tests[0].to.selector", message: "to.selector:" },
  { what: "a YAML syntax error", text: "tests:\n  - name: t\n    from: { namespace: shop\n", line: 4, message: "not a valid test file: YAML syntax" },
];

describe("policy-test file format: every problem is a test/invalid-file error at its line", () => {
  test.each(INVALID)("$what", (row) => {
    const parsed = parseTestFile({ file: FILE, text: row.text });
    expect(parsed.tests).toEqual([]);
    expect(parsed.findings.length).toBeGreaterThan(0);
    const f = parsed.findings[0];
    expect({ code: f.code, severity: f.severity, file: f.file, line: f.line }).toEqual({ code: "test/invalid-file", severity: "error", file: FILE, line: row.line });
    if (row.path !== undefined) expect(f.path ?? "").toBe(row.path);
    expect(f.message).toContain(row.message);
  });

  test("a selector error points at the offending character", () => {
    const text = oneTest([FROM, "to: { namespace: data, selector: \"tier = 'db'\" }", "port: 80", "expect: deny"]);
    const f = parseTestFile({ file: FILE, text }).findings[0];
    expect({ line: f.line, col: f.col }).toEqual({ line: 4, col: text.split("\n")[3].indexOf("= 'db'") + 1 });
  });

  test("one bad test does not hide the others: every problem is reported, the valid tests still parse", () => {
    const text = `tests:
  - name: good
    ${FROM}
    ${TO}
    port: 80
    expect: allow
  - name: bad port
    ${FROM}
    ${TO}
    port: 0
    expect: allow
  - name: bad endpoint and expect
    from: { pod: nowhere }
    ${TO}
    port: 80
    expect: maybe
  - name: also good
    ${FROM}
    to: { ip: 192.0.2.1 }
    port: 443
    expect: deny
`;
    const parsed = parseTestFile({ file: FILE, text });
    expect(parsed.tests.map((t) => [t.name, t.line, t.path])).toEqual([
      ["good", 2, "tests[0]"],
      ["also good", 17, "tests[3]"],
    ]);
    expect(parsed.findings.map((f) => [f.code, f.line, f.path])).toEqual([
      ["test/invalid-file", 16, "tests[2].expect"],
      ["test/invalid-file", 10, "tests[1].port"],
      ["test/invalid-file", 13, "tests[2].from.pod"],
    ]);
  });
});

describe("policy-test file format: the forms it accepts", () => {
  test("every endpoint form, defaults and protocols", () => {
    const text = `tests:
  - name: labels and service account
    from: { namespace: shop, labels: { app: api }, serviceAccount: api }
    to: { namespace: shop, labels: {} }
    port: 80
    expect: allow
  - name: pod and ip
    from: { pod: shop/api-1 }
    to: { ip: "2001:db8::1" }
    port: 443
    protocol: UDP
    expect: deny
  - name: namespace and selector
    from: { namespace: dev }
    to: { namespace: prod, selector: "tier == 'db'" }
    port: 5432
    expect: deny
  - name: selector in every namespace, ICMP, protocol by number and lower case
    from: { selector: "has(app)", serviceAccount: ci }
    to: { namespace: prod }
    protocol: icmp
    expect: deny
  - name: SCTP by number
    from: { namespace: a }
    to: { namespace: b }
    protocol: 132
    port: 9
    expect: allow
`;
    const parsed = parseTestFile({ file: FILE, text });
    expect(parsed.findings).toEqual([]);
    const forms = parsed.tests.map((t) => ({
      from: { ...t.from, ...("selector" in t.from ? { selector: t.from.selector.toString() } : {}) },
      to: { ...t.to, ...("selector" in t.to ? { selector: t.to.selector.toString() } : {}) },
      port: t.port,
      protocol: t.protocol,
      expect: t.expect,
    }));
    expect(forms).toEqual([
      { from: { form: "labels", namespace: "shop", labels: { app: "api" }, serviceAccount: "api" }, to: { form: "labels", namespace: "shop", labels: {} }, port: 80, protocol: 6, expect: "allow" },
      { from: { form: "pod", pod: "shop/api-1" }, to: { form: "ip", ip: "2001:db8::1" }, port: 443, protocol: 17, expect: "deny" },
      { from: { form: "namespace", namespace: "dev" }, to: { form: "selector", namespace: "prod", selector: 'tier == "db"' }, port: 5432, protocol: 6, expect: "deny" },
      { from: { form: "selector", selector: "has(app)", serviceAccount: "ci" }, to: { form: "namespace", namespace: "prod" }, port: undefined, protocol: 1, expect: "deny" },
      { from: { form: "namespace", namespace: "a" }, to: { form: "namespace", namespace: "b" }, port: 9, protocol: 132, expect: "allow" },
    ]);
  });

  test("the assertion key ignores the name, label order and selector spelling, and nothing else", () => {
    const key = (from: string, name = "n", port = 80) =>
      parseTestFile({ file: FILE, text: oneTest([from, "to: { namespace: data, selector: \"tier=='db'\" }", `port: ${port}`, "expect: deny"]).replace("name: t", `name: ${name}`) }).tests[0].key;
    const a = key("from: { namespace: shop, labels: { app: api, tier: x } }");
    expect(key("from: { namespace: shop, labels: { tier: x, app: api } }", "renamed")).toBe(a);
    expect(key("from: { namespace: shop, labels: { app: api } }")).not.toBe(a);
    expect(key("from: { namespace: shop, labels: { app: api, tier: x } }", "n", 81)).not.toBe(a);
  });

  test("several YAML documents, each with its tests; an empty file has none", () => {
    const text = `tests:\n  - { name: a, ${FROM.replace(": {", ": {")}, ${TO}, port: 80, expect: allow }\n---\ntests:\n  - name: b\n    ${FROM}\n    ${TO}\n    port: 81\n    expect: deny\n`;
    const parsed = parseTestFile({ file: FILE, text });
    expect(parsed.findings).toEqual([]);
    expect(parsed.tests.map((t) => [t.name, t.line, t.path])).toEqual([
      ["a", 2, "[0].tests[0]"],
      ["b", 5, "[1].tests[0]"],
    ]);
    expect(parseTestFile({ file: FILE, text: "# nothing yet\n" })).toEqual({ file: FILE, tests: [], findings: [] });
  });
});
