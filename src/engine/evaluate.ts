import type { CompiledPolicy, CompiledRule } from "./compile.js";
import type { Endpoint } from "./endpoint.js";
import { MatchContext, matchRule, type FlowFacts } from "./match.js";
import type { Direction, PolicySet, TierSlice } from "./policy-set.js";
import { describePolicy, twinKey, type PolicyHit } from "./trace.js";
import { isTrue, isUncertain } from "./tri.js";

/**
 * The tier walk (calico-semantics §4.4, Felix's endpointIptablesChain and the checker's checkTiers): egress at the
 * source, ingress at the destination, both must allow. Per direction: tiers in order; a tier applies only when one
 * of its policies selects the endpoint for that direction; the first matching Allow/Deny decides; Pass moves to the
 * next tier; a tier with no verdict ends with its default action; past the last tier the namespace profile allows.
 *
 * The enforced verdict skips staged policies. The pending verdict treats them as enforced, in their sorted place,
 * as Felix's collector does for `pending_policies`.
 */
export type Verdict = "allow" | "deny";
export type Mode = "enforced" | "pending";

export interface DirectionTrace {
  verdict: Verdict;
  /** Policies hit, in order, ending with the deciding one. */
  hits: readonly PolicyHit[];
}

export interface EndpointEvaluation {
  direction: Direction;
  enforced: DirectionTrace;
  pending: DirectionTrace;
}

export interface FlowEvaluation {
  verdict: Verdict;
  pendingVerdict: Verdict;
  /** Undefined when the source is not a workload (no egress policy can apply to it). */
  egress?: EndpointEvaluation;
  /** Undefined when the destination is not a workload. */
  ingress?: EndpointEvaluation;
  /** Why the enforced verdict may be wrong, if it depended on facts the inputs do not give. Empty when certain. */
  uncertain: string[];
  /** The same for the pending verdict. */
  pendingUncertain: string[];
}

/** Hooks for `explain`: called as the walk considers each tier, policy and rule. */
export interface WalkObserver {
  tier?(slice: TierSlice, mode: Mode, skipped: boolean): void;
  rule?(policy: CompiledPolicy, rule: CompiledRule, matched: boolean, uncertain: boolean, ctx: MatchContext): void;
  endOfTier?(slice: TierSlice, action: "deny" | "pass"): void;
}

export function evaluateFlow(set: PolicySet, flow: FlowFacts, observer?: { egress?: WalkObserver; ingress?: WalkObserver }): FlowEvaluation {
  const ctx = new MatchContext(set, flow);
  const acc = { uncertain: new Set<string>(), pendingUncertain: new Set<string>() };
  const egress = evaluateSide(set, flow.src, "egress", ctx, acc, observer);
  const ingress = evaluateSide(set, flow.dst, "ingress", ctx, acc, observer);
  const allows = (e: EndpointEvaluation | undefined, mode: Mode) => !e || e[mode].verdict === "allow";
  return {
    verdict: allows(egress, "enforced") && allows(ingress, "enforced") ? "allow" : "deny",
    pendingVerdict: allows(egress, "pending") && allows(ingress, "pending") ? "allow" : "deny",
    egress,
    ingress,
    uncertain: [...acc.uncertain],
    pendingUncertain: [...acc.pendingUncertain],
  };
}

/**
 * One end of a flow in both modes: egress at the source or ingress at the destination. `evaluateFlow` runs it for
 * each end; `evaluateDirection` (the connectivity diff) for one. Undefined when the end is not a workload.
 */
export function evaluateSide(
  set: PolicySet,
  ep: Endpoint,
  direction: Direction,
  ctx: MatchContext,
  acc: { uncertain: Set<string>; pendingUncertain: Set<string> },
  observer?: { egress?: WalkObserver; ingress?: WalkObserver },
): EndpointEvaluation | undefined {
  if (ep.kind !== "workload") return undefined;
  const obs = observer?.[direction];
  const enforced = walk(set, ep, direction, "enforced", ctx, acc.uncertain, obs);
  // With no staged policy (and so no previewed deletion) both modes walk the same lists to the same end: walk once,
  // and share the trace (traces are never changed once made; a memoised outcome keeps one trace, not two).
  // Explain's observer hears each mode's walk, so it always gets both.
  if (set.modesAgree && observer === undefined) {
    for (const u of acc.uncertain) acc.pendingUncertain.add(u);
    return { direction, enforced, pending: enforced };
  }
  return { direction, enforced, pending: walk(set, ep, direction, "pending", ctx, acc.pendingUncertain, obs) };
}

const NONE: readonly CompiledPolicy[] = [];

function walk(
  set: PolicySet,
  ep: Endpoint,
  direction: Direction,
  mode: Mode,
  ctx: MatchContext,
  uncertain: Set<string>,
  obs: WalkObserver | undefined,
): DirectionTrace {
  const hits: PolicyHit[] = [];
  for (const slice of set.relevant(ep.labels, direction)) {
    // Policies whose applicability is unknown matter only if they take part in this mode (the enforced walk never
    // sees staged policies; the pending walk never sees a staged Delete or the twin it previews deleting) and only
    // if they sort before the rule that decided the tier (or the tier ended without one).
    // Most slices have none: no list and no closure then, on the path every new tuple takes.
    const unsure = slice.uncertain.length === 0 ? NONE : slice.uncertain.filter((p) => takesPart(set, p, mode));
    const reportUnsure = (decidedAt: number) => {
      if (unsure.length === 0) return;
      for (const p of unsure) {
        if (p.seq > decidedAt) continue;
        uncertain.add(`whether ${describePolicy(p.ref)} applies to ${ep.namespace}/${ep.name ?? "?"} is unknown: ${applyReason(p, ep)}`);
      }
    };
    const policies = mode === "enforced" ? slice.enforced : slice.pending;
    obs?.tier?.(slice, mode, policies.length === 0);
    if (policies.length === 0) {
      reportUnsure(Number.POSITIVE_INFINITY);
      continue; // a tier with only staged (or no applicable) policies is skipped
    }
    let passed = false;
    outer: for (const p of policies) {
      for (const rule of direction === "ingress" ? p.ingress : p.egress) {
        ctx.why = "";
        const m = matchRule(rule, ctx);
        obs?.rule?.(p, rule, isTrue(m), isUncertain(m), ctx);
        if (isUncertain(m) && rule.action !== "Log") uncertain.add(`${ctx.why} (${describePolicy(p.ref)} ${rule.path})`);
        if (!isTrue(m) || rule.action === "Log") continue;
        reportUnsure(p.seq);
        if (rule.action === "Pass") {
          hits.push({ type: "rule", policy: p.ref, action: "pass", ruleIndex: rule.index });
          passed = true;
          break outer;
        }
        const verdict: Verdict = rule.action === "Allow" ? "allow" : "deny";
        hits.push({ type: "rule", policy: p.ref, action: verdict, ruleIndex: rule.index });
        return { verdict, hits };
      }
    }
    if (passed) continue;
    reportUnsure(Number.POSITIVE_INFINITY);
    const action = slice.tier.defaultAction === "Pass" ? "pass" : "deny";
    // calico-semantics §10.2: the dataplane (enforced trace) names the last non-staged policy of the tier; the
    // checker that computes pending traces (§7) names the first policy that did not match, i.e. the first in the tier.
    const attributed = mode === "enforced" ? policies[policies.length - 1] : policies[0];
    hits.push({ type: "end-of-tier", tier: slice.tier.name, policy: attributed.ref, action });
    obs?.endOfTier?.(slice, action);
    if (action === "deny") return { verdict: "deny", hits };
  }
  hits.push({ type: "profile", namespace: ep.namespace ?? "default", action: "allow" });
  return { verdict: "allow", hits };
}

/** Whether a policy is part of the walk in this mode (mirrors PolicySet's enforced/pending lists). */
function takesPart(set: PolicySet, p: CompiledPolicy, mode: Mode): boolean {
  if (mode === "enforced") return !p.staged;
  if (p.staged) return p.stagedAction !== "Delete";
  return !set.previewDeleted.has(twinKey(p.ref));
}

function applyReason(p: CompiledPolicy, ep: Endpoint): string {
  const keys = [...p.selector.selector.labelKeys()].filter((k) => ep.labels.isUnknown(k));
  if (keys.some((k) => k.startsWith("pcns."))) return `namespace labels of ${ep.namespace} are unknown`;
  if (keys.some((k) => k.startsWith("pcsa.") || k === "projectcalico.org/serviceaccount")) return "the service account is unknown";
  return `labels ${keys.slice(0, 3).join(", ")} are aggregated in the record`;
}
