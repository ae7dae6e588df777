import { describeResource } from "../../policy/index.js";
import type { ReviewContext } from "../context.js";
import type { Finding, FindingSeverity } from "../types.js";
import { deciderDetail, deciderKey, deciderLabel, describePiece, ownersOf } from "./describe.js";
import type { PortNames } from "./ports.js";
import type { Box } from "./space.js";
import type { Decision, Subject, WalkResult } from "./walk.js";

/**
 * Turns the walk of one subject (a changed rule, or a changed policy as a whole) into findings:
 * - every packet decided above, all denied, and the rule allows or passes: `guardrail/ineffective-rule`;
 * - every packet decided above otherwise: `guardrail/decided-by-higher-tier` (a warning when the higher tier's
 *   verdict is the opposite of the rule's, a notice when the rule only repeats it);
 * - some packets reach an allow or pass rule, but a higher tier denies others first (outside the corners the rule's
 *   natural world leaves out): `guardrail/partially-shadowed`, saying which part still takes effect;
 * - everything that reaches the rule's tier is decided by an earlier rule of that tier: `guardrail/shadowed-by-earlier-rule`.
 */
export interface Verdict {
  subject: Subject;
  result: WalkResult;
  /** Appended to every message when known workloads decided part of the answer. */
  fallbackNote: string;
}

export interface ShadowEnv {
  ctx: ReviewContext;
  names: PortNames;
}

export function ruleFindings(v: Verdict, env: ShadowEnv, options: { policyDecided: boolean }): Finding[] {
  const { subject, result } = v;
  const rule = subject.rule!;
  const higher = result.decided.filter((d) => d.scope === "higher");
  const same = result.decided.filter((d) => d.scope === "same");
  const allows = rule.action !== "Deny";
  const verb = rule.action === "Deny" ? "denies" : rule.action === "Pass" ? "passes" : "allows";
  const conflicts = (d: Decision) => (allows ? d.action === "deny" : d.action === "allow");
  if (result.reaching.length === 0 && same.length === 0 && higher.length > 0) {
    const tiers = tierNames(higher);
    if (allows && higher.every((d) => d.action === "deny")) {
      const owner = primaryTier(higher, () => true);
      const owners = ownersOf(env.ctx.config, owner);
      return [finding(v, "guardrail/ineffective-rule", "warning",
        `This rule ${verb} traffic that tier ${tiers.join(" and ")} always denies before the rule is reached: ` +
          `${summarize(higher, v, env, 3)}. It can never take effect: remove it, or ask the owners of tier ${owner} ` +
          `(${owners.text}) whether the guard rail should let this traffic through.`, higher, owners.list)];
    }
    if (options.policyDecided) return [];
    const opposite = higher.some(conflicts);
    const owner = primaryTier(higher, conflicts);
    const owners = ownersOf(env.ctx.config, owner);
    return [finding(v, "guardrail/decided-by-higher-tier", opposite ? "warning" : "notice",
      `Every packet this rule ${verb} is decided before the rule is reached, in tier ${tiers.join(" and ")}: ` +
        `${summarize(higher, v, env, 3)}. ` +
        (opposite
          ? `The rule cannot take effect: remove it, or ask the owners of tier ${owner} (${owners.text}) to pass this traffic on.`
          : `The rule cannot change that verdict and can be removed.`), higher, opposite ? owners.list : undefined)];
  }
  if (result.reaching.length === 0 && same.length > 0) {
    const firstSame = same.find((d) => !d.incidental) ?? same[0];
    const differs = same.some((d) => d.action !== rule.action.toLowerCase());
    const place = firstSame.by.kind === "rule" && firstSame.by.policy === subject.policy ? "earlier in this policy" : `earlier in tier ${subject.policy.ref.tier}`;
    return [finding(v, "guardrail/shadowed-by-earlier-rule", differs ? "warning" : "notice",
      `This rule is shadowed: every packet it matches is decided ${place}: ` +
        `${summarize(same, v, env, 3)}. It can never take effect` +
        (differs ? ", and the earlier verdict wins" : " (it repeats the earlier verdict)") +
        `: remove it, or move it above the rule that shadows it.`, result.decided, undefined)];
  }
  // A deny that higher tiers partly allow is how a tier's catch-all deny is meant to work: only allows and passes.
  const partial = allows ? higher.filter((d) => !d.incidental && d.action === "deny") : [];
  if (result.reaching.length > 0 && partial.length > 0) {
    const tiers = tierNames(partial);
    const owners = ownersOf(env.ctx.config, tiers[0]);
    const named = subject.natural.namedPeers(result.reaching, partial.map((d) => d.box));
    // Most of what the rule names never reaches it: the finding that matters, said short, as a warning.
    if (named.denied.length * 2 > named.named) {
      const decider = partial.find((d) => !d.incidental) ?? partial[0];
      const what = named.denied.length === named.named ? "what it names" : `${named.denied.length} of the ${named.named} endpoints it names`;
      return [finding(v, "guardrail/partially-shadowed", "warning",
        `This rule cannot take effect for ${what} (${listNames(named.denied)}): ${deciderLabel(decider.by)} denies it first. ` +
          `Ask the owners of tier ${tiers[0]} (${owners.text}) to pass it on, or remove the rule.`, partial, owners.list)];
    }
    return [finding(v, "guardrail/partially-shadowed", "notice",
      `Part of the traffic this rule ${verb} is denied in tier ${tiers.join(" and ")} before the rule is reached: ` +
        `${summarize(partial, v, env, 3)}. ${reachingText(result.reaching, v, env)} ` +
        `Narrow the rule to that part, or ask the owners of tier ${tiers[0]} (${owners.text}) about the rest.`, partial, undefined)];
  }
  const unsure = allows ? [...new Set(result.reaching.flatMap((b) => (b.maybe ?? []).filter((m) => m.deny).map((m) => m.text)))] : [];
  if (unsure.length > 0) {
    const f = notAnalysed(subject, "");
    f.message = `tierguard could not tell whether a higher tier denies this rule's traffic before it is reached: ${unsure.join("; ")}. ` +
      `Check by hand${unsure.some((u) => u.includes("named port")) ? ", or give an inventory whose pods declare the named port" : ""}.${v.fallbackNote}`;
    return [f];
  }
  return [];
}

export function policyFinding(v: Verdict, env: ShadowEnv): Finding[] {
  const { subject, result } = v;
  if (result.reaching.length > 0 || result.decided.length === 0) return [];
  const tiers = tierNames(result.decided);
  const allDenied = result.decided.every((d) => d.action === "deny");
  const owner = primaryTier(result.decided, (d) => d.action === "deny");
  const owners = ownersOf(env.ctx.config, owner);
  const path = subject.policy.resource.kind.includes("Kubernetes") ? "spec.podSelector" : "spec.selector";
  return [finding(v, "guardrail/decided-by-higher-tier", "warning",
    `None of the ${subject.dir} traffic of the endpoints this policy selects reaches tier ${subject.policy.ref.tier}: ` +
      `tier ${tiers.join(" and ")} decides all of it first (${summarize(result.decided, v, env, 3)}). ` +
      `Neither its ${subject.dir} rules nor the end of tier ${subject.policy.ref.tier} can take effect: ` +
      (allDenied
        ? `ask the owners of tier ${owner} (${owners.text}) to pass this traffic on if this policy should decide it, or remove the policy.`
        : `move the policy to a tier above ${primaryTier(result.decided, () => true)}, or remove it.`), result.decided, owners.list, path)];
}

export function notAnalysed(policySubject: Subject, reason: string): Finding {
  const r = policySubject.rule;
  const what = r ? "this rule" : `the ${policySubject.dir} traffic of this policy`;
  return base(policySubject, "guardrail/not-analysed", "notice",
    `tierguard could not check ${what} against the tiers above it: ${reason}. Check by hand that no higher tier decides its traffic first.`,
    r ? r.path : "spec.selector");
}

function finding(v: Verdict, code: string, severity: FindingSeverity, message: string, decisions: Decision[], approvers: string[] | undefined, path?: string): Finding {
  const maybe = [...new Set([...decisions.map((d) => d.box), ...v.result.reaching].flatMap((b) => (b.maybe ?? []).map((m) => m.text)))];
  const caveat = maybe.length > 0 ? " Some of it could not be compared with every higher rule (see details), which may decide it first." : "";
  const f = base(v.subject, code, severity, message + caveat + v.fallbackNote, path ?? v.subject.rule!.path);
  const deciders = [...new Map(decisions.map((d) => [deciderKey(d.by), d])).values()];
  f.details = [
    ...deciders.slice(0, 8).map((d) => `${d.action === "deny" ? "denied" : d.action === "allow" ? "allowed" : "passed"} by ${deciderDetail(d.by)}`),
    ...(deciders.length > 8 ? [`... and ${deciders.length - 8} more`] : []),
    ...maybe.map((m) => `not compared: ${m}`),
  ];
  if (approvers && approvers.length > 0) f.approvers = approvers;
  return f;
}

function base(subject: Subject, code: string, severity: FindingSeverity, message: string, path: string): Finding {
  const resource = subject.policy.resource;
  const at = resource.source.at(path);
  return { code, severity, message, file: at.file, line: at.line, col: at.col, path, resource: describeResource(resource) };
}

/** The tier to talk to: that of the first decision that matters (not incidental, and of the kind asked for). */
function primaryTier(ds: readonly Decision[], pick: (d: Decision) => boolean): string {
  const d = ds.find((x) => !x.incidental && pick(x)) ?? ds.find(pick) ?? ds[0];
  return d.by.kind === "rule" ? d.by.policy.ref.tier : d.by.tier.name;
}

function tierNames(ds: readonly Decision[]): string[] {
  return [...new Set(ds.map((d) => (d.by.kind === "rule" ? d.by.policy.ref.tier : d.by.tier.name)))];
}

/** `rule 0 of GlobalNetworkPolicy deny-85 (tier security) denies destination port 85; ...`: material decisions first. */
function summarize(ds: readonly Decision[], v: Verdict, env: ShadowEnv, max: number): string {
  const ordered = [...ds.filter((d) => !d.incidental), ...ds.filter((d) => d.incidental)];
  const byDecider = new Map<string, Decision[]>();
  for (const d of ordered) {
    const list = byDecider.get(deciderKey(d.by));
    if (list) list.push(d);
    else byDecider.set(deciderKey(d.by), [d]);
  }
  // One rule deciding everything the subject matches: its pieces (say, a selector and the network sets it selects)
  // add up to all of it.
  const whole = byDecider.size === 1 && v.result.reaching.length === 0 && ds.length === v.result.decided.length;
  const parts = [...byDecider.values()].map((list) => {
    const verb = list[0].action === "deny" ? "denies" : list[0].action === "allow" ? "allows" : "passes";
    return `${deciderLabel(list[0].by)} ${verb} ${whole ? "all of it" : describeAll(list.map((d) => d.box), v, env) || "the rest of it"}`;
  });
  const rest = parts.length - max;
  return parts.slice(0, max).join("; ") + (rest > 0 ? `; and ${rest} more rule${rest === 1 ? " decides" : "s decide"} the rest` : "");
}

function listNames(names: readonly string[]): string {
  return names.length <= 3 ? names.join(", ") : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
}

function reachingText(reaching: readonly Box[], v: Verdict, env: ShadowEnv): string {
  const text = describeAll(reaching, v, env);
  return text ? `Only the part with ${text} reaches the rule and takes effect.` : "The rest reaches the rule and takes effect.";
}

/** Pieces in words, relative to the subject's own traffic ("" when no part needs words); families only where they differ. */
function describeAll(pieces: readonly Box[], v: Verdict, env: ShadowEnv): string {
  const families = new Set(v.subject.space.map((b) => b.family));
  const byText = new Map<string, Set<number>>();
  for (const p of pieces) {
    const baseBox = v.subject.space.find((b) => b.family === p.family) ?? p;
    const text = describePiece(p, baseBox, v.subject.dir, env.names, v.subject.natural);
    const fams = byText.get(text) ?? new Set<number>();
    fams.add(p.family);
    byText.set(text, fams);
  }
  // A piece that needs no words is (naturally) everything that was left: no list of the other pieces says more.
  if (byText.get("")?.size === families.size) return "";
  const texts = [...byText].map(([text, fams]) => (fams.size === families.size ? text : `IPv${[...fams][0]} ${text === "" ? "traffic" : text}`));
  return texts.length > 3 ? `${texts.slice(0, 3).join("; ")}; and ${texts.length - 3} more parts` : texts.join("; ");
}
