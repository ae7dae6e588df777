import { describePolicy, formatHit, UnchangedSides, type FlowEvaluation } from "../engine/index.js";
import { recordFromValue } from "../flows/index.js";
import { flowEndpointName } from "../flows/index.js";
import type { FlowEndpointRef, FlowFormat, FlowProblem, FlowRecord } from "../flows/index.js";
import type { CalicoModel } from "../policy/index.js";
import { fastLineOf } from "./fast-line.js";
import { decidingHit, hitTier, type RecordOutcome, type Replayer } from "./replay.js";
import type { Resolved } from "./resolve.js";
import { tally, zeroHits } from "./hit-tally.js";
import { reasonKind } from "./summary.js";
import type { FlowVerdictSide, ImpactFlow, ImpactReport } from "./types.js";

/**
 * Replays a snapshot through the base and head policy sets at once and keeps what changes: flows newly denied
 * (breakage), newly allowed (exposure), and pending-verdict changes, aggregated by (source workload, destination
 * workload, port, protocol) and ranked by volume. Both ends of a connection may report it (reporter src and dst):
 * each aggregate keeps the volume each reporter saw and counts the larger, so a connection counts once. Each line is
 * parsed once; both replayers memoise; a flow whose sides no change touched takes the base's outcome (side-key.ts).
 */
interface Volume {
  records: number;
  flows: number;
  bytes: number;
}

/** A comparer's accumulated state as plain data. Sets travel as Sets (structured clone keeps them). */
export interface ComparerState {
  newlyDenied: Array<[string, Aggregate]>;
  newlyAllowed: Array<[string, Aggregate]>;
  pendingChanged: Array<[string, Aggregate]>;
  policyHits: Array<[string, number]>;
  totals: ImpactReport["totals"];
  skippedAt: Array<{ source: string; line: number; message: string }>;
  /** What first showed each workload the replay met (EndpointResolver.workloadRefs), for the main thread to resolve. */
  workloadRefs: FlowEndpointRef[];
}

interface Aggregate {
  src: string;
  dst: string;
  port?: number;
  protocol: string;
  byReporter: { src: Volume; dst: Volume; none: Volume };
  before: FlowVerdictSide;
  after: FlowVerdictSide;
  uncertain: Set<string>;
}

export class ImpactComparer {
  private readonly newlyDenied = new Map<string, Aggregate>();
  private readonly newlyAllowed = new Map<string, Aggregate>();
  private readonly pendingChanged = new Map<string, Aggregate>();
  private readonly outcomeCounts = new Map<RecordOutcome, number>();
  private readonly policyHits = new Map<string, number>();
  readonly totals: ImpactReport["totals"] = { records: 0, flows: 0, skippedLines: 0, problems: [], unresolved: { records: 0, reasons: {} }, uncertain: { records: 0 } };
  /** Unreadable lines, with line numbers so that ranges replayed in worker threads can be renumbered. */
  private readonly skippedAt: Array<{ source: string; line: number; message: string }> = [];
  /** Sides the change left alone; undefined (replayers with two resolvers, or asked not to): all evaluated twice. */
  private readonly unchanged?: UnchangedSides;
  /** Head outcomes taken from the base without evaluating (for tests and benchmarks). */
  reused = 0;

  constructor(
    private readonly base: Replayer,
    private readonly head: Replayer,
    private readonly model: CalicoModel,
    options: { reuseUnchanged?: boolean } = {},
  ) {
    if ((options.reuseUnchanged ?? true) && base.resolver === head.resolver) this.unchanged = new UnchangedSides(base.set, head.set);
  }

  /** The head's outcome: the base's when neither side of the flow changed. */
  private headOutcome(src: Resolved, dst: Resolved, before: RecordOutcome, protocol: number, dstPort?: number, srcPort?: number): RecordOutcome {
    if (!this.unchanged?.same(src.endpoint, "egress") || !this.unchanged.same(dst.endpoint, "ingress")) return this.head.outcome(src, dst, protocol, dstPort, srcPort);
    this.reused++;
    return before;
  }

  /** One parsed line. Returns the problems when the line could not be read as a record. */
  addValue(value: Record<string, unknown>, format: FlowFormat, line: number): FlowProblem[] | undefined {
    let before: RecordOutcome;
    let after: RecordOutcome;
    let numFlows: number;
    let record: FlowRecord | undefined;
    // The fast path: each line's endpoints are resolved once (the replayers share their raw-endpoint cache).
    const fast = format === "enterprise" ? fastLineOf(value, this.head.raw) : undefined;
    if (fast) {
      const { fields, src, dst } = fast;
      const protocol = this.head.protocol(fields.protocol);
      before = this.base.outcome(src, dst, protocol, fields.dstPort, fields.srcPort);
      after = this.headOutcome(src, dst, before, protocol, fields.dstPort, fields.srcPort);
      numFlows = fields.numFlows;
    } else {
      const read = recordFromValue(value, format, line);
      if (!read.record) return read.diagnostics;
      record = read.record;
      // Reusing, the replayers share one resolver (the constructor checks): each end is resolved once for both.
      const ends = this.unchanged ? ([this.head.resolver.resolve(record.src), this.head.resolver.resolve(record.dst)] as const) : undefined;
      const protocol = this.head.protocol(record.protocol);
      before = ends ? this.base.outcome(ends[0], ends[1], protocol, record.dstPort, record.src.port) : this.base.replay(record);
      after = ends ? this.headOutcome(ends[0], ends[1], before, protocol, record.dstPort, record.src.port) : this.head.replay(record);
      numFlows = record.numFlows;
    }
    const eb = before.evaluation;
    const eh = after.evaluation;
    this.count(after, numFlows);
    if (eb.verdict !== eh.verdict || eb.pendingVerdict !== eh.pendingVerdict) {
      record ??= recordFromValue(value, format, line).record;
      if (record) this.changed(record, eb, eh);
    }
    return undefined;
  }

  /** A line that could not be read. */
  skipped(source: string, line: number, message: string): void {
    this.totals.skippedLines++;
    if (this.skippedAt.length < 20) this.skippedAt.push({ source, line, message });
  }

  /** Everything accumulated, as plain data (for a worker thread to post). */
  exportState(): ComparerState {
    this.flushHits();
    return {
      newlyDenied: [...this.newlyDenied],
      newlyAllowed: [...this.newlyAllowed],
      pendingChanged: [...this.pendingChanged],
      policyHits: [...this.policyHits],
      totals: this.totals,
      skippedAt: this.skippedAt,
      workloadRefs: this.head.resolver.workloadRefs(),
    };
  }

  /** Adds another comparer's state; its line numbers are shifted by `lineOffset`. */
  mergeState(state: ComparerState, lineOffset: number): void {
    const into = (m: Map<string, Aggregate>, entries: Array<[string, Aggregate]>) => {
      for (const [k, a] of entries) {
        const mine = m.get(k);
        if (!mine) {
          m.set(k, { ...a, uncertain: new Set(a.uncertain) });
          continue;
        }
        for (const who of ["src", "dst", "none"] as const) {
          mine.byReporter[who].records += a.byReporter[who].records;
          mine.byReporter[who].flows += a.byReporter[who].flows;
          mine.byReporter[who].bytes += a.byReporter[who].bytes;
        }
        for (const u of a.uncertain) if (mine.uncertain.size < 10) mine.uncertain.add(u);
      }
    };
    into(this.newlyDenied, state.newlyDenied);
    into(this.newlyAllowed, state.newlyAllowed);
    into(this.pendingChanged, state.pendingChanged);
    for (const [k, n] of state.policyHits) this.policyHits.set(k, (this.policyHits.get(k) ?? 0) + n);
    const t = this.totals;
    t.records += state.totals.records;
    t.flows += state.totals.flows;
    t.skippedLines += state.totals.skippedLines;
    t.uncertain.records += state.totals.uncertain.records;
    t.unresolved.records += state.totals.unresolved.records;
    for (const [k, n] of Object.entries(state.totals.unresolved.reasons)) t.unresolved.reasons[k] = (t.unresolved.reasons[k] ?? 0) + n;
    for (const p of state.skippedAt) if (this.skippedAt.length < 20) this.skippedAt.push({ ...p, line: p.line + lineOffset });
    // The workloads a worker met join this thread's resolver, in file order, as if it had read them itself.
    for (const ref of state.workloadRefs) this.head.resolver.resolve(ref);
  }

  private count(outcome: RecordOutcome, flows: number): void {
    this.totals.records++;
    this.totals.flows += flows;
    if (outcome.evaluation.uncertain.length > 0) this.totals.uncertain.records++;
    if (outcome.unresolved.length > 0) {
      this.totals.unresolved.records++;
      for (const u of outcome.unresolved) {
        const kind = reasonKind(u);
        this.totals.unresolved.reasons[kind] = (this.totals.unresolved.reasons[kind] ?? 0) + 1;
      }
    }
    this.outcomeCounts.set(outcome, (this.outcomeCounts.get(outcome) ?? 0) + 1);
    if (this.outcomeCounts.size > 100_000) this.flushHits();
  }

  private changed(record: FlowRecord, before: FlowEvaluation, after: FlowEvaluation): void {
    const key = `${workloadName(record.src)}>${workloadName(record.dst)}|${record.dstPort ?? ""}|${record.protocol.toLowerCase()}`;
    if (before.verdict !== after.verdict) {
      this.aggregate(after.verdict === "deny" ? this.newlyDenied : this.newlyAllowed, key, record, before, after, "enforced");
    }
    // A pending change that only repeats the enforced one (no staged policy involved on either side) is not news.
    const stagedMatters = before.verdict !== before.pendingVerdict || after.verdict !== after.pendingVerdict;
    if (before.pendingVerdict !== after.pendingVerdict && stagedMatters) this.aggregate(this.pendingChanged, key, record, before, after, "pending");
  }

  private aggregate(into: Map<string, Aggregate>, key: string, r: FlowRecord, before: FlowEvaluation, after: FlowEvaluation, mode: "enforced" | "pending"): void {
    let a = into.get(key);
    if (!a) {
      a = {
        src: workloadName(r.src),
        dst: workloadName(r.dst),
        port: r.dstPort,
        protocol: r.protocol.toLowerCase(),
        byReporter: { src: zero(), dst: zero(), none: zero() },
        before: this.side(before, mode),
        after: this.side(after, mode),
        uncertain: new Set(),
      };
      into.set(key, a);
    }
    const v = a.byReporter[r.reporter ?? "none"];
    v.records++;
    v.flows += r.numFlows;
    v.bytes += r.bytes;
    for (const u of [...before.uncertain, ...after.uncertain]) if (a.uncertain.size < 10) a.uncertain.add(u);
  }

  private side(e: FlowEvaluation, mode: "enforced" | "pending"): FlowVerdictSide {
    const hit = decidingHit(e, mode);
    const verdict = mode === "enforced" ? e.verdict : e.pendingVerdict;
    const denied = [e.egress, e.ingress].find((s) => s && s[mode].verdict === "deny");
    const direction = (denied ?? e.ingress ?? e.egress)?.direction;
    if (!hit) return { verdict, decidedBy: "no policy (neither end is a workload)", tier: "" };
    return {
      verdict,
      decidedBy: formatHit(hit, 0, this.model).replace(/^0\|/, ""),
      tier: hitTier(hit),
      policy: hit.type === "profile" ? undefined : describePolicy(hit.policy),
      rule: hit.type === "rule" ? hit.ruleIndex : hit.type === "end-of-tier" ? -1 : undefined,
      direction,
    };
  }

  private flushHits(): void {
    for (const [outcome] of this.outcomeCounts) {
      const e = outcome.evaluation;
      for (const side of [e.egress, e.ingress]) {
        if (!side) continue;
        for (const hit of [...side.enforced.hits, ...side.pending.hits]) tally(this.policyHits, hit, side.direction);
      }
    }
    this.outcomeCounts.clear();
  }

  finish(sources: string[], maxListed: number): ImpactReport {
    this.flushHits();
    this.totals.problems = this.skippedAt.map((p) => `${p.source}:${p.line}: ${p.message}`);
    const ranked = (m: Map<string, Aggregate>) => [...m.values()].map(toFlow).sort((x, y) => y.flows - x.flows || y.bytes - x.bytes || (x.src + x.dst < y.src + y.dst ? -1 : 1));
    const newlyDenied = ranked(this.newlyDenied);
    const newlyAllowed = ranked(this.newlyAllowed);
    return {
      sources,
      newlyDenied,
      newlyAllowed,
      pendingChanged: ranked(this.pendingChanged).slice(0, maxListed * 4),
      zeroHitPolicies: zeroHits(this.head.set.policies, this.policyHits),
      totals: this.totals,
    };
  }
}

function zero(): Volume {
  return { records: 0, flows: 0, bytes: 0 };
}

function toFlow(a: Aggregate): ImpactFlow {
  const { src, dst, none } = a.byReporter;
  const pick = (f: keyof Volume) => Math.max(src[f], dst[f]) + none[f];
  const flow: ImpactFlow = { src: a.src, dst: a.dst, protocol: a.protocol, records: pick("records"), flows: pick("flows"), bytes: pick("bytes"), before: a.before, after: a.after };
  if (a.port !== undefined) flow.port = a.port;
  if (a.uncertain.size > 0) flow.uncertain = [...a.uncertain];
  return flow;
}

/** Workload identity: namespace plus aggregated name (or Goldmane's name); networks by address or pvt/pub. */
export function workloadName(ref: FlowEndpointRef): string {
  return flowEndpointName(ref, "workload");
}
