import type { CompiledPolicy } from "./compile.js";
import { describeEndpoint, type Endpoint } from "./endpoint.js";
import { evaluateFlow, type FlowEvaluation, type Mode, type WalkObserver } from "./evaluate.js";
import { NAMESPACE_LABEL } from "./labels.js";
import type { FlowFacts, MatchContext } from "./match.js";
import type { Direction, PolicySet } from "./policy-set.js";
import { formatHits } from "./trace.js";
import { isTrue, isUncertain, selectorOn } from "./tri.js";

/**
 * `explain`: the same evaluation as everywhere else (evaluateFlow with observers), plus, for every policy that
 * could concern the endpoint, whether it applied and why not, and for every rule the walk reached, whether it
 * matched and which field did not.
 */
export interface ExplainedRule {
  index: number;
  action: string;
  path: string;
  outcome: "matched" | "no-match" | "uncertain";
  /** The field that did not match, or what was unknown. */
  detail?: string;
}

export interface ExplainedPolicy {
  name: string;
  kind: string;
  staged: boolean;
  order: number | null;
  applies: "yes" | "no" | "uncertain";
  whyNot?: string;
  /** Rules the enforced walk evaluated, in order; absent when the walk never reached the policy. */
  rules?: ExplainedRule[];
}

export interface ExplainedTier {
  name: string;
  order: number | null;
  defaultAction: "Deny" | "Pass";
  policies: ExplainedPolicy[];
  /** What the tier did in the enforced walk. */
  outcome: "not applicable" | "only staged policies (skipped)" | "allow" | "deny" | "pass" | "end of tier: deny" | "end of tier: pass" | "not reached";
}

export interface ExplainedDirection {
  direction: Direction;
  endpoint: string;
  verdict: "allow" | "deny";
  pendingVerdict: "allow" | "deny";
  trace: string[];
  pendingTrace: string[];
  tiers: ExplainedTier[];
  /** Policies of other namespaces, never candidates: counted, not listed. */
  otherNamespacePolicies: number;
}

export interface Explanation {
  verdict: "allow" | "deny";
  pendingVerdict: "allow" | "deny";
  egress?: ExplainedDirection;
  ingress?: ExplainedDirection;
  notes: string[];
  uncertain: string[];
  evaluation: FlowEvaluation;
}

export function explainFlow(set: PolicySet, flow: FlowFacts): Explanation {
  const recorders = { egress: new Recorder(), ingress: new Recorder() };
  const evaluation = evaluateFlow(set, flow, recorders);
  const notes: string[] = [];
  const side = (ep: Endpoint, direction: Direction): ExplainedDirection | undefined => {
    const e = evaluation[direction];
    if (!e) {
      notes.push(`${describeEndpoint(ep)} is not a workload: no ${direction} policy applies to it.`);
      return undefined;
    }
    return {
      direction,
      endpoint: describeEndpoint(ep),
      verdict: e.enforced.verdict,
      pendingVerdict: e.pending.verdict,
      trace: formatHits(e.enforced.hits, set.version.model),
      pendingTrace: formatHits(e.pending.hits, set.version.model),
      ...explainTiers(set, ep, direction, recorders[direction]),
    };
  };
  return {
    verdict: evaluation.verdict,
    pendingVerdict: evaluation.pendingVerdict,
    egress: side(flow.src, "egress"),
    ingress: side(flow.dst, "ingress"),
    notes,
    uncertain: evaluation.uncertain,
    evaluation,
  };
}

class Recorder implements WalkObserver {
  mode: Mode = "enforced";
  readonly rules = new Map<CompiledPolicy, ExplainedRule[]>();
  readonly tierOutcome = new Map<string, ExplainedTier["outcome"]>();

  tier(slice: { tier: { name: string } }, mode: Mode, skipped: boolean): void {
    this.mode = mode;
    if (mode === "enforced" && skipped) this.tierOutcome.set(slice.tier.name, "only staged policies (skipped)");
  }

  rule(policy: CompiledPolicy, rule: { index: number; action: string; path: string }, matched: boolean, uncertain: boolean, ctx: MatchContext): void {
    if (this.mode !== "enforced") return;
    let list = this.rules.get(policy);
    if (!list) this.rules.set(policy, (list = []));
    const outcome = uncertain ? "uncertain" : matched ? "matched" : "no-match";
    list.push({ index: rule.index, action: rule.action, path: rule.path, outcome, detail: uncertain ? ctx.why : matched ? undefined : ctx.failed });
    if (matched && rule.action !== "Log") {
      this.tierOutcome.set(policy.ref.tier, rule.action === "Allow" ? "allow" : rule.action === "Deny" ? "deny" : "pass");
    }
  }

  endOfTier(slice: { tier: { name: string } }, action: "deny" | "pass"): void {
    if (this.mode === "enforced") this.tierOutcome.set(slice.tier.name, action === "deny" ? "end of tier: deny" : "end of tier: pass");
  }
}

function explainTiers(set: PolicySet, ep: Endpoint, direction: Direction, rec: Recorder): Pick<ExplainedDirection, "tiers" | "otherNamespacePolicies"> {
  const ns = ep.labels.get(NAMESPACE_LABEL);
  const tiers = new Map<string, ExplainedTier>();
  let otherNamespacePolicies = 0;
  for (const p of set.policies) {
    if (p.namespace !== undefined && p.namespace !== ns) {
      otherNamespacePolicies++;
      continue;
    }
    const info = set.tier(p.ref.tier)!;
    let tier = tiers.get(info.name);
    if (!tier) {
      const order = Number.isFinite(info.order) ? info.order : null;
      tier = { name: info.name, order, defaultAction: info.defaultAction, policies: [], outcome: rec.tierOutcome.get(info.name) ?? "not applicable" };
      tiers.set(info.name, tier);
    }
    tier.policies.push(explainPolicy(p, ep, direction, rec));
  }
  for (const t of tiers.values()) {
    if (t.outcome === "not applicable" && t.policies.some((p) => p.applies !== "no" && !p.staged)) t.outcome = "not reached";
  }
  return { tiers: [...tiers.values()], otherNamespacePolicies };
}

function explainPolicy(p: CompiledPolicy, ep: Endpoint, direction: Direction, rec: Recorder): ExplainedPolicy {
  const base = { name: p.ref.namespace ? `${p.ref.namespace}/${p.ref.name}` : p.ref.name, kind: p.ref.kind, staged: p.staged, order: Number.isFinite(p.order) ? p.order : null };
  if (p.outOfScope) return { ...base, applies: "no", whyNot: `${p.outOfScope} policies are not evaluated` };
  if (direction === "ingress" ? !p.ingressApplies : !p.egressApplies) {
    return { ...base, applies: "no", whyNot: `its types do not include ${direction === "ingress" ? "Ingress" : "Egress"}` };
  }
  const m = selectorOn(p.selector, ep.labels);
  if (!isTrue(m)) {
    return { ...base, applies: isUncertain(m) ? "uncertain" : "no", whyNot: `its selector ${p.selector.selector.toString()} does not match the endpoint` };
  }
  return { ...base, applies: isUncertain(m) ? "uncertain" : "yes", rules: rec.rules.get(p) };
}
