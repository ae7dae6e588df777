import { evaluateFlow, IpClassifier, type FlowEvaluation, type PolicyHit, type PolicySet } from "../engine/index.js";
import { parseFlowProtocol } from "../engine/protocol.js";
import { recordFromValue } from "../flows/detect.js";
import { enterpriseEvaluationKey, enterpriseFastFieldsOk } from "../flows/fast-key.js";
import type { FlowFormat, FlowProblem, FlowRecord } from "../flows/types.js";
import { BoundedCache } from "./cache.js";
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
}

export class Replayer {
  private readonly memo: BoundedCache<string, FlowEvaluation>;
  private readonly fast: BoundedCache<string, RecordOutcome>;
  private readonly protocols = new Map<string, number>();
  private readonly classes: IpClassifier;
  private readonly endpointKeys = new WeakMap<Resolved, string>();
  /** Source ports are part of the tuple only when some rule matches on them. */
  private readonly usesSourcePorts: boolean;

  constructor(
    readonly set: PolicySet,
    readonly resolver: EndpointResolver,
    options: ReplayOptions = {},
  ) {
    this.memo = new BoundedCache(options.cacheSize ?? 100_000);
    this.fast = new BoundedCache(options.cacheSize ?? 100_000);
    this.classes = new IpClassifier(set);
    this.usesSourcePorts = set.policies.some((p) =>
      [...p.ingress, ...p.egress].some((r) => r.source.ports !== undefined || r.source.notPorts !== undefined),
    );
  }

  /** One parsed line: the fast path when the record's deciding fields were seen before, else the full path. */
  replayValue(value: Record<string, unknown>, format: FlowFormat, line: number, needRecord: boolean): ReplayedLine | { problems: FlowProblem[] } {
    let key: string | undefined;
    if (format === "enterprise" && enterpriseFastFieldsOk(value)) {
      key = enterpriseEvaluationKey(value);
      if (key !== undefined && !needRecord) {
        const seen = this.fast.get(key);
        if (seen) return { outcome: seen, numFlows: Math.max(1, (value.num_flows as number | undefined) ?? 1) };
      }
    }
    const read = recordFromValue(value, format, line);
    if (!read.record) return { problems: read.diagnostics };
    const outcome = this.replay(read.record);
    if (key !== undefined) this.fast.set(key, outcome);
    return { outcome, numFlows: read.record.numFlows, record: read.record };
  }

  replay(record: FlowRecord): RecordOutcome {
    const src = this.resolver.resolve(record.src);
    const dst = this.resolver.resolve(record.dst);
    const protocol = this.protocol(record.protocol);
    const srcPort = this.usesSourcePorts ? record.src.port : undefined;
    const key = `${this.endpointKey(src)}>${this.endpointKey(dst)}|${protocol}|${record.dstPort ?? ""}|${srcPort ?? ""}`;
    let evaluation = this.memo.get(key);
    if (!evaluation) {
      evaluation = evaluateFlow(this.set, { src: src.endpoint, dst: dst.endpoint, protocol, dstPort: record.dstPort, srcPort });
      this.memo.set(key, evaluation);
    }
    const unresolved: string[] = [];
    if (src.unresolved) unresolved.push(`source: ${src.unresolved}`);
    if (dst.unresolved) unresolved.push(`destination: ${dst.unresolved}`);
    return { evaluation, unresolved };
  }

  get cacheStats(): { hits: number; misses: number; size: number; fastHits: number } {
    return { hits: this.memo.hits, misses: this.memo.misses, size: this.memo.size, fastHits: this.fast.hits };
  }

  /** What the engine can tell apart about an endpoint. Replicas of one workload share it. */
  private endpointKey(r: Resolved): string {
    let key = this.endpointKeys.get(r);
    if (key === undefined) {
      const ep = r.endpoint;
      const ports = ep.namedPorts === undefined ? "?" : ep.namedPorts.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(",");
      const set = ep.kind === "networkset" ? `${ep.namespace ?? ""}/${ep.name ?? ""}` : "";
      key = `${ep.kind}|${ep.labels.id}|${this.classes.classOf(ep.ip)}|${ports}|${set}|${ep.addressClass ?? ""}`;
      this.endpointKeys.set(r, key);
    }
    return key;
  }

  private protocol(text: string): number {
    let p = this.protocols.get(text);
    if (p === undefined) {
      // The readers only pass protocols they recognised; 0 ("any") is a safe fallback that matches no protocol rule.
      p = parseFlowProtocol(text) ?? 0;
      this.protocols.set(text, p);
    }
    return p;
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
