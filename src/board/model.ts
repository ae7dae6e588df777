import { describePolicy, flowLogPolicyName, type CompiledPolicy, type Endpoint, type PolicySet } from "../engine/index.js";
import { isTrue, selectorOn } from "../engine/index.js";
import type { ImpactFlow, ImpactReport } from "../impact/index.js";
import type { SimulationSummary } from "../impact/index.js";
import type { Resource } from "../policy/index.js";
import { identityOf } from "../review/index.js";
import type { ResourceChange } from "../review/index.js";
import type { AgentHits, AgentTally } from "./agent-counters.js";
import { policyKey, type Category, type HitCounter, type PolicyCounts, type Tally } from "./counts.js";
import { calicoSpecOf, endOfRules, explainPolicy, ruleSentence } from "./describe.js";
import type { BoardChange, BoardModel, BoardPolicy, BoardRule, BoardTier } from "./types.js";

/**
 * Builds the board's page model from what `simulate` and `review` compute: the compiled policy set (tiers and
 * policies in evaluation order), the replay's totals and per-policy hits, the inventory's pods (how many endpoints
 * each policy selects), and for a pull request the review's resource changes and impact.
 */
export interface BoardInput {
  title: string;
  sources: string[];
  set: PolicySet;
  summary?: SimulationSummary;
  counter?: HitCounter;
  pods?: readonly Endpoint[];
  unusedDays: number;
  /** The node agents' counters (`--counters`): connections per policy and rule, shown beside the snapshot's records. */
  agent?: AgentHits;
  topFlows?: number;
  change?: { base: string; head: string; baseSet: PolicySet; changes: readonly ResourceChange[]; impact?: ImpactReport };
}

const zero = (): Tally => ({ records: 0, flows: 0 });

/** Zero tallies are left out of the page's data (most rules of a large set), which the page reads as zero. */
function nonZero(c: Record<Category, Tally> | undefined): Record<Category, Tally> | undefined {
  return c && Object.values(c).some((t) => t.records > 0) ? c : undefined;
}

function directionsOf(p: CompiledPolicy): Array<"ingress" | "egress"> {
  return [...(p.ingressApplies ? ["ingress" as const] : []), ...(p.egressApplies ? ["egress" as const] : [])];
}

export function buildBoard(input: BoardInput): BoardModel {
  const { set } = input;
  const changes = new Map<string, ResourceChange>();
  for (const c of input.change?.changes ?? []) {
    if (c.head) changes.set(identityOf(c.head), c);
    else if (c.base) changes.set(identityOf(c.base), c);
  }
  const impactBy = input.change?.impact ? impactByPolicy(input.change.impact) : undefined;
  const tiers = new Map<string, BoardTier>();
  for (const t of set.tiers) {
    const decided = input.summary ? input.summary.decidingTier[t.name] ?? zero() : undefined;
    tiers.set(t.name, { name: t.name, order: Number.isFinite(t.order) ? t.order : undefined, defaultAction: t.defaultAction, decided, policies: [] });
  }
  const card = (p: CompiledPolicy, removed: boolean) => {
    const b = policyCard(p, input, removed ? undefined : input.counter?.get(policyKey(p.ref)), removed);
    const c = changes.get(identityOf(p.resource));
    if (c && c.meaningChanged !== false && (removed || c.kind !== "removed")) {
      b.change = (c.kind === "reformatted" ? undefined : c.kind) as BoardChange | undefined;
      b.changeSummary = c.summary;
    }
    if (impactBy && !removed) {
      b.newlyDenied = impactBy.denied.get(describePolicy(p.ref)) ?? zero();
      b.newlyAllowed = impactBy.allowed.get(describePolicy(p.ref)) ?? zero();
    }
    return b;
  };
  for (const p of set.policies) tiers.get(p.ref.tier)!.policies.push(card(p, false));
  let removedCount = 0;
  for (const c of input.change?.changes ?? []) {
    if (c.kind !== "removed" || !c.base) continue;
    const p = input.change!.baseSet.policies.find((x) => x.resource === c.base);
    if (!p) continue;
    removedCount++;
    let t = tiers.get(p.ref.tier);
    if (!t) tiers.set(p.ref.tier, (t = { name: p.ref.tier, defaultAction: "Deny", policies: [] }));
    t.policies.push(card(p, true));
  }
  const list = [...tiers.values()].filter((t) => t.policies.length > 0 || set.tier(t.name)?.resource);
  const newest = input.counter?.newest;
  return {
    title: input.title,
    sources: input.sources,
    tiers: list,
    totals: input.summary && totalsOf(input.summary),
    change: input.change && {
      base: input.change.base,
      head: input.change.head,
      newlyDenied: sum(input.change.impact?.newlyDenied ?? []),
      newlyAllowed: sum(input.change.impact?.newlyAllowed ?? []),
      added: input.change.changes.filter((c) => c.kind === "added").length,
      changed: input.change.changes.filter((c) => c.kind === "changed" || c.kind === "renamed" || c.kind === "moved").length,
      removed: removedCount,
    },
    unusedDays: input.unusedDays,
    agent: input.agent && agentSummary(input.agent, new Set(set.policies.map((p) => flowLogPolicyName(p.ref, set.version.model)))),
    newestRecord: newest === undefined ? undefined : new Date(newest * 1000).toISOString(),
    policyCount: list.reduce((n, t) => n + t.policies.length, 0),
  };
}

function agentSummary(a: AgentHits, onBoard: ReadonlySet<string>): NonNullable<BoardModel["agent"]> {
  let connections = 0;
  for (const p of a.policies.values()) connections += p.counts.allowed + p.counts.denied + p.counts.passed + p.counts.pending;
  const notOnBoard = [...a.policies.keys()].filter((name) => !onBoard.has(name)).sort();
  return { sources: a.sources, reports: a.reports, rulesets: a.rulesets, connections, notOnBoard };
}

const anyAgent = (t: AgentTally | undefined): t is AgentTally => t !== undefined && Object.values(t).some((n) => n > 0);

function sum(flows: readonly ImpactFlow[]): Tally {
  return { records: flows.reduce((n, f) => n + f.records, 0), flows: flows.reduce((n, f) => n + f.flows, 0) };
}

/** Newly denied flows belong to the policy that denies them at head; newly allowed ones to the one that allows them
 * (or, when no policy does any more, to the one that used to deny them). */
function impactByPolicy(impact: ImpactReport): { denied: Map<string, Tally>; allowed: Map<string, Tally> } {
  const group = (flows: readonly ImpactFlow[], pick: (f: ImpactFlow) => string | undefined) => {
    const m = new Map<string, Tally>();
    for (const f of flows) {
      const who = pick(f);
      if (!who) continue;
      const t = m.get(who) ?? m.set(who, zero()).get(who)!;
      t.records += f.records;
      t.flows += f.flows;
    }
    return m;
  };
  return { denied: group(impact.newlyDenied, (f) => f.after.policy), allowed: group(impact.newlyAllowed, (f) => f.after.policy ?? f.before.policy) };
}

function totalsOf(s: SimulationSummary): BoardModel["totals"] {
  return {
    records: s.records,
    flows: s.flows,
    allow: s.verdict.allow,
    deny: s.verdict.deny,
    pendingAllow: s.pendingVerdict.allow,
    pendingDeny: s.pendingVerdict.deny,
    decidingTier: s.decidingTier,
    skippedLines: s.skippedLines,
  };
}

/** A removed policy (from the base revision) has no counts: the snapshot was replayed through the head. */
function policyCard(p: CompiledPolicy, input: BoardInput, counts: PolicyCounts | undefined, removed: boolean): BoardPolicy {
  const r = p.resource;
  const hasFlows = input.counter !== undefined && !removed;
  const agent = removed ? undefined : input.agent?.policies.get(flowLogPolicyName(p.ref, input.set.version.model));
  const hasAgent = input.agent !== undefined && !removed;
  const policyHit = (hasFlows && counts?.hit === true) || anyAgent(agent?.counts);
  const tierDefault = input.set.tier(p.ref.tier)?.defaultAction ?? "Deny";
  const rules: BoardRule[] = [];
  const spec = calicoSpecOf(p);
  for (const [dir, list] of [["ingress", p.ingress], ["egress", p.egress]] as const) {
    const specRules = (dir === "ingress" ? spec.ingress : spec.egress) ?? [];
    const applies = dir === "ingress" ? p.ingressApplies : p.egressApplies;
    for (const rule of list) {
      const key = `${dir}#${rule.index}`;
      const ruleAgent = agent?.rules.get(key);
      const ruleHit = counts?.rulesHit.has(key) === true || anyAgent(ruleAgent);
      rules.push({
        direction: dir,
        index: rule.index,
        action: rule.action,
        path: rule.path,
        line: lineOf(r, rule.path),
        words: specRules[rule.index] ? ruleSentence(specRules[rule.index], dir) : rule.path,
        counts: nonZero(counts?.rules.get(key)),
        agent: anyAgent(ruleAgent) ? ruleAgent : undefined,
        noHits: (hasFlows || hasAgent) && applies && rule.action !== "Log" && policyHit && !ruleHit,
      });
    }
  }
  const newest = input.counter?.newest;
  const stale = counts?.lastHit !== undefined && newest !== undefined && counts.lastHit < newest - input.unusedDays * 86_400;
  return {
    id: policyKey(p.ref),
    kind: p.ref.kind,
    namespace: p.ref.namespace,
    name: p.ref.name,
    flowName: flowLogPolicyName(p.ref, input.set.version.model),
    tier: p.ref.tier,
    order: Number.isFinite(p.order) ? p.order : undefined,
    staged: p.staged,
    kubernetes: p.ref.kind.includes("KubernetesNetworkPolicy"),
    selector: p.ref.kind.includes("KubernetesNetworkPolicy") ? spec.selector?.trim() || "all()" : selectorText(r),
    effectiveSelector: p.selector.selector.toString(),
    labels: r.metadata.labels ?? {},
    directions: directionsOf(p),
    endpoints: input.pods && !removed ? input.pods.filter((ep) => isTrue(selectorOn(p.selector, ep.labels))).length : undefined,
    counts: nonZero(counts?.counts),
    agent: anyAgent(agent?.counts) ? agent!.counts : undefined,
    noHits: hasFlows || hasAgent ? !policyHit : undefined,
    lastHit: counts?.lastHit,
    stale: stale || undefined,
    rules,
    file: r.source.file,
    line: lineOf(r, ""),
    yaml: documentText(r),
    explanation: explainPolicy(p, tierDefault, { rules: false }),
    endOfRules: directionsOf(p).map((d) => endOfRules(d, tierDefault)),
    topFlows: counts ? [...counts.flows.values()].sort((a, b) => b.flows - a.flows || b.records - a.records).slice(0, input.topFlows ?? 10) : [],
  };
}

function selectorText(r: Resource): string {
  const spec = r.spec as { selector?: string };
  return typeof spec.selector === "string" && spec.selector.trim() !== "" ? spec.selector : "all()";
}

function lineOf(r: Resource, path: string): number {
  try {
    return r.source.at(path).line;
  } catch {
    return 0;
  }
}

/** The resource's own text in its file (its document, or its item of a List). */
function documentText(r: Resource): string {
  const span = r.source.span("");
  if (!span) return "";
  const text = r.source.source.text;
  // From the start of the line, so the first key keeps its indentation.
  const start = text.lastIndexOf("\n", span.start - 1) + 1;
  return text.slice(start, span.end);
}
