import { readPort, readProtocol, INVALID } from "./fields.js";

/**
 * Cheap keys over the raw fields of a Calico Enterprise document, for the replay's fast path: equal endpoint keys
 * mean equal endpoints, so a replay can cache what an endpoint resolves to and skip reading records it has seen
 * the like of. Each function returns undefined when the document is not in the plain shape (a search-hit wrapper,
 * non-scalar fields): the caller then takes the full path, which reports any problem.
 */
const ENDPOINT_FIELDS = {
  source: ["source_type", "source_namespace", "source_name", "source_name_aggr", "source_ip", "source_labels"],
  dest: ["dest_type", "dest_namespace", "dest_name", "dest_name_aggr", "dest_ip", "dest_labels"],
} as const;

export function enterpriseEndpointKey(doc: Record<string, unknown>, prefix: "source" | "dest"): string | undefined {
  const [type, ns, name, aggr, ip, labelsField] = ENDPOINT_FIELDS[prefix];
  let key = "";
  for (const f of [type, ns, name, aggr, ip]) {
    const v = doc[f];
    if (v === null || v === undefined) key += "\u0001";
    else if (typeof v === "string") key += v + "\u0001";
    else return undefined;
  }
  const labels = doc[labelsField];
  if (labels === null || labels === undefined) return key;
  if (typeof labels === "string") return key + "S" + labels;
  const list = (labels as { labels?: unknown }).labels;
  if (typeof labels === "object" && Array.isArray(list)) return key + "L" + list.join("\u0002");
  return undefined;
}

/** The other fields the fast path reads, checked the way the full reader checks them. */
export interface FastFields {
  protocol: string;
  dstPort: number | undefined;
  srcPort: number | undefined;
  numFlows: number;
}

export function enterpriseFastFields(doc: Record<string, unknown>): FastFields | undefined {
  if (doc._source !== undefined) return undefined;
  const protocol = readProtocol(doc.proto);
  const dstPort = readPort(doc.dest_port);
  const srcPort = readPort(doc.source_port);
  if (protocol === undefined || protocol === INVALID || dstPort === INVALID || srcPort === INVALID) return undefined;
  const n = doc.num_flows;
  if (n !== undefined && n !== null && !(typeof n === "number" && Number.isSafeInteger(n) && n >= 0)) return undefined; // as readCount: 1e308 is an integer, not a count
  const a = doc.action;
  if (a !== undefined && a !== null && a !== "allow" && a !== "deny") return undefined;
  const r = doc.reporter;
  if (r !== undefined && r !== null && r !== "src" && r !== "dst") return undefined;
  return { protocol, dstPort, srcPort, numFlows: Math.max(1, (n as number | undefined | null) ?? 1) };
}
