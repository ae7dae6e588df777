import type { CounterReport } from "./counters.js";

/**
 * Prometheus text exposition of the agent's state: the ruleset it enforces (so a controller can tell when every node
 * runs the same hash), its size, and the hits of every counter, labelled in the engine's vocabulary.
 */
export interface AgentStatus {
  node: string;
  /** Undefined until a ruleset was applied. */
  hash?: string;
  rules?: number;
  setElements?: number;
  applies: number;
  failures: number;
  lastError?: string;
}

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labels = (o: Record<string, string | number | undefined>) =>
  `{${Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}="${escape(String(v))}"`).join(",")}}`;

export function renderMetrics(status: AgentStatus, report?: CounterReport): string {
  const out: string[] = [];
  out.push("# HELP tierguard_agent_ruleset_info The ruleset the agent enforces (1 for the current hash).");
  out.push("# TYPE tierguard_agent_ruleset_info gauge");
  if (status.hash) out.push(`tierguard_agent_ruleset_info${labels({ node: status.node, hash: status.hash })} 1`);
  out.push("# TYPE tierguard_agent_rules gauge", `tierguard_agent_rules${labels({ node: status.node })} ${status.rules ?? 0}`);
  out.push("# TYPE tierguard_agent_set_elements gauge", `tierguard_agent_set_elements${labels({ node: status.node })} ${status.setElements ?? 0}`);
  out.push("# TYPE tierguard_agent_applies_total counter", `tierguard_agent_applies_total${labels({ node: status.node })} ${status.applies}`);
  out.push("# TYPE tierguard_agent_apply_failures_total counter", `tierguard_agent_apply_failures_total${labels({ node: status.node })} ${status.failures}`);
  if (report) {
    out.push("# HELP tierguard_policy_hits_total Connections that hit a rule, end of tier or profile (walk: enforced or pending).");
    out.push("# TYPE tierguard_policy_hits_total counter");
    for (const c of report.counters) {
      out.push(`tierguard_policy_hits_total${labels({ node: status.node, walk: c.mode, direction: c.direction, kind: c.kind, tier: c.tier, policy: c.policy ?? (c.namespace ? `kns.${c.namespace}` : undefined), rule: c.ruleIndex, action: c.action })} ${c.packets}`);
    }
  }
  return out.join("\n") + "\n";
}
