import {
  endpointTypeFromWord,
  finishRecord,
  INVALID,
  isAbsent,
  isObject,
  parseLabelList,
  ProblemList,
  readCounts,
  readName,
  readPort,
  readProtocol,
  show,
  type JsonObject,
  type RecordParts,
} from "./fields.js";
import { actionWord, formatPolicyHit, pick } from "./policy-hit.js";
import type { FlowEndpointRef, FlowEndpointType, FlowReadResult, FlowRecord } from "./types.js";

/**
 * Calico OSS Goldmane `Flow` messages (goldmane/proto/api.proto; calico-semantics §10.2) in proto3 JSON, as grpcurl
 * prints them (lowerCamelCase) or with proto field names (snake_case); a `FlowResult` wrapper `{"id", "flow"}` is
 * unwrapped. proto3 JSON omits zero values and writes int64 as strings, so absent means zero or empty, and numbers
 * may be strings. Enums may be names or numbers. Goldmane records no IPs and names pods by their aggregate
 * (`<generateName>*`); its labels are the intersection over the pods aggregated.
 */
export function parseGoldmaneRecord(value: unknown, line: number): FlowReadResult {
  const problems = new ProblemList(line);
  const flow = isObject(value) && isObject(value.flow) ? value.flow : value;
  if (!isObject(flow)) {
    problems.add("flows/not-an-object", `expected a Goldmane Flow object, found ${show(flow)}`);
    return { diagnostics: problems.items };
  }
  // The field is declared `FlowKey Key = 1`, so its JSON name is "Key"; accept "key" too.
  const key = flow.Key ?? flow.key;
  if (!isObject(key)) {
    problems.add("flows/missing-endpoint", "the flow has no Key object, so neither endpoint is known");
    return { diagnostics: problems.items };
  }
  const src = readEndpoint(flow, key, "source", problems);
  const dst = readEndpoint(flow, key, "dest", problems);
  const protocol = readProtocol(pick(key, "proto"));
  if (protocol === undefined) problems.add("flows/bad-protocol", "the flow key has no proto");
  if (protocol === INVALID) problems.add("flows/bad-protocol", `proto ${show(pick(key, "proto"))} is not a protocol name or number`);
  const dstPort = readPort(pick(key, "dest_port"));
  if (dstPort === INVALID) problems.add("flows/bad-port", `dest_port ${show(pick(key, "dest_port"))} is not a port number (0-65535)`);
  const reporter = readReporter(pick(key, "reporter"), problems);
  const action = readAction(pick(key, "action"), problems);
  const policies = readPolicies(pick(key, "policies"), problems);
  const counts = readCounts((f) => pick(flow, f), "num_connections_started", problems);
  const service = readService(key, problems);
  const parts: RecordParts = { src, dst, protocol, dstPort, reporter, action, policies, ...counts, service };
  return finishRecord("goldmane", line, parts, problems);
}

/** EndpointType enum numbers: 1 WorkloadEndpoint, 2 HostEndpoint, 3 NetworkSet, 4 Network. */
const TYPE_BY_NUMBER: readonly (FlowEndpointType | undefined)[] = [undefined, "wep", "hep", "ns", "net"];

function readEndpoint(
  flow: JsonObject,
  key: JsonObject,
  prefix: "source" | "dest",
  problems: ProblemList,
): FlowEndpointRef | undefined {
  const field = `${prefix}_type`;
  const rawType = pick(key, field);
  if (isAbsent(rawType) || rawType === 0 || rawType === "EndpointTypeUnspecified") {
    problems.add("flows/missing-endpoint", `the flow key has no ${field}`);
    return undefined;
  }
  // Early Goldmane builds wrote the type as a string, with `pub`/`pvt` for networks.
  const netWord = rawType === "pub" || rawType === "pvt" ? rawType : undefined;
  const type =
    typeof rawType === "number" ? TYPE_BY_NUMBER[rawType]
    : typeof rawType === "string" ? (netWord ? "net" : endpointTypeFromWord(rawType))
    : undefined;
  if (!type) {
    problems.add("flows/bad-endpoint-type", `${field} ${show(rawType)} is not an EndpointType`);
    return undefined;
  }
  const text = (suffix: string): string | undefined => {
    const v = readName(pick(key, `${prefix}_${suffix}`));
    if (v !== INVALID) return v;
    problems.add("flows/bad-field", `${prefix}_${suffix} ${show(pick(key, `${prefix}_${suffix}`))} is not a string`);
    return undefined;
  };
  const namespace = text("namespace");
  const nameAggr = text("name") ?? netWord;
  const ref: FlowEndpointRef = { type, labelsAggregated: nameAggr === undefined || nameAggr.includes("*") };
  if (namespace !== undefined) ref.namespace = namespace;
  if (nameAggr !== undefined) ref.nameAggr = nameAggr;
  if (nameAggr !== undefined && type !== "net" && !nameAggr.includes("*")) ref.name = nameAggr;
  const rawLabels = pick(flow, `${prefix}_labels`);
  // An omitted repeated field is an empty list: no label common to all the endpoints.
  const labels = rawLabels === undefined || rawLabels === null ? {} : Array.isArray(rawLabels) ? parseLabelList(rawLabels) : undefined;
  if (labels) ref.labels = labels;
  else problems.add("flows/bad-labels", `${prefix}_labels must be a list of "key=value" strings, found ${show(rawLabels)}`);
  if (type !== "net" && nameAggr === undefined && namespace === undefined) {
    problems.add("flows/missing-endpoint", `the ${prefix} endpoint (${type}) has no name or namespace`);
    return undefined;
  }
  return ref;
}

function readReporter(raw: unknown, problems: ProblemList): "src" | "dst" | undefined {
  if (isAbsent(raw) || raw === 0 || raw === "ReporterUnspecified") return undefined;
  const word = raw === 1 ? "src" : raw === 2 ? "dst" : typeof raw === "string" ? raw.toLowerCase() : undefined;
  if (word === "src" || word === "dst") return word;
  problems.add("flows/bad-reporter", `reporter ${show(raw)} is not Src or Dst`);
  return undefined;
}

function readAction(raw: unknown, problems: ProblemList): "allow" | "deny" | undefined {
  if (isAbsent(raw) || raw === 0 || raw === "ActionUnspecified") return undefined;
  const word = actionWord(raw);
  if (word === "allow" || word === "deny") return word;
  const why = word === "pass" ? "Pass is not a verdict a flow can end with" : "it is not Allow or Deny";
  problems.add("flows/bad-action", `action ${show(raw)}: ${why}`);
  return undefined;
}

/** A present `policies` object with an omitted list means an empty list (proto3 drops empty repeated fields). */
function readPolicies(raw: unknown, problems: ProblemList): FlowRecord["policies"] {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    problems.add("flows/bad-field", `policies must be a PolicyTrace object, found ${show(raw)}`);
    return undefined;
  }
  const lists = { enforced: "enforced_policies", pending: "pending_policies" } as const;
  const out: NonNullable<FlowRecord["policies"]> = {};
  for (const [name, field] of Object.entries(lists) as [keyof typeof lists, string][]) {
    const hits = pick(raw, field) ?? [];
    if (!Array.isArray(hits)) {
      problems.add("flows/bad-policy-hit", `policies.${field} must be a list of PolicyHit objects, found ${show(hits)}`);
      continue;
    }
    const texts: string[] = [];
    hits.forEach((hit, i) => {
      const r = formatPolicyHit(hit);
      if ("text" in r) texts.push(r.text);
      else problems.add("flows/bad-policy-hit", `policies.${field}[${i}]: ${r.error}`);
    });
    out[name] = texts;
  }
  return out;
}

function readService(key: JsonObject, problems: ProblemList): FlowRecord["service"] {
  const service: NonNullable<FlowRecord["service"]> = {};
  const text = (field: string): string | undefined => {
    const v = pick(key, field) === "*" ? undefined : readName(pick(key, field));
    if (v !== INVALID) return v;
    problems.add("flows/bad-field", `${field} ${show(pick(key, field))} is not a string`);
    return undefined;
  };
  const name = text("dest_service_name");
  const namespace = text("dest_service_namespace");
  const portName = text("dest_service_port_name");
  const port = readPort(pick(key, "dest_service_port"));
  if (port === INVALID) problems.add("flows/bad-port", `dest_service_port ${show(pick(key, "dest_service_port"))} is not a port number`);
  if (name !== undefined) service.name = name;
  if (namespace !== undefined) service.namespace = namespace;
  if (port !== undefined && port !== INVALID) service.port = port;
  if (portName !== undefined) service.portName = portName;
  return Object.keys(service).length > 0 ? service : undefined;
}
