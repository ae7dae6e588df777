/**
 * Guard-rail conflicts, decided on what traffic policies match rather than on their text (PRODUCT.md, "Review"):
 * a changed rule that a higher tier shadows (wholly or in part), a changed policy whose traffic a higher tier decides
 * entirely, a rule shadowed by an earlier one of its own tier, a policy in a tier that does not exist or has no
 * owners, edits to guard rails, and required guard rails removed.
 *
 * Pure: imports engine, policy and selector only, and does no I/O. Only the rules of changed resources are compared
 * with the policy set (never all pairs), under the bounds in budget.ts, so thousands of policies take well under a
 * second.
 *
 * The files, in the order the data flows: changed.ts (what to analyse) → space.ts (a rule's traffic as boxes over
 * ports.ts, cidrs.ts and selectors) → walk.ts with split.ts (the tier walk, splitting boxes; selector questions go to
 * oracle.ts, which asks selector-sat.ts and falls back to known workloads) → shadow.ts (findings, worded by
 * describe.ts, with natural.ts telling corners from substance, asking known.ts about the known workloads once per
 * label set); tiers.ts and required.ts are checks of their own.
 */
import type { CompiledRule } from "../../engine/index.js";
import type { Direction } from "../../engine/index.js";
import type { Check, ReviewContext } from "../context.js";
import type { Finding } from "../types.js";
import { Budget, BudgetExceeded, DEFAULT_LIMITS, Undecidable, type GuardrailLimits, type GuardrailStats } from "./budget.js";
import { changedPolicies, type ChangedPolicy } from "./changed.js";
import { NaturalWorld } from "./natural.js";
import { checkRequired } from "./required.js";
import { fallbackNote, peerSets, setUp, type Analysis } from "./setup.js";
import { notAnalysed, policyFinding, ruleFindings, type ShadowEnv } from "./shadow.js";
import { policySpace, ruleSpace } from "./space.js";
import { checkTiers } from "./tiers.js";
import type { Subject, WalkResult } from "./walk.js";

export { DEFAULT_LIMITS, type GuardrailLimits, type GuardrailStats } from "./budget.js";

export interface GuardrailOptions {
  limits?: Partial<GuardrailLimits>;
}

export interface GuardrailAnalysis {
  findings: Finding[];
  /** What the analysis did, to show it stayed within its bounds. */
  stats: GuardrailStats;
}

export const checkGuardrails: Check = (ctx) => analyseGuardrails(ctx).findings;

export function analyseGuardrails(ctx: ReviewContext, options: GuardrailOptions = {}): GuardrailAnalysis {
  const budget = new Budget({ ...DEFAULT_LIMITS, ...options.limits });
  const run = setUp(ctx, budget);
  const env: ShadowEnv = { ctx, names: run.names };
  const findings: Finding[] = [...checkTiers(ctx), ...checkRequired(ctx)];
  // A policy in a tier that does not exist is rejected by Calico (unknown-tier): where it would sit means nothing.
  const tasks = tasksOf(changedPolicies(ctx).filter((cp) => run.set.tier(cp.policy.ref.tier)?.defined));
  const decidedWhole = new Set<string>();
  for (let i = 0; i < tasks.length; i++) {
    const { cp, dir, rule } = tasks[i];
    const subject = subjectOf(run, budget, tasks[i]);
    if (!subject) continue;
    if (!budget.startSubject()) {
      const left = tasks.slice(i).filter((t) => t.rule).length;
      if (left > 0) findings.push(notAnalysed(subject, `the review's budget of ${budget.limits.maxSubjects} analysed rules is spent (${left} rules of this change were not analysed)`));
      break;
    }
    const walked = walk(run, budget, subject);
    if (typeof walked === "string") {
      if (rule) findings.push(notAnalysed(subject, walked));
      continue;
    }
    const verdict = { subject, result: walked, fallbackNote: fallbackNote(ctx, [...run.oracle.fallbacks, ...subject.resolved, ...walked.resolved]) };
    const key = `${cp.policy.seq}/${dir}`;
    if (!rule) {
      const fs = policyFinding(verdict, env);
      if (fs.length > 0) decidedWhole.add(key);
      findings.push(...fs);
    } else findings.push(...ruleFindings(verdict, env, { policyDecided: decidedWhole.has(key) }));
  }
  return { findings: unique(findings), stats: budget.stats };
}

interface Task {
  cp: ChangedPolicy;
  dir: Direction;
  /** Undefined: the policy as a whole. */
  rule?: CompiledRule;
}

/** Per changed policy and direction it governs: the whole policy first (when it changed as a whole), then its rules. */
function tasksOf(changed: ChangedPolicy[]): Task[] {
  const tasks: Task[] = [];
  for (const cp of changed) {
    for (const dir of ["ingress", "egress"] as const) {
      if (!(dir === "ingress" ? cp.policy.ingressApplies : cp.policy.egressApplies)) continue;
      if (cp.wholeChanged) tasks.push({ cp, dir });
      for (const rule of cp.rules[dir]) if (rule.action !== "Log" && !rule.never) tasks.push({ cp, dir, rule });
    }
  }
  return tasks;
}

function subjectOf(run: Analysis, budget: Budget, { cp, dir, rule }: Task): (Subject & { resolved: string[] }) | undefined {
  const space = rule ? ruleSpace(cp.policy, rule, dir, run.spaceCtx, "subject") : { boxes: policySpace(cp.policy), resolved: [] };
  if (space.boxes.length === 0) return undefined;
  const natural = new NaturalWorld(space.boxes[0], budget, run.named, rule ? peerSets(run.set, rule, dir) : [], run.known);
  return { policy: cp.policy, dir, rule, space: space.boxes, natural, resolved: space.resolved };
}

/** The walk, or why it was given up: a bound reached, or a question nothing known can answer. */
function walk(run: Analysis, budget: Budget, subject: Subject): WalkResult | string {
  run.oracle.fallbacks.clear();
  try {
    return run.walker.walk(subject);
  } catch (e) {
    if (!(e instanceof Undecidable || e instanceof BudgetExceeded)) throw e;
    budget.stats.abandoned++;
    return e.message;
  }
}

/** A Kubernetes rule compiles to one Calico rule per protocol: the same words at the same line are said once. */
function unique(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\u0000${f.file}\u0000${f.line}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
