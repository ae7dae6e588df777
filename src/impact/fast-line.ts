import { enterpriseFastFields, type FastFields } from "../flows/index.js";
import type { RawEndpoints } from "./raw-endpoints.js";
import type { Resolved } from "./resolve.js";

/**
 * The replay's fast path for a Calico Enterprise record: the few fields that decide its outcome, and both ends
 * resolved through the raw-endpoint cache. Undefined when the record must be read in full (the full path then
 * reports whatever is wrong with it).
 */
export interface FastLine {
  fields: FastFields;
  src: Resolved;
  dst: Resolved;
}

/** The fast path over a parsed document. */
export function fastLineOf(doc: Record<string, unknown>, raw: RawEndpoints): FastLine | undefined {
  const fields = enterpriseFastFields(doc);
  const src = fields && raw.get(doc, "source");
  const dst = src && raw.get(doc, "dest");
  return fields && src && dst ? { fields, src, dst } : undefined;
}
