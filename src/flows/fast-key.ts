import { readPort, readProtocol, INVALID } from "./fields.js";

/*
 * The fields of a Calico Enterprise document the replay's fast path reads, and the check that they are in the plain
 * shape it handles: a replay caches what each end resolves to, so a record like one already seen is not read in full.
 */

/** The other fields the fast path reads, checked the way the full reader checks them. */
export interface FastFields {
  protocol: string;
  dstPort: number | undefined;
  srcPort: number | undefined;
  numFlows: number;
}

/**
 * Undefined when the document is not in the plain shape (a search-hit wrapper, non-scalar fields): the caller then
 * takes the full path, which reports any problem.
 */
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
