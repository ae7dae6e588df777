import type { PolicyHit, PolicyRef } from "../engine/index.js";
import { flowEndpointName } from "../flows/index.js";
import type { FlowRecord } from "../flows/index.js";
import type { RecordOutcome } from "../impact/index.js";

/**
 * Per-policy and per-rule hit counts from a replay, as Calico Enterprise's policy board shows them: how many
 * records each policy (and each rule) allowed, denied or passed in the enforced verdict, and, for staged policies,
 * what they would have done (pending). A record counts once per policy and action, whichever end reported it.
 * "Hit" means the same as the review's zero-hit list: the policy appears in an enforced or pending trace, at a rule
 * or at the end of its tier; a rule is hit when it decided or passed a flow.
 */
export type Category = "allowed" | "denied" | "passed" | "pending";

export interface Tally {
  records: number;
  flows: number;
}

export interface TopFlow {
  src: string;
  dst: string;
  port?: number;
  protocol: string;
  action: Category;
  records: number;
  flows: number;
}

export interface PolicyCounts {
  counts: Record<Category, Tally>;
  /** Rule key `ingress#0` → counts. */
  rules: Map<string, Record<Category, Tally>>;
  /** Seen in any trace (enforced or pending): the review's notion of a hit. */
  hit: boolean;
  /** Rule keys that decided or passed a flow in any trace. */
  rulesHit: Set<string>;
  /** Newest end (else start) time of a record that hit the policy, UNIX seconds. */
  lastHit?: number;
  flows: Map<string, TopFlow>;
}

/** Distinct flow aggregates kept per policy for "top flows": beyond this, new aggregates are not tracked. */
const MAX_AGGREGATES = 500;

export function policyKey(ref: Pick<PolicyRef, "kind" | "namespace" | "name">): string {
  return `${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

const emptyTallies = (): Record<Category, Tally> => ({
  allowed: { records: 0, flows: 0 },
  denied: { records: 0, flows: 0 },
  passed: { records: 0, flows: 0 },
  pending: { records: 0, flows: 0 },
});

/** What one outcome contributes, worked out once per memoised outcome. */
interface Contribution {
  /** `policyKey\u0000category` and `policyKey\u0000category\u0000rule` entries. */
  counted: Array<[string, Category, string | undefined]>;
  hits: Array<[string, string | undefined]>;
}

const ACTION: Record<string, Category> = { allow: "allowed", deny: "denied", pass: "passed" };

export class HitCounter {
  readonly policies = new Map<string, PolicyCounts>();
  private readonly memo = new WeakMap<RecordOutcome, Contribution>();
  /** Newest record time seen (UNIX seconds): the reference for "unused for N days". */
  newest?: number;

  add(outcome: RecordOutcome, numFlows: number, record?: FlowRecord): void {
    let c = this.memo.get(outcome);
    if (!c) this.memo.set(outcome, (c = contribution(outcome)));
    const time = record ? record.endTime ?? record.startTime : undefined;
    if (time !== undefined && (this.newest === undefined || time > this.newest)) this.newest = time;
    for (const [key, rule] of c.hits) {
      const p = this.entry(key);
      p.hit = true;
      if (rule) p.rulesHit.add(rule);
      if (time !== undefined && (p.lastHit === undefined || time > p.lastHit)) p.lastHit = time;
    }
    for (const [key, cat, rule] of c.counted) {
      const p = this.entry(key);
      const t = rule === undefined ? p.counts[cat] : (p.rules.get(rule) ?? p.rules.set(rule, emptyTallies()).get(rule)!)[cat];
      t.records++;
      t.flows += numFlows;
      if (rule === undefined && record) addFlow(p, record, cat, numFlows);
    }
  }

  get(key: string): PolicyCounts | undefined {
    return this.policies.get(key);
  }

  private entry(key: string): PolicyCounts {
    let p = this.policies.get(key);
    if (!p) this.policies.set(key, (p = { counts: emptyTallies(), rules: new Map(), hit: false, rulesHit: new Set(), flows: new Map() }));
    return p;
  }
}

function contribution(outcome: RecordOutcome): Contribution {
  const counted = new Set<string>();
  const hits = new Set<string>();
  const e = outcome.evaluation;
  for (const side of [e.egress, e.ingress]) {
    if (!side) continue;
    const visit = (h: PolicyHit, pending: boolean) => {
      if (h.type === "profile") return;
      const key = policyKey(h.policy);
      const rule = h.type === "rule" ? `${side.direction}#${h.ruleIndex}` : undefined;
      hits.add(`${key}\u0000${rule ?? ""}`);
      const staged = h.policy.kind.startsWith("Staged");
      if (pending !== staged) return; // enforced policies count in the enforced trace, staged ones in the pending
      const cat = staged ? "pending" : ACTION[h.action];
      counted.add(`${key}\u0000${cat}\u0000`);
      if (rule) counted.add(`${key}\u0000${cat}\u0000${rule}`);
    };
    for (const h of side.enforced.hits) visit(h, false);
    for (const h of side.pending.hits) visit(h, true);
  }
  return {
    counted: [...counted].map((s) => {
      const [key, cat, rule] = s.split("\u0000");
      return [key, cat as Category, rule === "" ? undefined : rule];
    }),
    hits: [...hits].map((s) => {
      const [key, rule] = s.split("\u0000");
      return [key, rule === "" ? undefined : rule];
    }),
  };
}

function addFlow(p: PolicyCounts, r: FlowRecord, action: Category, numFlows: number): void {
  const src = flowEndpointName(r.src, "workload");
  const dst = flowEndpointName(r.dst, "workload");
  const protocol = r.protocol.toLowerCase();
  const key = `${src}>${dst}|${r.dstPort ?? ""}|${protocol}|${action}`;
  let f = p.flows.get(key);
  if (!f) {
    if (p.flows.size >= MAX_AGGREGATES) return;
    p.flows.set(key, (f = { src, dst, port: r.dstPort, protocol, action, records: 0, flows: 0 }));
  }
  f.records++;
  f.flows += numFlows;
}
