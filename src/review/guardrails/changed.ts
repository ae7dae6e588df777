import type { CompiledPolicy, CompiledRule } from "../../engine/index.js";
import type { Direction } from "../../engine/index.js";
import { isPolicy, type PolicyResource, type Resource } from "../../policy/index.js";
import type { ReviewContext } from "../context.js";
import { stableJson } from "../diff.js";
import type { ResourceChange } from "../types.js";

/**
 * What the guard-rail analysis looks at: the policies a change adds or changes in meaning (head side), and in each,
 * the rules from the first one that differs from the base onward, per direction (an inserted or edited rule can
 * shadow the unchanged rules after it). A change to the policy as a whole (selector, tier, order, types) makes every
 * rule a subject. Only these are compared against the rest of the policy set, never all pairs.
 */
export interface ChangedPolicy {
  change: ResourceChange;
  policy: CompiledPolicy;
  /** Rules to analyse, per direction (compiled rules; a Kubernetes rule may compile to several). */
  rules: Record<Direction, CompiledRule[]>;
  /** True when the policy as a whole changed (or is new): the whole-policy question is asked too. */
  wholeChanged: boolean;
}

const DIRECTIONS: readonly Direction[] = ["ingress", "egress"];

export function changedPolicies(ctx: ReviewContext): ChangedPolicy[] {
  const byResource = new Map<Resource, CompiledPolicy>(ctx.head.set.policies.map((p) => [p.resource, p]));
  const out: ChangedPolicy[] = [];
  for (const change of ctx.changes) {
    if (!change.meaningChanged || !change.head || !isPolicy(change.head)) continue;
    const policy = byResource.get(change.head);
    if (!policy || policy.outOfScope || (policy.staged && policy.stagedAction === "Delete")) continue;
    const base = change.base && isPolicy(change.base) && change.base.kind === change.head.kind ? change.base : undefined;
    const wholeChanged = !base || stableJson(policyLevel(base)) !== stableJson(policyLevel(change.head));
    const rules = {} as Record<Direction, CompiledRule[]>;
    for (const dir of DIRECTIONS) {
      const from = wholeChanged ? 0 : firstDifference(rawRules(base!, dir), rawRules(change.head, dir));
      rules[dir] = policy[dir].filter((r) => originIndex(r.path) >= from);
    }
    out.push({ change, policy, rules, wholeChanged });
  }
  return out;
}

function policyLevel(r: PolicyResource): unknown {
  const { ingress: _i, egress: _e, ...rest } = r.spec as Record<string, unknown>;
  return { kind: r.kind, namespace: r.metadata.namespace, spec: rest };
}

function rawRules(r: PolicyResource, dir: Direction): unknown[] {
  return ((r.spec as Record<string, unknown>)[dir] as unknown[] | undefined) ?? [];
}

function firstDifference(base: unknown[], head: unknown[]): number {
  for (let i = 0; i < head.length; i++) if (i >= base.length || stableJson(base[i]) !== stableJson(head[i])) return i;
  return head.length;
}

/** The index of the rule as written (`spec.ingress[2]`, or the Kubernetes rule `spec.ingress[2].from[1]` came from). */
function originIndex(path: string): number {
  const m = /^spec\.(?:ingress|egress)\[(\d+)\]/.exec(path);
  return m ? Number(m[1]) : 0;
}
