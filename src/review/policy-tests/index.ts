import type { PolicySet } from "../../engine/index.js";
import type { Check, ReviewContext, TextFile } from "../context.js";
import type { Finding } from "../types.js";
import { describeSpec, parseTestFile, TEST_FILE, type PolicyTest } from "./format.js";
import { decidingHits, runTest, type PairResult, type TestEnv, type TestResult } from "./run.js";
import { connectionText, describeHit, pairDetails } from "./trace.js";

/**
 * The repository's own policy tests (expected allow/deny between workloads), run on the HEAD policies through the
 * engine. A pull request cannot silence a test it does not own: the BASE version of every test file it changed or
 * deleted runs against the head policies as well. Imports policy, engine and impact only; no I/O.
 */
export { parseTestFile, TEST_FILE, type PolicyTest, type EndpointSpec, type ParsedTestFile } from "./format.js";
export { runTest, decidingHits, type TestResult, type PairResult, type TestEnv } from "./run.js";

/** Failing connections whose full trace is shown; the rest are listed by name. */
const TRACED_FAILURES = 3;
const LISTED_FAILURES = 10;

export const checkPolicyTests: Check = (ctx) => {
  const findings: Finding[] = [];
  const env = envOf(ctx, "head");
  const head = ctx.head.testFiles.filter((f) => TEST_FILE.test(f.file)).map(parseTestFile);
  for (const parsed of head) {
    findings.push(...parsed.findings);
    for (const test of parsed.tests) findings.push(...headFindings(runTest(test, env), env.set));
  }

  const headText = new Map(ctx.head.testFiles.map((f) => [f.file, f.text]));
  const stillAsserted = new Set(head.flatMap((p) => p.tests.map((t) => t.key)));
  for (const f of ctx.base.testFiles) {
    if (!TEST_FILE.test(f.file) || headText.get(f.file) === f.text) continue;
    const how = headText.has(f.file) ? "changes" : "deletes";
    for (const test of parseTestFile(f).tests) {
      if (stillAsserted.has(test.key)) continue; // the same assertion runs from the head files
      const r = runTest(test, env);
      if (r.status === "fail") findings.push(baseFinding(r, how, env.set));
    }
  }
  return findings;
};

/**
 * The tiers a test file belongs to: those whose policies decide its assertions, from the deciding hits of each
 * test's evaluation against the BASE policies (a profile verdict belongs to no tier). A path is looked up in the
 * base revision's test files, else the head's; a TextFile is evaluated as given.
 */
export function testTiers(file: string | TextFile, ctx: ReviewContext): Set<string> {
  const f = typeof file !== "string" ? file : ctx.base.testFiles.find((x) => x.file === file) ?? ctx.head.testFiles.find((x) => x.file === file);
  const tiers = new Set<string>();
  if (!f) return tiers;
  const env = envOf(ctx, "base");
  for (const test of parseTestFile(f).tests) {
    for (const pair of runTest(test, env).pairs) {
      for (const { hit } of decidingHits(pair.evaluation)) {
        if (hit.type === "rule") tiers.add(hit.policy.tier);
        else if (hit.type === "end-of-tier") tiers.add(hit.tier);
      }
    }
  }
  return tiers;
}

function envOf(ctx: ReviewContext, revision: "base" | "head"): TestEnv {
  return { set: ctx[revision].set, universe: ctx.universe, inventory: ctx.inventory, workloads: ctx.workloads };
}

function at(test: PolicyTest): Pick<Finding, "file" | "line" | "path"> {
  return { file: test.file, line: test.line, path: test.path };
}

function headFindings(r: TestResult, set: PolicySet): Finding[] {
  const { test } = r;
  const name = `Policy test "${test.name}"`;
  const out: Finding[] = [];
  switch (r.status) {
    case "unresolved":
      out.push({ code: "test/unresolved-endpoint", severity: "error", ...at(test),
        message: `${name} cannot run: ${r.reason}. Fix the endpoint: a pod is named NAMESPACE/NAME as in the inventory (or by a prefix its replicas share, such as its Deployment's name), or described by namespace and labels.` });
      break;
    case "empty":
      out.push({ code: "test/no-workloads", severity: "warning", ...at(test),
        message: `${name} checks nothing: ${r.reason}. Fix the selector, or describe the endpoint by namespace and labels so that the test runs on a hypothetical pod.` });
      break;
    case "fail":
      out.push({ code: "test/failed", severity: "error", ...at(test),
        message: `${name} fails: ${failureSummary(r, set)}. Fix the policies; if the new behaviour is intended, change the test in this pull request (its owners must approve).`,
        details: failureDetails(r, set) });
      break;
    case "pass": {
      const uncertain = [...new Set(r.pairs.flatMap((p) => p.evaluation.uncertain))];
      if (uncertain.length > 0) {
        out.push({ code: "test/uncertain", severity: "notice", ...at(test),
          message: `${name} passes, but the verdict depends on facts the inputs do not give (${uncertain[0]}). Name the pod with pod: NAMESPACE/NAME, or give its labels, service account and an inventory, so that the test decides.`,
          details: uncertain });
      }
    }
  }
  if (r.truncatedFrom !== undefined) {
    out.push({ code: "test/truncated", severity: "warning", ...at(test),
      message: `${name} expands to ${r.truncatedFrom} connections; only the first ${r.pairs.length} were evaluated. Narrow its selectors or split it.` });
  }
  return out;
}

function baseFinding(r: TestResult, how: "changes" | "deletes", set: PolicySet): Finding {
  const { test } = r;
  return {
    code: "test/failed-base-version",
    severity: "error",
    ...at(test),
    revision: "base",
    message:
      `The base version of policy test "${test.name}" fails against this pull request's policies: ${failureSummary(r, set)}. ` +
      `This pull request ${how} ${test.file}, but a pull request cannot silence a test it does not own, so the base version still runs. ` +
      `Fix the policies, or have the owners of the test (the owners of the tiers that decide its assertions) approve this pull request: their approval turns this into a notice.`,
    details: failureDetails(r, set),
  };
}

/** "it expects ALLOW for A -> B, TCP port 7070, and the head policies DENY it (ingress at ...: end of tier ...)". */
function failureSummary(r: TestResult, set: PolicySet): string {
  const { test } = r;
  const first = r.failures[0];
  const got = first.evaluation.verdict.toUpperCase();
  const why = decidingHits(first.evaluation)
    .map(({ direction, hit }) => `${direction === "egress" ? "egress at the source" : "ingress at the destination"}: ${describeHit(hit, set, direction)}`)
    .join("; ");
  if (r.pairs.length === 1) {
    return `it expects ${test.expect.toUpperCase()} for ${connectionText(test, first)}, and the head policies ${got} it (${why})`;
  }
  const port = test.port !== undefined ? ` port ${test.port}` : "";
  return (
    `it expects ${test.expect.toUpperCase()} from ${describeSpec(test.from)} to ${describeSpec(test.to)}${port}, and ` +
    `${r.failures.length} of ${r.pairs.length} connections get the opposite; the first, ${connectionText(test, first)}, is ${got} (${why})`
  );
}

function failureDetails(r: TestResult, set: PolicySet): string[] {
  const lines = r.failures.slice(0, TRACED_FAILURES).flatMap((p: PairResult) => pairDetails(r.test, p, set));
  const rest = r.failures.slice(TRACED_FAILURES);
  if (rest.length > 0) {
    lines.push(`${rest.length} more failing connection${rest.length === 1 ? "" : "s"}:`);
    for (const p of rest.slice(0, LISTED_FAILURES)) lines.push(`  ${connectionText(r.test, p)}: ${p.evaluation.verdict.toUpperCase()}`);
    if (rest.length > LISTED_FAILURES) lines.push(`  ... and ${rest.length - LISTED_FAILURES} more`);
  }
  return lines;
}
