import type { Review } from "../../review/index.js";
import { connectivitySections } from "./connectivity.js";
import { nextStep, nextStepMarkdown } from "./next-step.js";
import {
  boardLine,
  changesSection,
  findingSections,
  impactSections,
  notesSection,
  summaryTable,
  unresolvedSection,
  verdictSection,
  zeroHitSection,
  type ReviewMarkdownOptions,
} from "./sections.js";
import { GITHUB_COMMENT_LIMIT, splitComment } from "./split.js";

export type { ReviewMarkdownOptions } from "./sections.js";

/**
 * The pull-request comment (STYLE.md habits 9 and 10): one comment per pull request, found again by a hidden marker
 * and updated in place. It reads top-down from the verdict to the exact next step: verdict line, summary table,
 * the traffic the change would break and let through, the service graph, staged changes, findings by area, changed
 * resources, policies no flow hit, unresolved and uncertain counts, notes, next step. Pure: returns strings.
 */
export const REVIEW_MARKER = "<!-- tierguard:review -->";

const MARKER_LINE = /^<!-- tierguard:review(?: part (\d+) of (\d+))? -->[ \t]*(?:\r?\n|$)/;

/**
 * Whether a comment body is (a part of) tierguard's review comment: its first line is the marker. Anyone can type
 * the marker, so the adapter must also check that the comment's author is tierguard's own bot account.
 */
export function isTierguardComment(body: string): boolean {
  return MARKER_LINE.test(body);
}

/**
 * Which part a tierguard comment is: `{ part: 1, of: 1 }` for an unsplit comment, `{ part: 1, of: n }` for the first
 * of n (splitComment ends it with `<!-- tierguard:review part 1 of n -->`); undefined for other comments.
 */
export function reviewCommentPart(body: string): { part: number; of: number } | undefined {
  const m = MARKER_LINE.exec(body);
  if (!m) return undefined;
  if (m[1]) return { part: Number(m[1]), of: Number(m[2]) };
  const count = /<!-- tierguard:review part 1 of (\d+) -->\s*$/.exec(body);
  return { part: 1, of: count ? Number(count[1]) : 1 };
}

function join(sections: ReadonlyArray<readonly string[]>): string {
  return sections
    .filter((s) => s.length > 0)
    .map((s) => s.join("\n"))
    .join("\n\n");
}

function tail(review: Review): string[] {
  return ["---", nextStepMarkdown(nextStep(review))];
}

/** The whole comment, marker first and next step last; may exceed GitHub's limit (see `renderReviewCommentParts`). */
export function renderReviewComment(review: Review, options: ReviewMarkdownOptions = {}): string {
  return (
    join([
      [REVIEW_MARKER, ...verdictSection(review), ...boardLine(options)],
      summaryTable(review),
      ...impactSections(review, options),
      ...connectivitySections(review, options),
      ...findingSections(review, options),
      changesSection(review, options),
      zeroHitSection(review),
      unresolvedSection(review),
      notesSection(review),
      tail(review),
    ]) + "\n"
  );
}

/** The comment split into parts GitHub accepts; a single part when it fits. */
export function renderReviewCommentParts(review: Review, options: ReviewMarkdownOptions = {}, limit = GITHUB_COMMENT_LIMIT): string[] {
  return splitComment(renderReviewComment(review, options), limit);
}

/** What a check run shows first (its summary): verdict, summary table, traffic changes, next step. No marker. */
export function renderReviewSummary(review: Review, options: ReviewMarkdownOptions = {}): string {
  return join([verdictSection(review), summaryTable(review), ...impactSections(review, options), ...connectivitySections(review, options), tail(review)]) + "\n";
}

/** The rest, for a check run's text: findings by area, changed resources, zero-hit policies, counts, notes. */
export function renderReviewDetails(review: Review, options: ReviewMarkdownOptions = {}): string {
  const body = join([...findingSections(review, options), changesSection(review, options), zeroHitSection(review), unresolvedSection(review), notesSection(review)]);
  return body === "" ? "" : body + "\n";
}
