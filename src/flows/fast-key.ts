/**
 * The fields of a Calico Enterprise document that decide how it is evaluated, joined into one string: records with
 * equal keys resolve to the same endpoints and get the same verdict. A replay memoises on it and skips parsing and
 * resolving records like ones it has seen. Undefined when the document is not in the plain shape (a search-hit
 * wrapper, non-scalar fields): the caller then takes the full path, which reports any problem.
 */
const SCALARS = [
  "source_type", "source_namespace", "source_name", "source_name_aggr", "source_ip", "source_port",
  "dest_type", "dest_namespace", "dest_name", "dest_name_aggr", "dest_ip", "dest_port", "proto",
] as const;

export function enterpriseEvaluationKey(doc: Record<string, unknown>): string | undefined {
  if (doc._source !== undefined) return undefined;
  let key = "";
  for (const f of SCALARS) {
    const v = doc[f];
    if (v === null || v === undefined) key += "\u0001";
    else if (typeof v === "string" || typeof v === "number") key += v + "\u0001";
    else return undefined;
  }
  for (const f of ["source_labels", "dest_labels"] as const) {
    const v = doc[f];
    if (v === null || v === undefined) key += "\u0003";
    else if (typeof v === "string") key += "S" + v + "\u0003";
    else if (typeof v === "object" && Array.isArray((v as { labels?: unknown }).labels)) key += (v as { labels: unknown[] }).labels.join("\u0002") + "\u0003";
    else return undefined;
  }
  return key;
}

/**
 * The cheap checks a remembered record still needs: the fields read on the fast path must be well-formed, or the
 * record goes the full way and its problem is reported.
 */
export function enterpriseFastFieldsOk(doc: Record<string, unknown>): boolean {
  const n = doc.num_flows;
  if (n !== undefined && n !== null && !(typeof n === "number" && Number.isInteger(n) && n >= 0)) return false;
  const a = doc.action;
  if (a !== undefined && a !== null && a !== "allow" && a !== "deny") return false;
  const r = doc.reporter;
  return r === undefined || r === null || r === "src" || r === "dst";
}
