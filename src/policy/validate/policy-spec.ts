import { joinPath } from "../../contracts/index.js";
import { closest } from "../schema.js";
import type { CalicoPolicySpec, Resource, Rule } from "../types.js";
import type { RuleSite, ValidationContext } from "./context.js";
import { hint, isCalicoPolicy, quote } from "./context.js";
import { checkRuleMetadata } from "./metadata.js";
import { checkRuleNets } from "./nets.js";
import { checkRule } from "./rule.js";
import { checkPolicySelectors, checkRuleSelectors } from "./selectors.js";
import { checkHttp, checkServices } from "./services-http.js";
import { isStagedDelete } from "./staged.js";

/**
 * Calico policy specs (NetworkPolicy, GlobalNetworkPolicy and their staged forms): types, rule counts, the
 * GNP-only preDNAT/doNotTrack/applyOnForward rules, performanceHints, then every rule through the rule modules
 * (calico-semantics §12 "Policy spec"; validator.go validate(Global)NetworkPolicySpec). A staged policy with
 * stagedAction Delete is checked only by the staged module, as Calico does. The rule-count limit is Calico 3.33's
 * (limits-333.ts).
 */
const PERFORMANCE_HINTS = ["AssumeNeededOnEveryNode"];

export function checkPolicySpec(resource: Resource, ctx: ValidationContext): void {
  if (!isCalicoPolicy(resource) || isStagedDelete(resource)) return;
  const spec = resource.spec;
  const global = resource.kind === "GlobalNetworkPolicy" || resource.kind === "StagedGlobalNetworkPolicy";
  checkTypes(spec.types, ctx);
  checkPolicySelectors(spec, ctx);
  checkPerformanceHints(spec.performanceHints, ctx);
  if (global) checkGlobalOnly(spec, ctx);
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (!rules) continue;
    const path = joinPath("spec", direction);
    rules.forEach((rule, i) => checkOneRule({ direction, path: joinPath(path, i), global }, rule, ctx));
  }
}

function checkOneRule(site: RuleSite, rule: Rule, ctx: ValidationContext): void {
  checkRule(site, rule, ctx);
  checkRuleNets(site, rule, ctx);
  for (const side of ["source", "destination"] as const) {
    const entity = rule[side];
    if (entity) checkRuleSelectors(site, side, entity, ctx);
  }
  checkServices(site, rule, ctx);
  checkHttp(site, rule, ctx);
  checkRuleMetadata(site, rule.metadata?.annotations, ctx);
}

function checkTypes(types: string[] | undefined, ctx: ValidationContext): void {
  types?.forEach((type, i) => {
    if (types.indexOf(type) === i) return;
    ctx.report("policy/duplicate-type", joinPath("spec.types", i), `type ${quote(type)} is listed twice; remove the repeat`);
  });
}

function checkPerformanceHints(hints: string[] | undefined, ctx: ValidationContext): void {
  hints?.forEach((h, i) => {
    const path = joinPath("spec.performanceHints", i);
    if (!PERFORMANCE_HINTS.includes(h)) {
      ctx.report("policy/performance-hint", path,
        `performance hint ${quote(h)} is not known: the only hint is AssumeNeededOnEveryNode${hint(closest(h, PERFORMANCE_HINTS))}`);
    } else if (hints.indexOf(h) !== i) {
      ctx.report("policy/duplicate-performance-hint", path, `performance hint ${quote(h)} is listed twice; remove the repeat`);
    }
  });
}

/** preDNAT and doNotTrack policies run before connection tracking or DNAT on host endpoints (GNP only). */
function checkGlobalOnly(spec: CalicoPolicySpec, ctx: ValidationContext): void {
  if (spec.preDNAT && spec.doNotTrack) {
    ctx.report("policy/prednat-and-donottrack", "spec.preDNAT",
      "preDNAT and doNotTrack cannot both be true: they act at different stages of packet processing; keep one");
  }
  if (spec.preDNAT && spec.egress && spec.egress.length > 0) {
    ctx.report("policy/prednat-egress-rules", "spec.egress",
      "a preDNAT policy may have only ingress rules (it applies to traffic arriving at host endpoints); " +
        "move the egress rules to another policy", { at: "key" });
  }
  const egressType = spec.types?.indexOf("Egress") ?? -1;
  if (spec.preDNAT && egressType !== -1) {
    ctx.report("policy/prednat-egress-type", joinPath("spec.types", egressType),
      "a preDNAT policy cannot have type Egress; remove Egress from types");
  }
  if ((spec.preDNAT || spec.doNotTrack) && !spec.applyOnForward) {
    const trigger = spec.preDNAT ? "preDNAT" : "doNotTrack";
    // Point at applyOnForward when it is written (as false), else at the field that needs it.
    ctx.report("policy/apply-on-forward", spec.applyOnForward === undefined ? `spec.${trigger}` : "spec.applyOnForward",
      `a ${trigger} policy must also set applyOnForward: true, since it sees forwarded traffic too; ` +
        "set applyOnForward: true");
  }
}
