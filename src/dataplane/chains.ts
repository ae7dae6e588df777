import { flowLogPolicyName, type CompiledPolicy, type CompiledRule, type Direction, type Mode, type PolicyRef, type TierInfo } from "../engine/index.js";
import { hex, type CounterInfo, type Marks, type NftChain, type NftRule } from "./model.js";
import { ruleMatch } from "./rules.js";
import { shortHash, type Family, type SetRegistry } from "./sets.js";

/**
 * The tier walk of src/engine/evaluate.ts as chains. An endpoint chain jumps to one chain per applicable tier; a
 * tier chain jumps to one chain per policy, in order; a policy chain holds that policy's rules for one direction.
 *
 * Enforced walk: Allow accepts (ends the direction's base chain), Deny jumps to `deny`, Pass sets the pass mark and
 * returns, and the tier chain returns to the endpoint chain, which goes on with the next tier. A tier without a
 * verdict ends with its default action; past the last tier the namespace profile allows.
 *
 * Pending walk: the same with staged policies in their place, counting only: every verdict sets the done mark and
 * returns, so the packet is never touched (the enforced walk runs after it).
 */
export const DENY_CHAIN = "deny";

export function policyKey(ref: PolicyRef): string {
  return `${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

const short = (mode: Mode) => (mode === "enforced" ? "e" : "p");
const dirShort = (d: Direction) => (d === "ingress" ? "in" : "eg");

export class ChainBuilder {
  readonly chains = new Map<string, NftChain>();
  readonly counters = new Map<string, CounterInfo>();

  constructor(
    private readonly sets: SetRegistry,
    private readonly families: readonly Family[],
    private readonly marks: Marks,
    private readonly model: "v3.31" | "v3.32",
  ) {}

  /** The chain of one endpoint group; returns its name. `namespace` names the profile. */
  endpoint(mode: Mode, direction: Direction, namespace: string, tiers: ReadonlyArray<{ tier: TierInfo; policies: CompiledPolicy[] }>): string {
    const key = `${mode}|${direction}|${namespace}|${tiers.map((t) => `${t.tier.name}:${t.policies.map((p) => policyKey(p.ref)).join(",")}`).join(";")}`;
    const name = `ep_${short(mode)}_${dirShort(direction)}_${shortHash(key)}`;
    if (this.chains.has(name)) return name;
    const both = this.marks.pass | this.marks.done;
    const rules: NftRule[] = [{ match: "", verdict: `meta mark set meta mark & ${hex(~both >>> 0)}` }];
    for (const t of tiers) {
      rules.push({ match: "", verdict: `jump ${this.tier(mode, direction, t.tier, t.policies)}`, comment: `tier ${t.tier.name}` });
      if (mode === "pending") rules.push({ match: `meta mark & ${hex(this.marks.done)} == ${hex(this.marks.done)}`, verdict: "return" });
    }
    rules.push(...this.byProtocol({ mode, direction, kind: "profile", action: "allow", namespace }, `${name}|profile`, "", mode === "enforced" ? "accept" : "return", `profile kns.${namespace} allow`));
    this.chains.set(name, { name, rules, comment: `${mode} ${direction}: ${tiers.map((t) => t.tier.name).join(", ") || "no tiers"}` });
    return name;
  }

  private tier(mode: Mode, direction: Direction, tier: TierInfo, policies: CompiledPolicy[]): string {
    const key = `${mode}|${direction}|${tier.name}|${tier.defaultAction}|${policies.map((p) => policyKey(p.ref)).join(",")}`;
    const name = `tier_${short(mode)}_${dirShort(direction)}_${shortHash(key)}`;
    if (this.chains.has(name)) return name;
    const { pass, done } = this.marks;
    const rules: NftRule[] = [{ match: "", verdict: `meta mark set meta mark & ${hex(~pass >>> 0)}` }];
    for (const p of policies) {
      rules.push({ match: "", verdict: `jump ${this.policy(mode, direction, p)}`, comment: `${tier.name}|${flowLogPolicyName(p.ref, this.model)}` });
      const rs = direction === "ingress" ? p.ingress : p.egress;
      if (mode === "enforced" && rs.some((r) => r.action === "Pass")) rules.push({ match: `meta mark & ${hex(pass)} == ${hex(pass)}`, verdict: "return" });
      if (mode === "pending" && rs.some((r) => r.action !== "Log")) rules.push({ match: `meta mark & ${hex(pass | done)} != 0`, verdict: "return" });
    }
    // calico-semantics §10.2: the enforced trace names the tier's last policy, the pending trace its first.
    const attributed = mode === "enforced" ? policies[policies.length - 1] : policies[0];
    const action = tier.defaultAction === "Pass" ? "pass" : "deny";
    const verdict = action === "pass" ? "return" : mode === "enforced" ? `jump ${DENY_CHAIN}` : `meta mark set meta mark | ${hex(done)} return`;
    rules.push(...this.byProtocol({ mode, direction, kind: "end-of-tier", action, tier: tier.name, policy: attributed.ref }, `${name}|eot`, "", verdict, `${tier.name}|end of tier|${action}`));
    this.chains.set(name, { name, rules, comment: `${mode} ${direction} tier ${tier.name}` });
    return name;
  }

  private policy(mode: Mode, direction: Direction, p: CompiledPolicy): string {
    const name = `pol_${short(mode)}_${dirShort(direction)}_${shortHash(`${mode}|${direction}|${policyKey(p.ref)}`)}`;
    if (this.chains.has(name)) return name;
    const rules: NftRule[] = [];
    for (const rule of direction === "ingress" ? p.ingress : p.egress) rules.push(...this.rule(mode, direction, p, rule));
    this.chains.set(name, { name, rules, comment: `${mode} ${direction} ${p.ref.tier}|${flowLogPolicyName(p.ref, this.model)}` });
    return name;
  }

  /** One nft rule per family the rule can match; they share the rule's counter. */
  private rule(mode: Mode, direction: Direction, p: CompiledPolicy, rule: CompiledRule): NftRule[] {
    const texts: string[] = [];
    for (const f of this.families) {
      const m = ruleMatch(p, rule, direction, f, this.sets);
      // A rule without addresses reads the same in both families: one nft rule (inet) serves both.
      if (m.kind === "match" && !texts.includes(m.text)) texts.push(m.text);
    }
    if (texts.length === 0) return [];
    const action = rule.action === "Allow" ? "allow" : rule.action === "Deny" ? "deny" : rule.action === "Pass" ? "pass" : "log";
    const info: Omit<CounterInfo, "name"> = { mode, direction, kind: "rule", action, tier: p.ref.tier, policy: p.ref, ruleIndex: rule.index, protocol: rule.protocol };
    // The counter is keyed by the rule's content: a reload keeps the hits of every rule that did not change.
    const key = `${mode}|${direction}|${policyKey(p.ref)}|${rule.index}|${action}|${texts.join("||")}`;
    const comment = `${p.ref.tier}|${flowLogPolicyName(p.ref, this.model)}|${direction}[${rule.index}]|${action}`;
    const verdict = this.verdict(mode, action, p.ref);
    // A Log rule has no verdict: one rule, or a packet would be counted once per protocol rule it falls through.
    if (rule.protocol !== undefined || action === "log") {
      const counter = this.counter(info, key);
      return texts.map((t) => ({ match: t, verdict, counter, comment }));
    }
    return texts.flatMap((t) => this.byProtocol(info, key, t, verdict, comment));
  }

  /**
   * A terminal rule whose protocol is not fixed, counted per protocol (TCP, UDP, other), so counters become flow
   * records with a protocol. Each copy ends the chain, so a packet is counted once.
   */
  private byProtocol(info: Omit<CounterInfo, "name">, key: string, match: string, verdict: string, comment: string): NftRule[] {
    return ([6, 17, undefined] as const).map((protocol) => ({
      match: [protocol === undefined ? "" : `meta l4proto ${protocol}`, match].filter(Boolean).join(" "),
      verdict,
      counter: this.counter({ ...info, ...(protocol !== undefined ? { protocol } : {}) }, `${key}|${protocol ?? "other"}`),
      comment,
    }));
  }

  private verdict(mode: Mode, action: CounterInfo["action"], ref: PolicyRef): string {
    const { pass, done } = this.marks;
    if (action === "log") return mode === "enforced" ? `log prefix "${logPrefix(ref)}"` : "";
    if (action === "pass") return `meta mark set meta mark | ${hex(pass)} return`;
    if (mode === "pending") return `meta mark set meta mark | ${hex(done)} return`;
    return action === "allow" ? "accept" : `jump ${DENY_CHAIN}`;
  }

  private counter(info: Omit<CounterInfo, "name">, key: string): string {
    const name = `c_${shortHash(key, 12)}`;
    if (!this.counters.has(name)) this.counters.set(name, { name, ...info });
    return name;
  }
}

/** nft limits a log prefix to 127 bytes. */
function logPrefix(ref: PolicyRef): string {
  return `tierguard ${ref.tier}/${ref.namespace ? `${ref.namespace}/` : ""}${ref.name} `.slice(0, 120);
}
