import { parseIp } from "../../engine/index.js";
import { parseFlowProtocol, protocolName } from "../../engine/index.js";
import { joinPath, type Diagnostic } from "../../contracts/index.js";
import { loadText, type RawDocument } from "../../policy/index.js";
import { arr, checkSchema, int, intOrString, isPlainObject, obj, oneOf, str, stringMap } from "../../policy/index.js";
import { PORT_PROTOCOLS } from "../../policy/index.js";
import { parseSelector, SelectorError, type Selector } from "../../selector/index.js";
import type { TextFile } from "../context.js";
import type { Finding } from "../types.js";

/**
 * The policy-test file format (policies-template/README.md, "Policy tests"): parsed with positions and validated
 * field by field, every problem a `test/invalid-file` finding at its line. Only tests without problems are run.
 */
export type Expectation = "allow" | "deny";

/** One end of a tested connection. */
export type EndpointSpec =
  /** A pod of the inventory, `namespace/name` (or a name prefix its replicas share). */
  | { form: "pod"; pod: string }
  /** An address: a pod's (from the inventory) or one outside the cluster. */
  | { form: "ip"; ip: string }
  /** A hypothetical pod with exactly these labels; it need not exist. */
  | { form: "labels"; namespace: string; labels: Record<string, string>; serviceAccount?: string }
  /** Every known workload of the namespace; a pod with no labels when none is known. */
  | { form: "namespace"; namespace: string; serviceAccount?: string }
  /** Every known workload matching the selector (in the namespace, when given). */
  | { form: "selector"; namespace?: string; selector: Selector; serviceAccount?: string };

export interface PolicyTest {
  name: string;
  file: string;
  /** Line of the test's list item. */
  line: number;
  /** `tests[3]`, or `[1].tests[3]` in the second YAML document of a file. */
  path: string;
  from: EndpointSpec;
  to: EndpointSpec;
  /** Undefined for protocols without ports. */
  port?: number;
  /** IANA protocol number. */
  protocol: number;
  expect: Expectation;
  /** What the test asserts, without its name and position: equal keys assert the same thing. */
  key: string;
}

export interface ParsedTestFile {
  file: string;
  tests: PolicyTest[];
  /** `test/invalid-file` errors. */
  findings: Finding[];
}

/** Files under the tests folders that are not YAML or JSON (a README, say) are not test files. */
export const TEST_FILE = /\.(ya?ml|json)$/i;

const ENDPOINT = obj({ namespace: str, labels: stringMap, selector: str, pod: str, ip: str, serviceAccount: str });
const TEST = obj({ name: str, from: ENDPOINT, to: ENDPOINT, port: int, protocol: intOrString, expect: oneOf("allow", "deny") }, ["name", "from", "to", "expect"]);
const FILE = obj({ tests: arr(TEST) }, ["tests"]);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const INVALID = "test/invalid-file";

export function parseTestFile(f: TextFile): ParsedTestFile {
  const out: ParsedTestFile = { file: f.file, tests: [], findings: [] };
  const loaded = loadText(f.file, f.text);
  for (const d of loaded.diagnostics) out.findings.push(invalid(d, `${f.file} is not a valid test file: ${d.message}`));
  loaded.documents.forEach((doc, i) => parseDocument(doc, loaded.documents.length > 1 ? `[${i}]` : "", out));
  return out;
}

function parseDocument(doc: RawDocument, docPrefix: string, out: ParsedTestFile): void {
  const diagnostics: Diagnostic[] = [];
  const raw = checkSchema(doc.value, FILE, "", { source: doc.source, diagnostics }) as { tests?: unknown[] } | undefined;
  const bad = new Set<number>();
  for (const d of diagnostics) {
    out.findings.push(invalid(d, d.message));
    const m = /^tests\[(\d+)\]/.exec(d.path);
    if (m) bad.add(Number(m[1]));
  }
  const original = isPlainObject(doc.value) && Array.isArray(doc.value.tests) ? doc.value.tests : [];
  (raw?.tests ?? []).forEach((t, i) => {
    // checkSchema keeps list indices for object items, so `i` is the item's index in the file. A test with schema
    // problems still gets its endpoints checked (every problem is reported), but it does not run.
    if (!isPlainObject(original[i])) return;
    const test = parseTest(t as Partial<RawTest>, `tests[${i}]`, doc, out, bad.has(i));
    if (test && !bad.has(i)) out.tests.push({ ...test, path: docPrefix ? `${docPrefix}.${test.path}` : test.path });
  });
}

interface RawEndpoint {
  namespace?: string;
  labels?: Record<string, string>;
  selector?: string;
  pod?: string;
  ip?: string;
  serviceAccount?: string;
}

interface RawTest {
  name: string;
  from: RawEndpoint;
  to: RawEndpoint;
  port?: number;
  protocol?: number | string;
  expect: Expectation;
}

function parseTest(t: Partial<RawTest>, path: string, doc: RawDocument, out: ParsedTestFile, schemaProblems: boolean): PolicyTest | undefined {
  const before = schemaProblems ? -1 : out.findings.length;
  const problem = (field: string, message: string) => {
    const fieldPath = field === "" ? path : joinPath(path, field);
    const at = doc.source.at(fieldPath);
    out.findings.push({ code: INVALID, severity: "error", message, file: out.file, line: at.line, col: at.col, path: fieldPath });
  };
  const from = t.from && parseEndpoint(t.from, `${path}.from`, doc, out);
  const to = t.to && parseEndpoint(t.to, `${path}.to`, doc, out);
  let protocol = 6;
  if (t.protocol !== undefined) {
    const p = parseFlowProtocol(t.protocol);
    if (p === undefined || p < 1) problem("protocol", `protocol ${JSON.stringify(t.protocol)} is not a protocol: write TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite or a number from 1 to 255`);
    else protocol = p;
  }
  if (t.port !== undefined && (t.port < 1 || t.port > 65535)) problem("port", `port ${t.port} is out of range: ports are 1 to 65535`);
  if (out.findings.length === before) {
    if (PORT_PROTOCOLS.has(protocol) && t.port === undefined) {
      problem("", `${protocolName(protocol)} connections have a destination port: add port (1 to 65535) to test "${t.name}"`);
    } else if (!PORT_PROTOCOLS.has(protocol) && t.port !== undefined) {
      problem("port", `${protocolName(protocol)} has no ports: remove port, or use TCP, UDP or SCTP`);
    }
  }
  if (out.findings.length !== before || !from || !to || t.name === undefined || t.expect === undefined) return undefined;
  const at = doc.source.at(path);
  const key = JSON.stringify([endpointKey(from), endpointKey(to), t.port ?? null, protocol, t.expect]);
  return { name: t.name, file: out.file, line: at.line, path, from, to, port: t.port, protocol, expect: t.expect, key };
}

type Problem = (field: string, message: string) => void;
const FORMS = "{ pod: NAMESPACE/NAME }, { ip: ADDRESS }, { namespace, labels }, { namespace } or { namespace?, selector }";

function parseEndpoint(e: RawEndpoint, path: string, doc: RawDocument, out: ParsedTestFile): EndpointSpec | undefined {
  const before = out.findings.length;
  const problem: Problem = (field, message) => {
    const fieldPath = field === "" ? path : joinPath(path, field);
    const at = field === "" ? doc.source.at(path) : doc.source.keyAt(fieldPath);
    out.findings.push({ code: INVALID, severity: "error", message, file: out.file, line: at.line, col: at.col, path: fieldPath });
  };
  const side = path.endsWith(".from") ? "from" : "to";
  const present = (Object.keys(e) as Array<keyof RawEndpoint>).filter((k) => e[k] !== undefined);
  if (present.length === 0) {
    problem("", `${side} names no endpoint: write one of ${FORMS}`);
    return undefined;
  }
  if (e.pod !== undefined || e.ip !== undefined) return parseAddressed(e, present, side, problem);
  const selector = e.selector !== undefined ? parseSelectorAt(e.selector, `${path}.selector`, side, doc, out) : undefined;
  checkWorkloadFields(e, side, problem);
  if (out.findings.length > before) return undefined;
  const sa = e.serviceAccount !== undefined ? { serviceAccount: e.serviceAccount } : {};
  if (selector) return { form: "selector", ...(e.namespace !== undefined ? { namespace: e.namespace } : {}), selector, ...sa };
  if (e.labels !== undefined) return { form: "labels", namespace: e.namespace!, labels: e.labels, ...sa };
  if (e.namespace !== undefined) return { form: "namespace", namespace: e.namespace, ...sa };
  problem("", `${side} names no endpoint: write one of ${FORMS}`);
  return undefined;
}

/** `pod` and `ip` name one endpoint by themselves. */
function parseAddressed(e: RawEndpoint, present: Array<keyof RawEndpoint>, side: string, problem: Problem): EndpointSpec | undefined {
  const which = e.pod !== undefined ? "pod" : "ip";
  const extra = present.filter((k) => k !== which);
  if (extra.length > 0) {
    problem(extra[0], `${side}.${which} names one endpoint by itself; remove ${extra.map((k) => `${side}.${k}`).join(", ")}` +
      (which === "pod" ? " (the pod's namespace, labels and service account come from the inventory)" : ""));
    return undefined;
  }
  if (e.pod !== undefined) {
    const slash = e.pod.indexOf("/");
    if (slash <= 0 || slash === e.pod.length - 1 || e.pod.indexOf("/", slash + 1) !== -1 || !DNS_LABEL.test(e.pod.slice(0, slash))) {
      problem("pod", `${side}.pod "${e.pod}" is not NAMESPACE/NAME (a pod of the inventory, or a prefix its replicas share, such as a Deployment's name)`);
      return undefined;
    }
    return { form: "pod", pod: e.pod };
  }
  if (!parseIp(e.ip!)) {
    problem("ip", `${side}.ip "${e.ip}" is not an IPv4 or IPv6 address (CIDRs are not accepted: name one address)`);
    return undefined;
  }
  return { form: "ip", ip: e.ip! };
}

/** The workload forms: namespace, labels, selector, serviceAccount, and how they combine. */
function checkWorkloadFields(e: RawEndpoint, side: string, problem: Problem): void {
  if (e.namespace !== undefined && !DNS_LABEL.test(e.namespace)) {
    problem("namespace", `${side}.namespace "${e.namespace}" is not a namespace name (lower-case letters, digits and '-', at most 63)`);
  }
  if (e.serviceAccount !== undefined && e.serviceAccount.trim() === "") problem("serviceAccount", `${side}.serviceAccount is empty: name the service account or leave the field out`);
  if (e.labels !== undefined && e.selector !== undefined) {
    problem("selector", `${side} has both labels (one hypothetical pod) and selector (every known workload that matches); keep one`);
  }
  if (e.labels !== undefined && e.namespace === undefined) {
    problem("labels", `${side}.labels needs ${side}.namespace: a pod lives in a namespace`);
  }
  for (const k of Object.keys(e.labels ?? {})) {
    if (k === "" || !/^[A-Za-z0-9_./-]+$/.test(k)) problem("labels", `${side}.labels key ${JSON.stringify(k)} is not a label key`);
  }
}

/** A selector, or a finding at the offending character inside it. */
function parseSelectorAt(text: string, path: string, side: string, doc: RawDocument, out: ParsedTestFile): Selector | undefined {
  try {
    return parseSelector(text);
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    const at = doc.source.inside(path, err.offset);
    out.findings.push({ code: INVALID, severity: "error", message: `${side}.selector: ${err.message}`, file: out.file, line: at.line, col: at.col, path });
    return undefined;
  }
}

function endpointKey(e: EndpointSpec): unknown {
  switch (e.form) {
    case "pod":
      return ["pod", e.pod];
    case "ip":
      return ["ip", e.ip];
    case "labels":
      return ["labels", e.namespace, Object.entries(e.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), e.serviceAccount ?? null];
    case "namespace":
      return ["namespace", e.namespace, e.serviceAccount ?? null];
    case "selector":
      return ["selector", e.namespace ?? null, e.selector.toString(), e.serviceAccount ?? null];
  }
}

function invalid(d: Diagnostic, message: string): Finding {
  return { code: INVALID, severity: "error", message, file: d.file, line: d.line, col: d.col, ...(d.path ? { path: d.path } : {}) };
}

/** `boutique {app=frontend}`, `boutique (any workload)`, `pod boutique/x`: how a test names its endpoints. */
export function describeSpec(e: EndpointSpec): string {
  const sa = "serviceAccount" in e && e.serviceAccount ? ` as ${e.serviceAccount}` : "";
  switch (e.form) {
    case "pod":
      return e.pod;
    case "ip":
      return e.ip;
    case "labels":
      return `${e.namespace}/${labelText(e.labels)}${sa}`;
    case "namespace":
      return `every workload of ${e.namespace}${sa}`;
    case "selector":
      return `every workload ${e.namespace ? `of ${e.namespace} ` : ""}matching ${e.selector.toString()}${sa}`;
  }
}

export function labelText(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",")}}`;
}
