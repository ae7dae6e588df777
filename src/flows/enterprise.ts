import {
  endpointTypeFromWord,
  finishRecord,
  INVALID,
  isAbsent,
  isObject,
  parseLabelList,
  ProblemList,
  readCounts,
  readIp,
  readName,
  readPort,
  readProtocol,
  show,
  type JsonObject,
  type RecordParts,
  type Read,
} from "./fields.js";
import type { FlowEndpointRef, FlowProblemCode, FlowReadResult, FlowRecord } from "./types.js";

/**
 * Calico Enterprise flow-log documents as Elasticsearch stores them (calico-semantics §10.1, docs
 * `calico-enterprise/observability/elastic/flow/datatypes.mdx`): one JSON object per line, optionally inside the
 * search-hit wrapper `{"_source": {...}}`. `-` means absent or aggregated; policy strings are kept as written.
 */
export function parseEnterpriseRecord(value: unknown, line: number): FlowReadResult {
  const problems = new ProblemList(line);
  const doc = isObject(value) && isObject(value._source) ? value._source : value;
  if (!isObject(doc)) {
    problems.add("flows/not-an-object", `expected a flow-log object, found ${show(doc)}`);
    return { diagnostics: problems.items };
  }
  const src = readEndpoint(doc, "source", problems);
  const dst = readEndpoint(doc, "dest", problems);
  const protocol = readProtocol(doc.proto);
  if (protocol === undefined) problems.add("flows/bad-protocol", "the record has no proto");
  if (protocol === INVALID) problems.add("flows/bad-protocol", `proto ${show(doc.proto)} is not a protocol name or number`);
  const dstPort = readPort(doc.dest_port);
  if (dstPort === INVALID) problems.add("flows/bad-port", `dest_port ${show(doc.dest_port)} is not a port number (0-65535)`);
  const reporter = readWord(doc.reporter, ["src", "dst"] as const, "reporter", "flows/bad-reporter", problems);
  const action = readWord(doc.action, ["allow", "deny"] as const, "action", "flows/bad-action", problems);
  const policies = readPolicies(doc.policies, problems);
  const counts = readCounts((f) => doc[f], "num_flows", problems);
  const service = readService(doc, problems);
  const parts: RecordParts = { src, dst, protocol, dstPort, reporter, action, policies, ...counts, service };
  return finishRecord("enterprise", line, parts, problems);
}

/** One end of a document on its own, for readers that cache endpoints (the replay's fast path). */
export function readEnterpriseEndpoint(doc: JsonObject, prefix: "source" | "dest"): FlowEndpointRef | undefined {
  const problems = new ProblemList(0);
  const ref = readEndpoint(doc, prefix, problems);
  return problems.items.length === 0 ? ref : undefined;
}

function readEndpoint(doc: JsonObject, prefix: "source" | "dest", problems: ProblemList): FlowEndpointRef | undefined {
  const field = (suffix: string): string => `${prefix}_${suffix}`;
  const rawType = doc[field("type")];
  if (isAbsent(rawType)) {
    problems.add("flows/missing-endpoint", `the record has no ${field("type")}`);
    return undefined;
  }
  // `pvt`/`pub` are aggregated-name words, but some exports put them in the type column; both mean a network.
  const isNetWord = rawType === "pvt" || rawType === "pub";
  const type = typeof rawType === "string" ? (isNetWord ? "net" : endpointTypeFromWord(rawType)) : undefined;
  if (!type) {
    problems.add("flows/bad-endpoint-type", `${field("type")} ${show(rawType)} is not wep, hep, ns or net`);
    return undefined;
  }
  const ref: FlowEndpointRef = { type, labelsAggregated: false };
  const text = (suffix: string): string | undefined => {
    const v = readName(doc[field(suffix)]);
    if (v !== INVALID) return v;
    problems.add("flows/bad-field", `${field(suffix)} ${show(doc[field(suffix)])} is not a string`);
    return undefined;
  };
  const namespace = text("namespace");
  const name = text("name");
  const nameAggr = text("name_aggr") ?? name ?? (isNetWord ? (rawType as string) : undefined);
  const ip = readIp(doc[field("ip")]);
  if (ip === INVALID) problems.add("flows/bad-ip", `${field("ip")} ${show(doc[field("ip")])} is not an IP address`);
  // dest_port belongs to the record (the caller copies it onto dst); only the source port is read here.
  const port = prefix === "source" ? readPort(doc.source_port) : undefined;
  if (port === INVALID) problems.add("flows/bad-port", `source_port ${show(doc.source_port)} is not a port number`);
  if (namespace !== undefined) ref.namespace = namespace;
  if (name !== undefined) ref.name = name;
  if (nameAggr !== undefined) ref.nameAggr = nameAggr;
  if (ip !== undefined && ip !== INVALID) ref.ip = ip;
  if (port !== undefined && port !== INVALID) ref.port = port;
  readLabels(doc[field("labels")], field("labels"), ref, problems);
  // A network needs nothing more than its type; any other endpoint must say which one it is.
  const anonymous = name === undefined && nameAggr === undefined && namespace === undefined && ip === undefined;
  if (anonymous && type !== "net") {
    problems.add("flows/missing-endpoint", `the ${prefix} endpoint (${type}) has no name, namespace or IP`);
    return undefined;
  }
  return ref;
}

/** `{"labels": ["k=v", ...]}` as documented; a bare list is accepted too. `-` means aggregated away. */
function readLabels(raw: unknown, field: string, ref: FlowEndpointRef, problems: ProblemList): void {
  if (raw === "-") {
    ref.labelsAggregated = true;
    return;
  }
  if (raw === undefined || raw === null) return;
  const list = Array.isArray(raw) ? raw : isObject(raw) ? raw.labels : INVALID;
  if (list === undefined || list === null) return;
  const labels = Array.isArray(list) ? parseLabelList(list) : undefined;
  if (!labels) {
    problems.add("flows/bad-labels", `${field} must be {"labels": ["key=value", ...]} or "-", found ${show(raw)}`);
    return;
  }
  ref.labels = labels;
}

function readWord<T extends string>(
  raw: unknown,
  allowed: readonly T[],
  field: string,
  code: FlowProblemCode,
  problems: ProblemList,
): T | undefined {
  if (isAbsent(raw)) return undefined;
  const word = typeof raw === "string" ? raw.toLowerCase() : undefined;
  const found = allowed.find((a) => a === word);
  if (!found) problems.add(code, `${field} ${show(raw)} is not one of ${allowed.join(", ")}`);
  return found;
}

const POLICY_LISTS = [
  ["all", "all_policies"],
  ["enforced", "enforced_policies"],
  ["pending", "pending_policies"],
] as const;

function readPolicies(raw: unknown, problems: ProblemList): FlowRecord["policies"] {
  if (isAbsent(raw)) return undefined;
  if (!isObject(raw)) {
    problems.add("flows/bad-field", `policies must be an object of policy lists, found ${show(raw)}`);
    return undefined;
  }
  const out: NonNullable<FlowRecord["policies"]> = {};
  for (const [key, field] of POLICY_LISTS) {
    const list = raw[field];
    if (isAbsent(list)) continue;
    if (!Array.isArray(list) || !list.every((s) => typeof s === "string")) {
      problems.add("flows/bad-field", `policies.${field} must be a list of policy strings, found ${show(list)}`);
      continue;
    }
    out[key] = [...(list as string[])];
  }
  return out;
}

/** `dest_service_port` is the port name (`-` none, `*` several); `dest_service_port_num` the number. */
function readService(doc: JsonObject, problems: ProblemList): FlowRecord["service"] {
  const service: NonNullable<FlowRecord["service"]> = {};
  const text = (field: string): string | undefined => {
    const v: Read<string> = doc[field] === "*" ? undefined : readName(doc[field]);
    if (v !== INVALID) return v;
    problems.add("flows/bad-field", `${field} ${show(doc[field])} is not a string`);
    return undefined;
  };
  const name = text("dest_service_name");
  const namespace = text("dest_service_namespace");
  const portField = doc.dest_service_port;
  const portIsNumber = typeof portField === "number" || (typeof portField === "string" && /^\d+$/.test(portField));
  const portName = portIsNumber ? undefined : text("dest_service_port");
  const portRaw = portIsNumber ? portField : doc.dest_service_port_num;
  const port = readPort(portRaw);
  if (port === INVALID) problems.add("flows/bad-port", `dest_service_port ${show(portRaw)} is not a port number`);
  if (name !== undefined) service.name = name;
  if (namespace !== undefined) service.namespace = namespace;
  if (port !== undefined && port !== INVALID) service.port = port;
  if (portName !== undefined) service.portName = portName;
  return Object.keys(service).length > 0 ? service : undefined;
}
