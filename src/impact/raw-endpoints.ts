import { readEnterpriseEndpoint } from "../flows/index.js";
import type { EndpointResolver, Resolved } from "./resolve.js";

/**
 * Calico Enterprise records' raw endpoint fields → resolved endpoints, resolved once per distinct set of fields.
 * `null` marks fields the full path must read (and report). Independent of any policy set, so shareable.
 */
export class RawEndpoints {
  /**
   * Keyed on one short field (the address, else the aggregated name, else the name): hashing the long label list
   * of every record costs more than the rest of the fast path. The other fields are checked by equality against
   * the entry's exemplar.
   */
  private table = new Map<string, RawEntry[]>();
  private size = 0;

  constructor(
    private readonly resolver: EndpointResolver,
    private readonly capacity: number,
  ) {}

  get(doc: Record<string, unknown>, prefix: "source" | "dest"): Resolved | undefined {
    const src = prefix === "source";
    const type = src ? doc.source_type : doc.dest_type;
    const ns = src ? doc.source_namespace : doc.dest_namespace;
    const name = src ? doc.source_name : doc.dest_name;
    const aggr = src ? doc.source_name_aggr : doc.dest_name_aggr;
    const ip = src ? doc.source_ip : doc.dest_ip;
    const labels = src ? doc.source_labels : doc.dest_labels;
    if (!plain(type) || !plain(ns) || !plain(name) || !plain(aggr) || !plain(ip)) return undefined;
    const list = labelList(labels);
    if (list === undefined) return undefined;
    const key = (ip ?? aggr ?? name ?? "") as string;
    let bucket = this.table.get(key);
    if (bucket) {
      for (const e of bucket) {
        if (e.type === type && e.ns === ns && e.name === name && e.aggr === aggr && e.ip === ip && sameLabels(e.labels, list)) return e.resolved ?? undefined;
      }
    } else {
      this.table.set(key, (bucket = []));
    }
    const ref = readEnterpriseEndpoint(doc, prefix);
    const resolved = ref ? this.resolver.resolve(ref) : null;
    if (++this.size > this.capacity) {
      this.table = new Map();
      this.size = 0;
    } else {
      bucket.push({ type, ns, name, aggr, ip, labels: Array.isArray(list) ? [...list] : list, resolved });
    }
    return resolved ?? undefined;
  }
}

interface RawEntry {
  type: unknown;
  ns: unknown;
  name: unknown;
  aggr: unknown;
  ip: unknown;
  labels: readonly unknown[] | string | null;
  /** null: the fields must go the full way (and be reported). */
  resolved: Resolved | null;
}

function plain(v: unknown): boolean {
  return v === null || v === undefined || typeof v === "string";
}

/** `{"labels": [...]}` → the list; "-" → "-"; absent → null; undefined for shapes the fast path does not handle. */
function labelList(v: unknown): readonly unknown[] | string | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  const list = (v as { labels?: unknown }).labels;
  return typeof v === "object" && Array.isArray(list) ? list : undefined;
}

function sameLabels(a: readonly unknown[] | string | null, b: readonly unknown[] | string | null): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
