import { joinPath } from "../../contracts/index.js";
import type { CalicoPolicySpec, EntityRule } from "../types.js";
import { SelectorError } from "../../selector/index.js";
import type { RuleSite, ValidationContext } from "./context.js";
import { sidePath } from "./context.js";

/**
 * Calico selectors: they must parse (an error points inside the string, at the offset the parser reports) and use
 * global() only as the whole of a rule's namespaceSelector (calico-semantics §1.5, §12 "Policy spec"; validator.go
 * validateSelector, validateEntityRule, and the CEL `contains('global(')` checks). The 1024-character limit is
 * Calico 3.33's (limits-333.ts).
 */

/**
 * Where a selector sits decides its global() rule: rejected in policy selectors and a rule's `selector`, allowed
 * alone in a rule's namespaceSelector, and not checked by Calico elsewhere (notSelector, serviceAccounts.selector).
 */
type Placement = "policy" | "rule-selector" | "rule-namespace" | "rule-other";

export function checkPolicySelectors(spec: CalicoPolicySpec, ctx: ValidationContext): void {
  checkSelector(spec.selector, "spec.selector", "policy", ctx);
  checkSelector(spec.serviceAccountSelector, "spec.serviceAccountSelector", "policy", ctx);
  checkSelector(spec.namespaceSelector, "spec.namespaceSelector", "policy", ctx);
}

export function checkRuleSelectors(site: RuleSite, side: "source" | "destination", entity: EntityRule, ctx: ValidationContext): void {
  checkSelector(entity.selector, sidePath(site, side, "selector"), "rule-selector", ctx);
  checkSelector(entity.notSelector, sidePath(site, side, "notSelector"), "rule-other", ctx);
  checkSelector(entity.namespaceSelector, sidePath(site, side, "namespaceSelector"), "rule-namespace", ctx);
  checkSelector(entity.serviceAccounts?.selector, joinPath(sidePath(site, side, "serviceAccounts"), "selector"),
    "rule-other", ctx);
}

function checkSelector(
  text: string | undefined,
  path: string,
  placement: Placement,
  ctx: ValidationContext,
): void {
  if (text === undefined) return;
  const parsed = parses(text, path, ctx);
  checkGlobal(text, path, placement, parsed, ctx);
}

function parses(text: string, path: string, ctx: ValidationContext): boolean {
  try {
    ctx.selectors.parse(text);
    return true;
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
    ctx.report(e.code, path, `selector does not parse (${e.code}): ${e.message}`, { at: { offset: e.offset } });
    return false;
  }
}

/** `global(` anywhere but a rule namespaceSelector is rejected; there it must be the whole selector. */
function checkGlobal(text: string, path: string, placement: Placement, parsed: boolean, ctx: ValidationContext): void {
  const at = text.indexOf("global(");
  if (at === -1 || placement === "rule-other") return;
  if (placement !== "rule-namespace") {
    ctx.report("selector/global-not-allowed", path,
      "global() may appear only as the whole namespaceSelector of a rule's source or destination; " +
        "remove it here (to match global network sets and host endpoints, put namespaceSelector: global() on the rule)",
      { at: { offset: at } });
    return;
  }
  if (!parsed || /^[ \t]*global\([ \t]*\)[ \t]*$/.test(text)) return;
  ctx.report("selector/global-combined", path,
    "global() cannot be combined with other selector terms; use namespaceSelector: global() alone and put the " +
      "other conditions in the rule's selector", { at: { offset: at } });
}
