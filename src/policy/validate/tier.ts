import { closest } from "../schema.js";
import type { Resource, TierResource } from "../types.js";
import { builtinTiers } from "../version.js";
import type { ValidationContext } from "./context.js";
import { hint, quote } from "./context.js";

/**
 * Tier spec: defaultAction is Deny or Pass, and the built-in tiers of the chosen version keep their fixed order
 * and default action (calico-semantics §9, §12 "Tier"; validator.go validateTier and the CEL rules on Tier).
 * Calico 3.31 checked only the order of built-in tiers; 3.32 also checks their default action, so under 3.31 a
 * changed default action is a warning.
 */
const TIER_ACTIONS = ["Deny", "Pass"];

export function checkTier(resource: Resource, ctx: ValidationContext): void {
  if (resource.kind !== "Tier") return;
  const action = resource.spec.defaultAction;
  if (action !== undefined && !TIER_ACTIONS.includes(action)) {
    const guess = closest(action, TIER_ACTIONS);
    const caseOnly = guess !== undefined && guess.toLowerCase() === action.toLowerCase();
    ctx.report(caseOnly ? "tier/default-action-case" : "tier/default-action", "spec.defaultAction",
      caseOnly
        ? `defaultAction ${quote(action)} is not valid: values are case-sensitive; write ${quote(guess)}`
        : `defaultAction ${quote(action)} is not valid: use Deny or Pass${hint(guess)}`);
  }
  checkBuiltin(resource, ctx);
}

function checkBuiltin(tier: TierResource, ctx: ValidationContext): void {
  const builtin = builtinTiers(ctx.version).find((t) => t.name === tier.metadata.name);
  if (!builtin) return;
  const { order, defaultAction } = tier.spec;
  const version = `Calico ${ctx.version.text}`;
  // A tier the operator owns is accepted by the API and then reset by the operator: a warning, not an error.
  const byOperator = builtin.fixedBy === "operator";
  const owner = byOperator ? " (the Tigera Operator creates it and resets any change)" : "";
  if (order !== builtin.order) {
    ctx.report("tier/builtin-order", order === undefined ? "spec" : "spec.order",
      `${quote(builtin.name)} is a built-in tier in ${version}${owner} and its order is fixed at ${builtin.order}; ` +
        `${order === undefined ? "add" : "set"} order: ${builtin.order}`,
      { at: order === undefined ? "key" : "value", severity: byOperator ? "warning" : "error" });
  }
  const effective = defaultAction ?? "Deny";
  if (TIER_ACTIONS.includes(effective) && effective !== builtin.defaultAction) {
    const advisory = ctx.version.model === "v3.31" || byOperator;
    ctx.report("tier/builtin-default-action", defaultAction === undefined ? "spec" : "spec.defaultAction",
      `${quote(builtin.name)} is a built-in tier in ${version}${owner} and its default action must be ${builtin.defaultAction}` +
        `${defaultAction === undefined ? " (an absent defaultAction means Deny)" : ""}; ` +
        `set defaultAction: ${builtin.defaultAction}` +
        (advisory && !byOperator ? " (Calico 3.31 does not check this, but 3.32 and later reject it)" : ""),
      { severity: advisory ? "warning" : "error", at: defaultAction === undefined ? "key" : "value" });
  }
}
