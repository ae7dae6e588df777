import type { CompiledPolicy, CompiledRule } from "../../engine/index.js";
import { NAMESPACE_LABEL } from "../../engine/index.js";
import type { Direction, PolicySet, TierInfo } from "../../engine/index.js";
import { mergeBySeq } from "../../engine/index.js";
import { describePolicy, twinKey } from "../../engine/index.js";
import type { SelectorNode } from "../../selector/index.js";
import { Undecidable, type Budget } from "./budget.js";
import type { NaturalWorld } from "./natural.js";
import type { SelectorOracle } from "./oracle.js";
import { forcedValues } from "./selector-sat.js";
import type { Family } from "./cidrs.js";
import { fullBox, ruleSpace, type Box, type Maybe, type RuleSpace, type SpaceContext } from "./space.js";
import { split } from "./split.js";

/**
 * The tier walk of calico-semantics §4.4, run on sets of packets instead of one packet: the subject's traffic is
 * split as it passes each enforced rule of the tiers above it (first match decides; Pass skips to the next tier; Log
 * does nothing), each tier that applies ends with its default action, and a tier applies only where one of its
 * enforced policies selects the endpoint for this direction. For a rule, the walk goes on through the earlier
 * policies of its own tier and the earlier rules of its own policy. What is left reaches the subject.
 *
 * A decided part is "incidental" when it lies outside the subject's natural world (natural.ts): a pod labelled
 * quarantine=true is also a frontend pod. True, but not worth a finding of its own.
 */
export type DecidedAction = "allow" | "deny" | "pass";

export type Decider =
  | { kind: "rule"; policy: CompiledPolicy; rule: CompiledRule }
  | { kind: "end-of-tier"; tier: TierInfo; policy: CompiledPolicy };

export interface Decision {
  box: Box;
  by: Decider;
  action: DecidedAction;
  /** "higher": a tier above the subject's; "same": earlier in the subject's own tier or policy. */
  scope: "higher" | "same";
  incidental: boolean;
}

export interface Subject {
  policy: CompiledPolicy;
  dir: Direction;
  /** Undefined for the whole policy: the walk then stops at the policy's own tier. */
  rule?: CompiledRule;
  space: Box[];
  /** What the subject's author may take for granted; decides which decided parts are incidental. */
  natural: NaturalWorld;
}

export interface WalkResult {
  decided: Decision[];
  /** The parts of the subject's traffic that reach it. */
  reaching: Box[];
  /** Named ports resolved through known workloads. */
  resolved: Set<string>;
}

interface TierGroup {
  name: string;
  /** Every policy of the tier, in evaluation order. */
  all: CompiledPolicy[];
  /** Non-namespaced policies, and namespaced ones by namespace, each in evaluation order. */
  global: CompiledPolicy[];
  byNamespace: Map<string, CompiledPolicy[]>;
}

export class Walker {
  private readonly groups: TierGroup[] = [];

  constructor(
    private readonly set: PolicySet,
    private readonly spaceCtx: SpaceContext,
    private readonly oracle: SelectorOracle,
    private readonly budget: Budget,
  ) {
    for (const p of set.policies) {
      let g = this.groups[this.groups.length - 1];
      if (!g || g.name !== p.ref.tier) this.groups.push((g = { name: p.ref.tier, all: [], global: [], byNamespace: new Map() }));
      g.all.push(p);
      if (p.namespace === undefined) g.global.push(p);
      else {
        const list = g.byNamespace.get(p.namespace);
        if (list) list.push(p);
        else g.byNamespace.set(p.namespace, [p]);
      }
    }
  }

  walk(subject: Subject): WalkResult {
    const out: WalkResult = { decided: [], reaching: [...subject.space], resolved: new Set() };
    if (out.reaching.length === 0) return out;
    const local = subject.space[0].local;
    // A subject pinned to one namespace meets only the global policies and that namespace's (the namespace index).
    const ns = forcedValues(local).get(NAMESPACE_LABEL);
    const subjectTier = subject.policy.ref.tier;
    const twin = twinKey(subject.policy.ref);
    for (const group of this.groups) {
      if (out.reaching.length === 0) break;
      const same = group.name === subjectTier;
      if (same && !subject.rule) break;
      const policies = ns === undefined ? group.all : mergeBySeq(group.global, group.byNamespace.get(ns) ?? []);
      const candidates = policies.filter((p) => this.relevant(p, subject, local, ns, same ? twin : undefined));
      const passed: Box[] = [];
      const scope = same ? "same" : "higher";
      for (const p of candidates) for (const r of p[subject.dir]) this.applyRule(p, r, subject, scope, out, passed);
      if (same) {
        for (const r of subject.policy[subject.dir]) if (r.index < subject.rule!.index) this.applyRule(subject.policy, r, subject, "same", out, passed);
        break;
      }
      const tier = this.set.tier(group.name);
      if (tier && tier.defaultAction === "Deny") {
        for (const p of candidates) this.applyEndOfTier(tier, p, subject, out);
      }
      out.reaching.push(...passed);
    }
    return out;
  }

  private relevant(p: CompiledPolicy, subject: Subject, local: readonly SelectorNode[], ns: string | undefined, sameTierTwin: string | undefined): boolean {
    if (p.staged || p.outOfScope || p === subject.policy) return false;
    if (!(subject.dir === "ingress" ? p.ingressApplies : p.egressApplies)) return false;
    if (sameTierTwin !== undefined && (p.seq > subject.policy.seq || twinKey(p.ref) === sameTierTwin)) return false;
    if (p.namespace !== undefined && ns !== undefined && p.namespace !== ns) {
      this.budget.stats.policiesSkipped++;
      return false;
    }
    if (this.oracle.empty("local", local, [p.selector.selector.root])) {
      this.budget.stats.policiesSkipped++;
      return false;
    }
    this.budget.stats.policiesConsidered++;
    return true;
  }

  /**
   * A higher rule's traffic, built once per rule and direction for the whole analysis: every subject's walk meets the
   * same rules, and the boxes are only read. Stable boxes also keep the answers memoised per selector array and node
   * (selector-sat.ts, normal-form.ts) from one subject to the next.
   */
  private higherSpace(p: CompiledPolicy, r: CompiledRule, dir: Direction): RuleSpace {
    const memo = this.spaces[dir];
    let space = memo.get(r);
    if (!space) memo.set(r, (space = ruleSpace(p, r, dir, this.spaceCtx, "higher")));
    return space;
  }

  private readonly spaces = { ingress: new WeakMap<CompiledRule, RuleSpace>(), egress: new WeakMap<CompiledRule, RuleSpace>() };

  /** Every packet at the endpoints of a policy whose tier ends in Deny, once per policy and family. */
  private endOfTierBox(p: CompiledPolicy, family: Family): Box {
    let boxes = this.endBoxes.get(p);
    if (!boxes) this.endBoxes.set(p, (boxes = {}));
    return (boxes[family] ??= fullBox(family, [p.selector.selector.root]));
  }

  private readonly endBoxes = new WeakMap<CompiledPolicy, Partial<Record<Family, Box>>>();

  private applyRule(p: CompiledPolicy, r: CompiledRule, subject: Subject, scope: Decision["scope"], out: WalkResult, passed: Box[]): void {
    if (r.action === "Log" || r.never) return;
    const space = this.higherSpace(p, r, subject.dir);
    const unevaluated = [r.icmp || r.notIcmp ? "ICMP type/code" : "", r.unevaluated ?? ""].filter(Boolean).join(", ");
    const by: Decider = { kind: "rule", policy: p, rule: r };
    const what = `rule ${r.index} of ${describePolicy(p.ref)} (${r.path})`;
    for (const h of space.boxes) {
      const next: Box[] = [];
      for (const piece of out.reaching) {
        this.budget.compare();
        const { inside, outside, unknown } = split(piece, h, this.oracle);
        if (unknown) {
          next.push(mark(piece, { text: `${what} in tier ${p.ref.tier} may ${r.action.toLowerCase()} it first (${unknown})`, deny: r.action === "Deny" }));
          continue;
        }
        if (!inside) {
          next.push(piece);
          continue;
        }
        space.resolved.forEach((x) => out.resolved.add(x));
        if (unevaluated) {
          const also = `${what} in tier ${p.ref.tier}, which also matches on ${unevaluated}`;
          if (r.action !== "Deny") throw new Undecidable(`${also} that tierguard does not evaluate, may ${r.action.toLowerCase()} part of the traffic first`);
          next.push(mark(piece, { text: `${also} (not evaluated by tierguard), may deny it first`, deny: true }));
          continue;
        }
        const action = r.action.toLowerCase() as DecidedAction;
        if (action === "pass" && scope === "higher") passed.push(inside);
        else out.decided.push({ box: inside, by, action, scope, incidental: !subject.natural.contains(inside) });
        next.push(...outside);
      }
      out.reaching = next;
      this.budget.pieces(out.reaching.length + passed.length);
    }
  }

  private applyEndOfTier(tier: TierInfo, p: CompiledPolicy, subject: Subject, out: WalkResult): void {
    const next: Box[] = [];
    for (const piece of out.reaching) {
      this.budget.compare();
      const h = this.endOfTierBox(p, piece.family);
      const { inside, outside } = split(piece, h, this.oracle);
      if (!inside) {
        next.push(piece);
        continue;
      }
      out.decided.push({ box: inside, by: { kind: "end-of-tier", tier, policy: p }, action: "deny", scope: "higher", incidental: !subject.natural.contains(inside) });
      next.push(...outside);
    }
    out.reaching = next;
  }
}

function mark(piece: Box, note: Maybe): Box {
  return { ...piece, maybe: [...(piece.maybe ?? []), note] };
}

