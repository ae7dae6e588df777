import type { Check, ReviewContext } from "./context.js";
import { checkGuardrails } from "./guardrails/index.js";
import { checkLint } from "./lint/index.js";
import { checkPolicyTests, testTiers } from "./policy-tests/index.js";

/**
 * The review's semantic checks, in the order they run after validation and ownership (see buildReview): the one
 * list, as LINT_RULES is lint's. A new check is a `(ctx) => Finding[]` added here.
 */
export const REVIEW_CHECKS: readonly Check[] = [checkGuardrails, checkPolicyTests, checkLint];

/** The tiers a changed test file's assertions are about, for the ownership of test changes. */
export function reviewTestTiers(file: string, ctx: ReviewContext): Set<string> {
  return testTiers(file, ctx);
}
