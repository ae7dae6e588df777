import { describePolicy, protocolName, type EndpointEvaluation, type PolicyHit, type PolicySet } from "../../engine/index.js";
import { explainFlow, type ExplainedDirection } from "../../engine/index.js";
import type { PolicyTest } from "./format.js";
import type { PairResult } from "./run.js";

/**
 * The trace of one tested connection for a finding's details: per direction, the verdict, the hit that decided it
 * (with the rule's file:line), the whole trace in Calico's flow-log form (formatHits, via explainFlow), and what
 * each tier did.
 */
export function connectionText(test: PolicyTest, pair: Pick<PairResult, "src" | "dst">): string {
  const port = test.port !== undefined ? ` port ${test.port}` : "";
  return `${pair.src.description} -> ${pair.dst.description}, ${protocolName(test.protocol)}${port}`;
}

export function pairDetails(test: PolicyTest, pair: PairResult, set: PolicySet): string[] {
  const x = explainFlow(set, { src: pair.src.endpoint, dst: pair.dst.endpoint, protocol: test.protocol, dstPort: test.port });
  const out = [`${connectionText(test, pair)}: ${x.verdict.toUpperCase()}, expected ${test.expect.toUpperCase()}`];
  const sides: Array<[ExplainedDirection | undefined, EndpointEvaluation | undefined]> = [
    [x.egress, x.evaluation.egress],
    [x.ingress, x.evaluation.ingress],
  ];
  for (const [d, e] of sides) if (d && e) out.push(...directionLines(d, e, set));
  for (const note of x.notes) out.push(`  ${note}`);
  if (x.pendingVerdict !== x.verdict) out.push(`  with staged policies enforced the verdict would be ${x.pendingVerdict.toUpperCase()}`);
  for (const u of x.uncertain) out.push(`  uncertain: ${u}`);
  return out;
}

function directionLines(d: ExplainedDirection, e: EndpointEvaluation, set: PolicySet): string[] {
  const where = d.direction === "egress" ? "egress at the source" : "ingress at the destination";
  const hit = e.enforced.hits[e.enforced.hits.length - 1];
  const tiers = d.tiers.filter((t) => t.outcome !== "not applicable").map((t) => `${t.name}: ${t.outcome}`);
  return [
    `  ${where} ${d.endpoint}: ${d.verdict.toUpperCase()}, decided by ${d.trace[d.trace.length - 1] ?? "?"}${hit ? ` (${describeHit(hit, set, d.direction)})` : ""}`,
    `    trace: ${d.trace.join("  ")}`,
    ...(tiers.length > 0 ? [`    tiers: ${tiers.join("; ")}`] : []),
  ];
}

/** Words for a hit: the rule and where it is written, the end of a tier, or the namespace profile. */
export function describeHit(hit: PolicyHit, set: PolicySet, direction: "egress" | "ingress"): string {
  switch (hit.type) {
    case "profile":
      return `no tier decided: the namespace profile kns.${hit.namespace} allows`;
    case "end-of-tier":
      return `end of tier ${hit.tier}: no policy of the tier decided, and its default action is ${hit.action === "deny" ? "Deny" : "Pass"}`;
    case "rule": {
      const p = set.policies.find((c) => c.ref.kind === hit.policy.kind && c.ref.namespace === hit.policy.namespace && c.ref.name === hit.policy.name);
      const rule = p ? (direction === "ingress" ? p.ingress : p.egress)[hit.ruleIndex] : undefined;
      if (!p || !rule) return `rule ${hit.ruleIndex} of ${describePolicy(hit.policy)}`;
      const at = p.resource.source.at(rule.path);
      return `${rule.action} rule ${rule.path} of ${describePolicy(hit.policy)}, ${at.file}:${at.line}`;
    }
  }
}
