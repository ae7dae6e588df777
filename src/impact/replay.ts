import { evaluateFlow, type FlowEvaluation, type PolicyHit, type PolicySet } from "../engine/index.js";
import { parseFlowProtocol } from "../engine/protocol.js";
import type { FlowRecord } from "../flows/types.js";
import { BoundedCache } from "./cache.js";
import type { EndpointResolver } from "./resolve.js";

/**
 * Replays flow records through one policy set. Evaluations are memoised per (source endpoint, destination
 * endpoint, protocol, port) tuple in a bounded table, so a snapshot of millions of records costs one evaluation per
 * distinct tuple and memory does not grow with the number of records.
 */
export interface RecordOutcome {
  evaluation: FlowEvaluation;
  /** Why an endpoint could not be fully resolved; empty when both were. */
  unresolved: string[];
}

export interface ReplayOptions {
  /** Most memoised tuples kept; older ones are dropped. */
  cacheSize?: number;
}

export class Replayer {
  private readonly memo: BoundedCache<string, FlowEvaluation>;
  private readonly protocols = new Map<string, number>();
  /** Source ports are part of the tuple only when some rule matches on them. */
  private readonly usesSourcePorts: boolean;

  constructor(
    readonly set: PolicySet,
    readonly resolver: EndpointResolver,
    options: ReplayOptions = {},
  ) {
    this.memo = new BoundedCache(options.cacheSize ?? 200_000);
    this.usesSourcePorts = set.policies.some((p) =>
      [...p.ingress, ...p.egress].some((r) => r.source.ports !== undefined || r.source.notPorts !== undefined),
    );
  }

  replay(record: FlowRecord): RecordOutcome {
    const src = this.resolver.resolve(record.src);
    const dst = this.resolver.resolve(record.dst);
    const protocol = this.protocol(record.protocol);
    const srcPort = this.usesSourcePorts ? record.src.port : undefined;
    const key = `${src.id}>${dst.id}|${protocol}|${record.dstPort ?? ""}|${srcPort ?? ""}`;
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

  get cacheStats(): { hits: number; misses: number; size: number } {
    return { hits: this.memo.hits, misses: this.memo.misses, size: this.memo.size };
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
