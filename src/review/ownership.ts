import { describeResource, isPolicy, policyTier, type CalicoPolicySpec, type PolicyResource, type Resource } from "../policy/index.js";
import { twinKey, type PolicyKind } from "../engine/index.js";
import { isTrue, selectorOn } from "../engine/index.js";
import { configFileOf, normalizePrincipal, type TierguardConfig } from "./config.js";
import type { ReviewContext } from "./context.js";
import type { Finding } from "./types.js";

/**
 * Tier ownership, judged on `spec.tier` in BOTH revisions (a policy moved from `application` to `security` needs
 * both owners), never on paths. Tier objects and tierguard.yaml need an admin; a network set needs the owners of
 * every tier whose policies use it (an admin when several tiers do); a staged policy is also judged by the tier of
 * the enforced twin it would replace or delete. A finding is satisfied when an owner of that tier approved.
 */
export interface Principal {
  login: string;
  /** `org/team` slugs, with or without `@`. */
  teams: readonly string[];
}

export interface OwnershipInput {
  author: Principal;
  approvals: readonly Principal[];
  /** True when tierguard.yaml differs between base and head. */
  configChanged: boolean;
  /** Test files the PR changed or deleted, with the tiers each belongs to. */
  changedTests: ReadonlyArray<{ file: string; tiers: ReadonlySet<string>; revision: "base" | "head" }>;
}

/** What a principal may change: a tier name, or "*" for admins. */
function principalIds(p: Principal): Set<string> {
  return new Set([normalizePrincipal(p.login), ...p.teams.map(normalizePrincipal)]);
}

function isAdmin(ids: Set<string>, config: TierguardConfig): boolean {
  return config.admins.some((a) => ids.has(a));
}

function owns(ids: Set<string>, tier: string, config: TierguardConfig): boolean {
  return isAdmin(ids, config) || (config.tiers.get(tier)?.owners ?? []).some((o) => ids.has(o));
}

/**
 * Who must approve: a tier's owners (its name), or the admins. The admins are a symbol, not a string, so a tier
 * that happens to be called "admin" is governed by its own owners like any other.
 */
const ADMINS: unique symbol = Symbol("admins");
type Governor = string | typeof ADMINS;

/** The tier(s) that govern a resource in one revision; ADMINS means "admins only". */
function tiersOf(r: Resource, ctx: ReviewContext, revision: "base" | "head"): Governor[] {
  if (r.kind === "Tier") return [ADMINS];
  if (r.kind === "NetworkSet" || r.kind === "GlobalNetworkSet") return networkSetTiers(r, ctx, revision);
  const own = policyTier(r as PolicyResource);
  const tiers = [own];
  if (isPolicy(r) && r.kind.startsWith("Staged")) {
    // The enforced twin this staged policy would replace (Set) or delete (Delete), in either revision.
    const key = twinKey({ kind: r.kind as PolicyKind, namespace: r.metadata.namespace, name: r.metadata.name ?? "", tier: own });
    for (const set of [ctx.base.set, ctx.head.set]) {
      for (const p of set.policies) if (!p.staged && twinKey(p.ref) === key && !tiers.includes(p.ref.tier)) tiers.push(p.ref.tier);
    }
  }
  return tiers;
}

/**
 * Tiers whose policies use the set: a rule selector that matches it by one of the set's own labels. Broad
 * selectors that match every network set of a namespace (`namespaceSelector: all()`) do not make a tier its owner.
 */
function networkSetTiers(r: Resource, ctx: ReviewContext, revision: "base" | "head"): Governor[] {
  const set = (revision === "base" ? ctx.base : ctx.head).set;
  const ns = set.networkSet(r.kind === "NetworkSet" ? r.metadata.namespace : undefined, r.metadata.name ?? "");
  if (!ns) return [];
  const own = new Set(Object.keys(r.metadata.labels ?? {}));
  const tiers = new Set<string>();
  for (const p of set.policies) {
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const e of [rule.source, rule.destination]) {
        if (!e.positive || !isTrue(selectorOn(e.positive, ns.labels))) continue;
        if ([...e.positive.selector.labelKeys()].some((k) => own.has(k))) tiers.add(p.ref.tier);
      }
    }
  }
  return tiers.size > 1 ? [ADMINS] : [...tiers];
}

export function checkOwnership(ctx: ReviewContext, input: OwnershipInput): Finding[] {
  const { config } = ctx;
  if (!config.enforceOwnership) return [];
  const author = principalIds(input.author);
  const approvers = input.approvals.map(principalIds);
  const findings: Finding[] = [];
  const satisfied = (tier: Governor) =>
    tier === ADMINS ? isAdmin(author, config) || approvers.some((a) => isAdmin(a, config)) : owns(author, tier, config) || approvers.some((a) => owns(a, tier, config));
  const who = (tier: Governor) => {
    const list = tier === ADMINS ? config.admins : [...(config.tiers.get(tier)?.owners ?? []), ...config.admins];
    return [...new Set(list)];
  };
  const report = (tier: Governor, what: string, at: { file: string; line: number; col?: number; path?: string; resource?: string; revision?: "base" | "head" }) => {
    const approversList = who(tier);
    const named = approversList.length > 0 ? approversList.map((a) => (a.includes("/") ? `@${a}` : `@${a}`)).join(", ") : "nobody (the tier has no owners in tierguard.yaml; add them there)";
    const tierWords = tier === ADMINS ? "an admin" : `an owner of tier ${tier}`;
    findings.push({
      code: "ownership/not-owner",
      severity: "error",
      message: `${what} needs ${tierWords}; @${input.author.login} is not one. Approval from ${named} satisfies this.`,
      approvers: approversList,
      ...at,
    });
  };

  for (const change of ctx.changes) {
    if (!change.meaningChanged) continue;
    const reported = new Set<Governor>();
    const subject = (change.head ?? change.base)!;
    for (const [revision, r] of [["base", change.base], ["head", change.head]] as const) {
      if (!r) continue;
      for (const tier of tiersOf(r, ctx, revision)) {
        if (satisfied(tier) || reported.has(tier)) continue;
        reported.add(tier);
        const loc = subject.source;
        const path = tier !== ADMINS && loc.has("spec.tier") ? "spec.tier" : "metadata.name";
        const at = loc.at(path);
        report(tier, `${describeResource(subject)} (${change.summary}, in tier ${tier === ADMINS ? "—" : tier} at ${revision})`, {
          file: at.file,
          line: at.line,
          col: at.col,
          path,
          resource: describeResource(subject),
          revision: change.head ? "head" : "base",
        });
      }
    }
  }
  if (input.configChanged && !satisfied(ADMINS)) {
    const file = configFileOf(config);
    report(ADMINS, `A change to ${file} (it takes effect for later pull requests)`, { file, line: 1 });
  }
  for (const t of input.changedTests) {
    for (const tier of t.tiers) {
      if (!satisfied(tier)) report(tier, `Changing the policy tests in ${t.file} (its assertions are decided by tier ${tier})`, { file: t.file, line: 1, revision: t.revision });
    }
  }
  return findings;
}

/**
 * Who stands for the owners of `tier` in this pull request: the author when they own it (or are an admin), else the
 * first approver who does. Undefined when nobody does, or when ownership is not enforced (no tierguard.yaml at base:
 * a tier then has no owners who could approve).
 */
export function tierOwnerApproval(config: TierguardConfig, author: Principal, approvals: readonly Principal[], tier: string): string | undefined {
  if (!config.enforceOwnership) return undefined;
  if (owns(principalIds(author), tier, config)) return `@${author.login} (the author)`;
  const approver = approvals.find((a) => owns(principalIds(a), tier, config));
  return approver ? `@${approver.login}` : undefined;
}

/**
 * An ownership finding that a team could satisfy, when the author's teams could not be read (the Action without a
 * teams token): unverifiable, at tierguard.yaml's `ownership.unverifiableTeams` level, not "not an owner". Other
 * findings are returned as they are. `why` says why the teams could not be read.
 */
export function teamsUnverifiable(f: Finding, config: Pick<TierguardConfig, "ownership">, why: string): Finding {
  if (f.code !== "ownership/not-owner" || !(f.approvers ?? []).some((a) => a.includes("/"))) return f;
  const level = config.ownership.unverifiableTeams;
  return {
    ...f,
    code: "ownership/teams-unverifiable",
    severity: level === "off" ? "notice" : level,
    message: `${f.message} tierguard could not check whether the author belongs to those teams (${why}).`,
  };
}
