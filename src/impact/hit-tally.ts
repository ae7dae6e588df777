import { describePolicy, type CompiledPolicy, type PolicyHit } from "../engine/index.js";

/**
 * Which policies and rules the replayed flows hit, for the review's zero-hit list: keyed by text, so that the counts
 * of worker threads merge (each thread's policy objects are its own).
 */
function policyKey(p: { kind: string; namespace?: string; name: string }): string {
  return `${p.kind}/${p.namespace ?? ""}/${p.name}`;
}

export function tally(hits: Map<string, number>, hit: PolicyHit, direction: string): void {
  if (hit.type === "profile") return;
  const key = policyKey(hit.policy);
  hits.set(key, (hits.get(key) ?? 0) + 1);
  if (hit.type === "rule") {
    const rule = `${key}#${direction}#${hit.ruleIndex}`;
    hits.set(rule, (hits.get(rule) ?? 0) + 1);
  }
}

/** Policies nothing hit; for policies that were hit, rules that never decided or passed a flow. */
export function zeroHits(policies: readonly CompiledPolicy[], hits: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const p of policies) {
    const key = policyKey(p.ref);
    if (!hits.has(key)) {
      out.push(describePolicy(p.ref));
      continue;
    }
    for (const [dir, rules] of [["ingress", p.ingress], ["egress", p.egress]] as const) {
      if (!(dir === "ingress" ? p.ingressApplies : p.egressApplies)) continue;
      for (const r of rules) if (r.action !== "Log" && !hits.has(`${key}#${dir}#${r.index}`)) out.push(`${describePolicy(p.ref)} ${r.path}`);
    }
  }
  return out;
}
