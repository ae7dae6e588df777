/**
 * Guard-rail conflicts, decided on what traffic policies match rather than on their text (PRODUCT.md, "Review"):
 * a changed rule that a higher tier shadows (wholly or in part), a changed policy whose traffic a higher tier decides
 * entirely, a rule shadowed by an earlier one of its own tier, a policy in a tier that does not exist or has no
 * owners, edits to guard rails, and required guard rails removed.
 *
 * Pure: imports engine, policy and selector only, and does no I/O. Only the rules of changed resources are compared
 * with the policy set, under the bounds in budget.ts, so thousands of policies take well under a second.
 */
import type { Check, ReviewContext } from "../context.js";
import type { Finding } from "../types.js";
import { Budget, BudgetExceeded, DEFAULT_LIMITS, Undecidable, type GuardrailLimits, type GuardrailStats } from "./budget.js";
import { changedPolicies, type ChangedPolicy } from "./changed.js";
import { EXTERNAL_IDENTITY, knownIdentity, SelectorOracle } from "./oracle.js";
import { PortNames, type NamedPortSource } from "./ports.js";
import { checkRequired } from "./required.js";
import { notAnalysed, policyFinding, ruleFindings, type ShadowEnv } from "./shadow.js";
import { cidrsToSet } from "./cidrs.js";
import { NaturalWorld, namedAddresses, type NaturalSet } from "./natural.js";
import { policySpace, ruleSpace, sides, type SpaceContext } from "./space.js";
import { checkTiers } from "./tiers.js";
import { Walker, type Subject } from "./walk.js";
import type { CompiledRule } from "../../engine/compile.js";
import type { Direction, PolicySet } from "../../engine/policy-set.js";
import { F, selectorOn } from "../../engine/tri.js";

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
  const names = new PortNames();
  const set = ctx.head.set;
  const ports: NamedPortSource = {
    resolve: (name, protocol) =>
      ctx.workloads.flatMap((w) => (w.endpoint.namedPorts ?? []).filter((p) => p.name === name && (protocol === undefined || p.protocol === protocol)).map((p) => p.port)),
  };
  const oracle = new SelectorOracle(
    budget,
    {
      local: ctx.workloads.map((w) => ({ labels: w.endpoint.labels, name: w.name })),
      peer: [
        ...ctx.workloads.map((w) => knownIdentity(w.endpoint.labels, w.name)),
        ...set.networkSets.map((n) => knownIdentity(n.labels, `${n.kind} ${n.namespace ? `${n.namespace}/` : ""}${n.name}`)),
        EXTERNAL_IDENTITY,
      ],
    },
    ctx.inventory ? new Map([...ctx.inventory.namespaces].map(([k, v]) => [k, v.labels])) : undefined,
  );
  const spaceCtx: SpaceContext = { set, names, ports };
  const walker = new Walker(set, spaceCtx, oracle, budget);
  const env: ShadowEnv = { ctx, names };
  const named = namedAddresses(set);
  const known = {
    local: ctx.workloads.map((w) => ({ labels: w.endpoint.labels, ip: w.endpoint.ip })),
    peer: ctx.workloads.map((w) => ({ labels: knownIdentity(w.endpoint.labels, w.name).labels, ip: w.endpoint.ip })),
  };
  const findings: Finding[] = [...checkTiers(ctx), ...checkRequired(ctx)];

  const tasks = subjectsOf(changedPolicies(ctx));
  const decidedWhole = new Set<string>();
  for (let i = 0; i < tasks.length; i++) {
    const { cp, dir, rule } = tasks[i];
    const space = rule ? ruleSpace(cp.policy, rule, dir, spaceCtx, "subject") : { boxes: policySpace(cp.policy), resolved: [] };
    if (space.boxes.length === 0) continue;
    const natural = new NaturalWorld(space.boxes[0], budget, named, rule ? peerSets(set, rule, dir) : [], known);
    const subject: Subject = { policy: cp.policy, dir, rule, space: space.boxes, natural };
    if (!budget.startSubject()) {
      const left = tasks.slice(i).filter((t) => t.rule).length;
      if (left > 0) findings.push(notAnalysed(subject, `the review's budget of ${budget.limits.maxSubjects} analysed rules is spent (${left} rules of this change were not analysed)`));
      break;
    }
    oracle.fallbacks.clear();
    let result;
    try {
      result = walker.walk(subject);
    } catch (e) {
      if (!(e instanceof Undecidable || e instanceof BudgetExceeded)) throw e;
      budget.stats.abandoned++;
      if (rule) findings.push(notAnalysed(subject, e.message));
      continue;
    }
    const verdict = { subject, result, fallbackNote: fallbackNote(ctx, [...oracle.fallbacks, ...space.resolved, ...result.resolved]) };
    const key = `${cp.policy.seq}/${dir}`;
    if (!rule) {
      const fs = policyFinding(verdict, env);
      if (fs.length > 0) decidedWhole.add(key);
      findings.push(...fs);
    } else findings.push(...ruleFindings(verdict, env, { policyDecided: decidedWhole.has(key) }));
  }
  return { findings, stats: budget.stats };
}

interface Task {
  cp: ChangedPolicy;
  dir: Direction;
  rule?: CompiledRule;
}

/** Per changed policy and direction it governs: the whole policy first (when it changed as a whole), then its rules. */
function subjectsOf(changed: ChangedPolicy[]): Task[] {
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

/** The network sets a rule's peer selector may match: in the natural world its peer is a pod or one of these. */
function peerSets(set: PolicySet, rule: CompiledRule, dir: Direction): NaturalSet[] {
  const positive = sides(dir, rule).peer.positive;
  if (!positive) return [];
  return set.networkSets
    .filter((n) => selectorOn(positive, n.labels) !== F)
    .map((n) => ({ labels: knownIdentity(n.labels, n.name).labels, cidrs: { 4: cidrsToSet(n.cidrs, 4), 6: cidrsToSet(n.cidrs, 6) } }));
}

function fallbackNote(ctx: ReviewContext, reasons: string[]): string {
  if (reasons.length === 0) return "";
  const n = ctx.workloads.length;
  const sources = [...new Set(ctx.workloads.map((w) => (w.source === "inventory" ? "inventory" : "flow snapshot")))].join(" and ") || "inventory";
  return ` Part of this was decided from the ${n} workload${n === 1 ? "" : "s"} known from the ${sources}, not from the policies alone ` +
    `(${[...new Set(reasons)].join("; ")}); a workload not among them may be treated differently.`;
}
