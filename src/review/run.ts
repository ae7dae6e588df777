import type { ImpactReport } from "../impact/index.js";
import type { Diagnostic } from "../contracts/index.js";
import type { Check, ReviewContext } from "./context.js";
import { connectivityFindings } from "./connectivity/findings.js";
import type { ConnectivityReport } from "./connectivity/types.js";
import { impactFindings } from "./impact-findings.js";
import { checkOwnership, tierOwnerApproval, type Principal } from "./ownership.js";
import { compareFindings, type Finding, type RevisionInfo, type Review } from "./types.js";

/**
 * One review from its inputs: the checks run in a fixed order (validation, configuration, ownership, then the
 * semantic checks, then impact), each reporting every finding it has. Pure: the caller read git and the snapshot.
 */
export interface ReviewInputs {
  ctx: ReviewContext;
  base: RevisionInfo;
  head: RevisionInfo;
  author: Principal;
  approvals: readonly Principal[];
  configSource: "base" | "default";
  /** Problems in the base revision's tierguard.yaml. */
  configFindings: readonly Finding[];
  configChanged: boolean;
  /** Validation diagnostics of the head revision's policy files. */
  headDiagnostics: readonly Diagnostic[];
  /** Head files whose content equals the base revision's: their problems predate the pull request. */
  unchangedFiles: ReadonlySet<string>;
  /** Guard rails, policy tests, lint: each `(ctx) => Finding[]`. */
  checks: readonly Check[];
  /** The tiers a test file's assertions are about (for ownership of test changes). */
  testTiers?: (file: string, ctx: ReviewContext, revision: "base" | "head") => Set<string>;
  impact?: ImpactReport;
  /** The connectivity diff between the revisions (src/review/connectivity). */
  connectivity?: ConnectivityReport;
  /** Who acknowledged the newly denied flows. */
  acknowledgedBy?: string;
  extraFindings?: readonly Finding[];
  notes?: readonly string[];
}

export function buildReview(inputs: ReviewInputs): Review {
  const { ctx } = inputs;
  // tierguard.yaml problems are validation findings (`validation/config/...`): the review's codes have six prefixes.
  const configFindings = inputs.configFindings.map((f) => ({ ...f, code: `validation/${f.code}` }));
  const findings: Finding[] = [...validationFindings(inputs.headDiagnostics, inputs.unchangedFiles), ...configFindings, ...(inputs.extraFindings ?? [])];
  const tests = changedTests(ctx, inputs.testTiers);
  findings.push(...checkOwnership(ctx, { author: inputs.author, approvals: inputs.approvals, configChanged: inputs.configChanged, changedTests: tests }));
  for (const check of inputs.checks) findings.push(...approvedBaseTests(check(ctx), ctx, tests, inputs));
  if (inputs.impact) findings.push(...impactFindings(inputs.impact, ctx, { acknowledgedBy: inputs.acknowledgedBy, maxListed: ctx.config.impact.maxListed }));
  if (inputs.connectivity) findings.push(...connectivityFindings(inputs.connectivity, ctx));
  const notes = [...(inputs.notes ?? [])];
  if (inputs.configSource === "default") notes.push("The base revision has no tierguard.yaml: reviewed with the defaults, and tier ownership is not enforced.");
  if (!inputs.impact) notes.push("No flow snapshot: the impact on production traffic was not replayed (set `flows` in tierguard.yaml, or pass --flows).");
  return {
    base: inputs.base,
    head: inputs.head,
    author: inputs.author.login,
    configSource: inputs.configSource,
    changes: ctx.changes,
    findings: findings.sort(compareFindings),
    impact: inputs.impact,
    ...(inputs.connectivity ? { connectivity: inputs.connectivity } : {}),
    notes,
    ...(inputs.acknowledgedBy ? { impactAcknowledged: { by: inputs.acknowledgedBy } } : {}),
  };
}

/** Head-revision validation problems; those in files the pull request did not touch are notices, not its errors. */
function validationFindings(diagnostics: readonly Diagnostic[], unchanged: ReadonlySet<string>): Finding[] {
  return diagnostics.map((d) => {
    const old = unchanged.has(d.file);
    return {
      code: `validation/${d.code}`,
      severity: old && d.severity !== "notice" ? "notice" : d.severity,
      message: old ? `(already in the base revision) ${d.message}` : d.message,
      file: d.file,
      line: d.line,
      col: d.col,
      path: d.path || undefined,
      resource: d.resource,
    };
  });
}

/**
 * A base-version test the pull request changed or deleted, failing against its policies, stops blocking when the
 * test file's owners (the owners of every tier its assertions are decided by, as ownership of test changes counts
 * them) approved the change, or the author is one of them: the change to the test is then theirs. It stays in the
 * review as a notice naming who approved.
 */
function approvedBaseTests(findings: Finding[], ctx: ReviewContext, tests: ReturnType<typeof changedTests>, inputs: Pick<ReviewInputs, "author" | "approvals">): Finding[] {
  return findings.map((f) => {
    if (f.code !== "test/failed-base-version" || f.severity === "notice") return f;
    const tiers = [...(tests.find((t) => t.file === f.file)?.tiers ?? [])];
    const by = tiers.map((tier) => tierOwnerApproval(ctx.config, inputs.author, inputs.approvals, tier));
    if (tiers.length === 0 || by.some((b) => b === undefined)) return f;
    const who = tiers.map((tier, i) => `${by[i]} for tier ${tier}`).join(", ");
    return { ...f, severity: "notice", message: `${f.message} Approved by the owners of the test (${who}): it does not block the change.` };
  });
}

function changedTests(ctx: ReviewContext, testTiers: ReviewInputs["testTiers"]): Array<{ file: string; tiers: ReadonlySet<string>; revision: "base" | "head" }> {
  if (!testTiers) return [];
  const head = new Map(ctx.head.testFiles.map((f) => [f.file, f.text]));
  const out: Array<{ file: string; tiers: ReadonlySet<string>; revision: "base" | "head" }> = [];
  for (const f of ctx.base.testFiles) {
    const now = head.get(f.file);
    if (now === f.text) continue; // unchanged
    out.push({ file: f.file, tiers: testTiers(f.file, ctx, "base"), revision: now === undefined ? "base" : "head" });
  }
  return out;
}

