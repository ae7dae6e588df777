import { describeResource } from "../../policy/index.js";
import type { Check, ReviewContext } from "../context.js";
import type { Finding } from "../types.js";
import { lintEnv, type LintRule } from "./context.js";
import { cnpPriorityTie } from "./cnp-priority-tie.js";
import { defaultDenyBlocksDns } from "./default-deny-blocks-dns.js";
import { globalPolicyForApp } from "./global-policy-for-app.js";
import { inlineDomains } from "./inline-domains.js";
import { longCidrList } from "./long-cidr-list.js";
import { missingCoverage } from "./missing-coverage.js";
import { noDefaultDeny } from "./no-default-deny.js";
import { reservedLabelPrefix } from "./reserved-label-prefix.js";
import { ruleSelectorAll } from "./rule-selector-all.js";
import { selectsNothing } from "./selects-nothing.js";
import { staleStaged } from "./stale-staged.js";

/**
 * Lint: Calico's policy best practices as warnings, each with its fix. Rules report on the resources the pull
 * request added or changed (head side); namespace-level rules once per namespace the pull request touches; the
 * stale-staged rule on staged policies the pull request leaves unchanged, as a notice (a finding on a resource the
 * pull request did not touch is never more than a notice). `lint.disable` in tierguard.yaml turns
 * rules off by name. Imports policy, engine and selector; no I/O, no clock except the injected one.
 */
export type { LintRule, LintEnv } from "./context.js";

export const LINT_RULES: readonly LintRule[] = [
  globalPolicyForApp,
  longCidrList,
  inlineDomains,
  ruleSelectorAll,
  reservedLabelPrefix,
  noDefaultDeny,
  defaultDenyBlocksDns,
  selectsNothing,
  missingCoverage,
  staleStaged,
  cnpPriorityTie,
];

export interface LintOptions {
  /** "Now", for how long a policy has been staged. Default: the current time. */
  now?: Date;
}

export function lintCheck(options: LintOptions = {}): Check {
  return (ctx) => {
    const disabled = new Set(ctx.config.lint.disable.map((n) => n.replace(/^lint\//, "")));
    const rules = LINT_RULES.filter((r) => !disabled.has(r.name));
    if (rules.length === 0) return [];
    const env = lintEnv(ctx, options.now ?? new Date());
    return untouchedAsNotices(rules.flatMap((r): Finding[] => r.run(env)), ctx);
  };
}

/**
 * Findings on resources the pull request did not add or change are notices, as validation problems in untouched
 * files are: they predate the pull request, so they must not make every review "attention".
 */
function untouchedAsNotices(findings: Finding[], ctx: ReviewContext): Finding[] {
  const touched = new Set(ctx.changes.filter((c) => c.meaningChanged).flatMap((c) => [c.head, c.base]).filter((r) => r !== undefined).map((r) => describeResource(r)));
  return findings.map((f) => (f.severity === "warning" && f.resource !== undefined && !touched.has(f.resource) ? { ...f, severity: "notice" } : f));
}

export const checkLint: Check = (ctx) => lintCheck()(ctx);
