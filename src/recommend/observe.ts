import { parseFlowProtocol } from "../engine/index.js";
import { recordFromValue } from "../flows/index.js";
import type { FlowFormat, FlowProblem, FlowRecord } from "../flows/index.js";
import { fastLineOf, RawEndpoints } from "../impact/index.js";
import type { EndpointResolver, Resolved } from "../impact/index.js";

/**
 * Flow records in, distinct flow tuples out: (source endpoint, destination endpoint, protocol, destination port),
 * each with its volume and when it was first and last seen. Records are folded in as they stream past and never
 * kept, so memory grows with the number of distinct tuples, not with the number of records. Source ports are left
 * out of the tuple: they are ephemeral, and keeping them would make the tuples as many as the records.
 */
export interface FlowTuple {
  src: Resolved;
  dst: Resolved;
  /** IANA protocol number. */
  protocol: number;
  port?: number;
  records: number;
  /** Connections (`num_flows`) as the source reported them, as the destination did, and by records naming neither. */
  bySrc: number;
  byDst: number;
  byNone: number;
  /** UNIX seconds; undefined when no record of the tuple carried times. */
  first?: number;
  last?: number;
}

/** Connections a tuple stands for: both ends may report one connection, so the larger report counts. */
export function connections(t: FlowTuple): number {
  return Math.max(t.bySrc, t.byDst) + t.byNone;
}

export interface ObserveWindow {
  /** UNIX seconds: records that ended before are left out. */
  since?: number;
  /** UNIX seconds: records that started after are left out. */
  until?: number;
}

export interface ObserveStats {
  records: number;
  /** Records outside the time window. */
  outsideWindow: number;
  /** Earliest start and latest end over the records kept (UNIX seconds). */
  earliest?: number;
  latest?: number;
}

/** Ports of one pair kept in a list before they move to a map. */
const MAX_LIST = 16;

export class FlowObserver {
  /**
   * Source id → destination id → the tuples of that pair. A pair rarely uses more than a few ports, so they sit in a
   * short list rather than a third map (a map per pair costs more memory and time than the scan); a pair that uses
   * many (a port scan) gets a map keyed by port and protocol, so the scan never grows long.
   */
  private readonly table = new Map<number, Map<number, FlowTuple[] | Map<number, FlowTuple>>>();
  private readonly raw: RawEndpoints;
  private readonly protocols = new Map<string, number>();
  private count = 0;
  readonly stats: ObserveStats = { records: 0, outsideWindow: 0 };

  constructor(
    readonly resolver: EndpointResolver,
    private readonly window: ObserveWindow = {},
  ) {
    this.raw = new RawEndpoints(resolver, 100_000);
  }

  /** Distinct tuples so far. */
  get size(): number {
    return this.count;
  }

  /** One parsed flow value: the Enterprise fast path when its fields are plain, else the full reader. */
  addValue(value: Record<string, unknown>, format: FlowFormat, line: number): FlowProblem[] {
    const fast = format === "enterprise" ? fastLineOf(value, this.raw) : undefined;
    if (fast) {
      const { fields, src, dst } = fast;
      const reporter = value.reporter === "src" || value.reporter === "dst" ? value.reporter : undefined;
      this.fold(src, dst, this.protocol(fields.protocol), fields.dstPort, fields.numFlows, reporter, time(value.start_time), time(value.end_time));
      return [];
    }
    const read = recordFromValue(value, format, line);
    if (!read.record) return read.diagnostics;
    this.addRecord(read.record);
    return [];
  }

  addRecord(r: FlowRecord): void {
    const src = this.resolver.resolve(r.src);
    const dst = this.resolver.resolve(r.dst);
    this.fold(src, dst, this.protocol(r.protocol), r.dstPort, r.numFlows, r.reporter, r.startTime, r.endTime);
  }

  tuples(): FlowTuple[] {
    const out: FlowTuple[] = [];
    for (const byDst of this.table.values()) for (const list of byDst.values()) for (const t of list.values()) out.push(t);
    return out;
  }

  private fold(src: Resolved, dst: Resolved, protocol: number, port: number | undefined, n: number, reporter: "src" | "dst" | undefined, start?: number, end?: number): void {
    const { since, until } = this.window;
    this.stats.records++;
    if ((since !== undefined && end !== undefined && end < since) || (until !== undefined && start !== undefined && start > until)) {
      this.stats.outsideWindow++;
      return;
    }
    let byDst = this.table.get(src.id);
    if (!byDst) this.table.set(src.id, (byDst = new Map()));
    let list = byDst.get(dst.id);
    if (!list) byDst.set(dst.id, (list = []));
    const key = (port ?? 65536) * 256 + protocol;
    let t: FlowTuple | undefined;
    if (Array.isArray(list)) {
      for (const x of list) {
        if (x.port === port && x.protocol === protocol) {
          t = x;
          break;
        }
      }
    } else t = list.get(key);
    if (!t) {
      t = { src, dst, protocol, port, records: 0, bySrc: 0, byDst: 0, byNone: 0 };
      if (!Array.isArray(list)) list.set(key, t);
      else if (list.length < MAX_LIST) list.push(t);
      else byDst.set(dst.id, new Map([...list, t].map((x) => [(x.port ?? 65536) * 256 + x.protocol, x])));
      this.count++;
    }
    t.records++;
    if (reporter === "src") t.bySrc += n;
    else if (reporter === "dst") t.byDst += n;
    else t.byNone += n;
    const first = start ?? end;
    const last = end ?? start;
    if (first !== undefined && (t.first === undefined || first < t.first)) t.first = first;
    if (last !== undefined && (t.last === undefined || last > t.last)) t.last = last;
    const s = this.stats;
    if (first !== undefined && (s.earliest === undefined || first < s.earliest)) s.earliest = first;
    if (last !== undefined && (s.latest === undefined || last > s.latest)) s.latest = last;
  }

  private protocol(text: string): number {
    let p = this.protocols.get(text);
    if (p === undefined) {
      p = parseFlowProtocol(text) ?? 0;
      this.protocols.set(text, p);
    }
    return p;
  }
}

function time(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
