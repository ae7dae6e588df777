import { evaluateFlow, IpClassifier, type FlowEvaluation, type PolicyHit, type PolicySet } from "../engine/index.js";
import { parseFlowProtocol } from "../engine/index.js";
import { recordFromValue } from "../flows/index.js";
import type { FlowFormat, FlowProblem, FlowRecord } from "../flows/index.js";
import { fastLineOf } from "./fast-line.js";
import { RawEndpoints } from "./raw-endpoints.js";
import type { EndpointResolver, Resolved } from "./resolve.js";

/**
 * Replays flow records through one policy set. Two memo tables keep the cost per record near the cost of reading it:
 * - evaluations are memoised per (source, destination, protocol, port) where an endpoint is identified by what the
 *   engine can tell apart (its label set, the class of its address, its named ports), not by pod name or IP;
 * - for Calico Enterprise documents, the outcome is also memoised on the raw fields that decide it, so a record like
 *   one already seen is neither read into a record nor resolved.
 * Both tables are bounded, so memory does not grow with the number of records.
 */
export interface RecordOutcome {
  evaluation: FlowEvaluation;
  /** Why an endpoint could not be fully resolved; empty when both were. */
  unresolved: string[];
}

export interface ReplayedLine {
  outcome: RecordOutcome;
  numFlows: number;
  /** Present when the line took the full path, and always when the caller asked for it. */
  record?: FlowRecord;
}

export interface ReplayOptions {
  /** Most memoised evaluations kept; older ones are dropped. */
  cacheSize?: number;
  /** A raw-endpoint cache to share (base and head replayers of one snapshot resolve the same endpoints). */
  raw?: RawEndpoints;
}

/**
 * Most memoised evaluations by default. An outcome holds its traces (about 1.3 KB), so a larger table trades memory
 * for evaluations, and measured it did not pay: over the benchmark's 5M records (513,593 distinct tuples, one worker)
 * 400,000 took 69-72 s and 1,220 MB against 65 s and 817 MB for 100,000; over 1M (111,258) it saved 12,843 of
 * 124,101 evaluations, within the run-to-run noise.
 */
const DEFAULT_TUPLES = 100_000;
/** Most raw endpoint field sets kept by default (the benchmark's million records hold 12,000). */
const DEFAULT_ENDPOINTS = 100_000;

/** Replayer slots: each replayer keeps its equivalence ids on the resolved endpoints under its own slot. */
let nextSlot = 0;

export class Replayer {
  private readonly tuples: TupleMemo;
  /** Raw endpoint fields → resolved endpoint; shared with another replayer of the same snapshot when given. */
  readonly raw: RawEndpoints;
  private readonly protocols = new Map<string, number>();
  private readonly classes: IpClassifier;
  private readonly equivalence = new Map<string, number>();
  private readonly slot = nextSlot++ % 1024;
  private generation = 0;
  /** Source ports are part of the tuple only when some rule matches on them. */
  private readonly usesSourcePorts: boolean;
  fastHits = 0;

  constructor(
    readonly set: PolicySet,
    readonly resolver: EndpointResolver,
    options: ReplayOptions = {},
  ) {
    this.tuples = new TupleMemo(options.cacheSize ?? DEFAULT_TUPLES);
    this.raw = options.raw ?? new RawEndpoints(resolver, options.cacheSize ?? DEFAULT_ENDPOINTS);
    this.classes = new IpClassifier(set);
    this.usesSourcePorts = set.policies.some((p) =>
      [...p.ingress, ...p.egress].some((r) => r.source.ports !== undefined || r.source.notPorts !== undefined),
    );
  }

  /** One parsed line: the fast path when the caller needs no record, else the full path. */
  replayValue(value: Record<string, unknown>, format: FlowFormat, line: number, needRecord: boolean): ReplayedLine | { problems: FlowProblem[] } {
    const fast = format === "enterprise" && !needRecord ? fastLineOf(value, this.raw) : undefined;
    if (fast) {
      const { fields, src, dst } = fast;
      this.fastHits++;
      return { outcome: this.outcome(src, dst, this.protocol(fields.protocol), fields.dstPort, fields.srcPort), numFlows: fields.numFlows };
    }
    const read = recordFromValue(value, format, line);
    if (!read.record) return { problems: read.diagnostics };
    return { outcome: this.replay(read.record), numFlows: read.record.numFlows, record: read.record };
  }

  replay(record: FlowRecord): RecordOutcome {
    const src = this.resolver.resolve(record.src);
    const dst = this.resolver.resolve(record.dst);
    return this.outcome(src, dst, this.protocol(record.protocol), record.dstPort, record.src.port);
  }

  get cacheStats(): { tuples: number; evaluations: number; fastHits: number } {
    return { tuples: this.tuples.size, evaluations: this.tuples.evaluations, fastHits: this.fastHits };
  }

  /** The outcome for resolved endpoints (memoised on their equivalence ids). */
  outcome(src: Resolved, dst: Resolved, protocol: number, dstPort: number | undefined, srcPortIn: number | undefined): RecordOutcome {
    const srcPort = this.usesSourcePorts ? srcPortIn : undefined;
    const a = this.endpointId(src);
    const b = this.endpointId(dst);
    const c = (dstPort ?? 65536) * 256 + protocol + (srcPort === undefined ? 0 : (srcPort + 1) * 2 ** 25);
    let outcome = this.tuples.get(a, b, c);
    if (!outcome) {
      const evaluation = evaluateFlow(this.set, { src: src.endpoint, dst: dst.endpoint, protocol, dstPort, srcPort });
      const unresolved: string[] = [];
      if (src.unresolved) unresolved.push(`source: ${src.unresolved}`);
      if (dst.unresolved) unresolved.push(`destination: ${dst.unresolved}`);
      outcome = { evaluation, unresolved };
      if (this.tuples.set(a, b, c, outcome)) {
        this.equivalence.clear();
        this.generation++;
      }
    }
    return outcome;
  }

  /**
   * What the engine can tell apart about an endpoint (its label set, the class of its address, its named ports),
   * as a small integer: replicas of one workload share it. Unresolved endpoints keep their own id, so the reason
   * recorded with a memoised outcome names the right endpoint.
   */
  private endpointId(r: Resolved): number {
    const known = r.equivalence?.[this.slot];
    if (known !== undefined && Math.floor(known / 2097152) === this.generation) return known % 2097152;
    const ep = r.endpoint;
    const ports = ep.namedPorts === undefined ? "?" : ep.namedPorts.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(",");
    const set = ep.kind === "networkset" ? `${ep.namespace ?? ""}/${ep.name ?? ""}` : "";
    const key = `${ep.kind}|${ep.labels.id}|${this.classes.classOf(ep.ip)}|${ports}|${set}|${ep.addressClass ?? ""}|${r.unresolved ?? ""}`;
    let id = this.equivalence.get(key);
    if (id === undefined) {
      id = this.equivalence.size + 1;
      this.equivalence.set(key, id);
    }
    (r.equivalence ??= [])[this.slot] = this.generation * 2097152 + id;
    return id;
  }

  protocol(text: string): number {
    let p = this.protocols.get(text);
    if (p === undefined) {
      // The readers only pass protocols they recognised; 0 ("any") is a safe fallback that matches no protocol rule.
      p = parseFlowProtocol(text) ?? 0;
      this.protocols.set(text, p);
    }
    return p;
  }
}

/**
 * Outcomes by (source id, destination id, port and protocol) in nested maps with numeric keys, which V8 looks up far
 * faster than concatenated strings. Bounded: when full it is emptied, and `set` says so (ids are then reissued).
 */
class TupleMemo {
  // Nested maps keyed by small integers (V8 Smis): a combined key above 2^30 would be a heap number per lookup.
  private map = new Map<number, Map<number, Map<number, RecordOutcome>>>();
  size = 0;
  evaluations = 0;

  constructor(private readonly capacity: number) {}

  get(a: number, b: number, c: number): RecordOutcome | undefined {
    return this.map.get(a)?.get(b)?.get(c);
  }

  /** Returns true when the table was emptied to make room (the outcome is then not stored). */
  set(a: number, b: number, c: number, outcome: RecordOutcome): boolean {
    this.evaluations++;
    if (this.size >= this.capacity) {
      // The ids in hand belong to the old generation; the caller reissues them, so nothing is stored now.
      this.map = new Map();
      this.size = 0;
      return true;
    }
    let byB = this.map.get(a);
    if (!byB) this.map.set(a, (byB = new Map()));
    let byC = byB.get(b);
    if (!byC) byB.set(b, (byC = new Map()));
    byC.set(c, outcome);
    this.size++;
    return false;
  }
}
/** The hit that decided the overall verdict: the denying side when denied, else the destination's (or source's). */
export function decidingHit(e: FlowEvaluation, mode: "enforced" | "pending" = "enforced"): PolicyHit | undefined {
  const sides = [e.egress, e.ingress].filter((s) => s !== undefined);
  const denied = sides.find((s) => s![mode].verdict === "deny");
  const side = denied ?? e.ingress ?? e.egress;
  if (!side) return undefined;
  const hits = side[mode].hits;
  return hits[hits.length - 1];
}

/** The tier a hit belongs to; `__PROFILE__` for the namespace profile. */
export function hitTier(hit: PolicyHit | undefined): string {
  if (!hit) return "(no policy: neither end is a workload)";
  switch (hit.type) {
    case "rule":
      return hit.policy.tier;
    case "end-of-tier":
      return hit.tier;
    case "profile":
      return "__PROFILE__";
  }
}
