import { flowLogPolicyName, formatHit, type PolicyHit } from "../engine/index.js";
import type { CalicoModel } from "../policy/version.js";
import type { Ruleset } from "./compile.js";
import type { CounterInfo } from "./model.js";

/**
 * Counter values read back into the engine's vocabulary. Each counter is one rule, end of tier or profile of one
 * walk (enforced or pending) and direction, shared by every local endpoint whose chains reach it; packets count
 * connections, because established traffic is accepted before any policy chain.
 */
export type CounterValues = ReadonlyMap<string, { packets: number; bytes: number }>;

export interface CounterRow extends Omit<CounterInfo, "policy"> {
  policy?: string;
  /** The hit as a flow log prints it (`0|tier|kind:ns/name|action|rule`). */
  hit: string;
  packets: number;
  bytes: number;
}

export interface CounterReport {
  hash: string;
  counters: CounterRow[];
  /** Connections per policy and walk, summed over its rules and the ends of tiers attributed to it. */
  policies: Array<{ policy: string; tier: string; enforced: number; pending: number }>;
}

export function counterHit(c: CounterInfo): PolicyHit | undefined {
  if (c.kind === "profile") return { type: "profile", namespace: c.namespace ?? "default", action: "allow" };
  if (!c.policy) return undefined;
  if (c.kind === "end-of-tier") return { type: "end-of-tier", tier: c.tier ?? c.policy.tier, policy: c.policy, action: c.action === "pass" ? "pass" : "deny" };
  if (c.action === "log") return undefined;
  return { type: "rule", policy: c.policy, action: c.action, ruleIndex: c.ruleIndex ?? 0 };
}

export function counterReport(ruleset: Pick<Ruleset, "hash" | "counters">, values: CounterValues, model: CalicoModel = "v3.32"): CounterReport {
  const rows: CounterRow[] = ruleset.counters.map((c) => {
    const v = values.get(c.name) ?? { packets: 0, bytes: 0 };
    const hit = counterHit(c);
    const label = hit ? formatHit(hit, 0, model) : `0|${c.tier}|${c.policy ? flowLogPolicyName(c.policy, model) : "-"}|log|${c.ruleIndex}`;
    return { ...c, policy: c.policy ? flowLogPolicyName(c.policy, model) : undefined, hit: label, packets: v.packets, bytes: v.bytes };
  });
  const byPolicy = new Map<string, { policy: string; tier: string; enforced: number; pending: number }>();
  for (const r of rows) {
    if (!r.policy || r.action === "log") continue;
    const e = byPolicy.get(r.policy) ?? { policy: r.policy, tier: r.tier ?? "", enforced: 0, pending: 0 };
    e[r.mode] += r.packets;
    byPolicy.set(r.policy, e);
  }
  return { hash: ruleset.hash, counters: rows, policies: [...byPolicy.values()].sort((a, b) => (a.policy < b.policy ? -1 : 1)) };
}

/**
 * Counters as Calico Enterprise flow-log records, one per counter that was hit: the verdict and the deciding hit
 * of that walk. Counters are per rule, not per connection, so the peer is unknown (`net`, aggregated `-`) and the
 * local side is aggregated to its namespace (profiles) or left aggregated (shared global rules). Counters of
 * protocols other than TCP and UDP whose rule names none are left out (the JSON report has them).
 */
export function counterFlowRecords(ruleset: Pick<Ruleset, "hash" | "counters">, values: CounterValues, model: CalicoModel, nowMs: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const end = Math.floor(nowMs / 1000);
  for (const c of ruleset.counters) {
    const v = values.get(c.name);
    const hit = counterHit(c);
    // A counter of "other" protocols (not TCP or UDP, and not fixed by its rule) cannot name one: see --output json.
    if (!v || v.packets === 0 || !hit || c.protocol === undefined) continue;
    const verdict = hit.action === "pass" ? "allow" : hit.action;
    const namespace = c.namespace ?? c.policy?.namespace;
    const local = { type: "wep", namespace: namespace ?? "-", name: "-", name_aggr: "*", ip: "-", labels: null };
    const peer = { type: "net", namespace: "-", name: "-", name_aggr: "-", ip: "-", labels: null };
    const [src, dst] = c.direction === "egress" ? [local, peer] : [peer, local];
    const policy = formatHit(hit, 0, model);
    out.push({
      start_time: end,
      end_time: end,
      ...prefixed("source", src),
      ...prefixed("dest", dst),
      proto: c.protocol,
      reporter: c.direction === "egress" ? "src" : "dst",
      action: c.mode === "enforced" ? verdict : "allow",
      policies: c.mode === "enforced" ? { enforced_policies: [policy], pending_policies: [] } : { enforced_policies: [], pending_policies: [policy] },
      num_flows: v.packets,
      num_flows_started: v.packets,
      // The counter counts the packets its rule decided (a connection's first, or a denied packet each): the local
      // endpoint's outgoing ones for egress, incoming for ingress.
      bytes_in: c.direction === "ingress" ? v.bytes : 0,
      bytes_out: c.direction === "egress" ? v.bytes : 0,
      packets_in: c.direction === "ingress" ? v.packets : 0,
      packets_out: c.direction === "egress" ? v.packets : 0,
      tierguard_ruleset: ruleset.hash,
      tierguard_counter: c.name,
    });
  }
  return out;
}

function prefixed(prefix: string, o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}_${k}`, v]));
}
