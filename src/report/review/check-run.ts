import type { Finding, Review } from "../../review/index.js";
import { reviewCounts, sortFindings, verdictText } from "./format.js";
import { renderReviewDetails, renderReviewSummary, type ReviewMarkdownOptions } from "./markdown.js";
import { truncateMarkdown } from "./split.js";

/**
 * The check run's `conclusion` and `output` (GitHub Checks API, "Create a check run" / "Update a check run").
 * Limits, from GitHub's REST reference as published in github/rest-api-description (quoted by the generated clients
 * openapi-github `ChecksCreateRequestOutput` and pub.dev `github` `CheckRunAnnotation`):
 * - `output.summary` and `output.text`: "Maximum length: 65535 characters." (counted as UTF-16 code units here,
 *   the conservative reading; see split.ts);
 * - `output.annotations`: "The Checks API limits the number of annotations to a maximum of 50 per API request. To
 *   create more than 50 annotations, you have to make multiple requests to the Update a check run endpoint";
 * - annotation `message` and `raw_details`: "The maximum size is 64 KB." (bytes: we cut at 65,536 UTF-8 bytes);
 * - annotation `start_column`/`end_column`: only when `start_line` equals `end_line`;
 * - titles: 255 characters (the annotation title limit the `github` client asserts; we apply it to the output title
 *   too, which GitHub shows on one line).
 * `action_required` is not used: it asks for a button (an `actions` entry) this output does not provide.
 */
export const CHECK_RUN_TEXT_LIMIT = 65535;
export const CHECK_RUN_TITLE_LIMIT = 255;
export const ANNOTATIONS_PER_REQUEST = 50;
export const ANNOTATION_FIELD_BYTES = 64 * 1024;

export type CheckRunConclusion = "failure" | "neutral" | "success";
export type AnnotationLevel = "failure" | "warning" | "notice";

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  /** Only when `start_line === end_line`. */
  start_column?: number;
  end_column?: number;
  annotation_level: AnnotationLevel;
  message: string;
  title: string;
  raw_details?: string;
}

export interface CheckRunOutput {
  conclusion: CheckRunConclusion;
  title: string;
  summary: string;
  /** Undefined when there is nothing beyond the summary. */
  text?: string;
  /** Every annotation; send them with `annotationBatches`. */
  annotations: CheckRunAnnotation[];
}

const LEVEL: Record<Finding["severity"], AnnotationLevel> = { error: "failure", warning: "warning", notice: "notice" };

/** failure on any error finding, neutral on warnings only, success otherwise (notices do not change it). */
export function checkRunConclusion(review: Review): CheckRunConclusion {
  const c = reviewCounts(review);
  return c.errors > 0 ? "failure" : c.warnings > 0 ? "neutral" : "success";
}

const TRUNCATED = "_The rest does not fit in GitHub's 65,535-character limit for a check run; the review's JSON output has all of it._";

export function checkRunOutput(review: Review, options: ReviewMarkdownOptions = {}): CheckRunOutput {
  const details = renderReviewDetails(review, options);
  return {
    conclusion: checkRunConclusion(review),
    title: truncateChars(verdictText(review), CHECK_RUN_TITLE_LIMIT),
    // The summary keeps its last block, the next step; the text has no tail to keep.
    summary: truncateMarkdown(renderReviewSummary(review, options), CHECK_RUN_TEXT_LIMIT, { note: TRUNCATED }),
    ...(details ? { text: truncateMarkdown(details, CHECK_RUN_TEXT_LIMIT, { note: TRUNCATED, keepTail: false }) } : {}),
    annotations: checkRunAnnotations(review.findings),
  };
}

/**
 * One annotation per finding, errors first. Findings located in the base revision are left out: their line numbers
 * are not lines of the head commit the check run belongs to (they are listed in the text instead).
 */
export function checkRunAnnotations(findings: readonly Finding[]): CheckRunAnnotation[] {
  return sortFindings(findings)
    .filter((f) => (f.revision ?? "head") === "head")
    .map((f) => {
      const start = Math.max(1, f.line);
      const end = Math.max(start, f.endLine ?? start);
      const a: CheckRunAnnotation = {
        path: f.file,
        start_line: start,
        end_line: end,
        annotation_level: LEVEL[f.severity],
        message: truncateBytes(f.approvers?.length ? `${f.message}\nApprovers: ${f.approvers.join(", ")}` : f.message, ANNOTATION_FIELD_BYTES),
        title: truncateChars(`${f.code}${f.resource ? ` in ${f.resource}` : ""}${f.path ? ` at ${f.path}` : ""}`, CHECK_RUN_TITLE_LIMIT),
      };
      if (start === end && f.col !== undefined && f.col >= 1) {
        a.start_column = f.col;
        a.end_column = f.col;
      }
      if (f.details && f.details.length > 0) a.raw_details = truncateBytes(f.details.join("\n"), ANNOTATION_FIELD_BYTES);
      return a;
    });
}

/** Consecutive batches of at most `size` (at most 50, GitHub's per-request limit), in order. */
export function annotationBatches<T>(annotations: readonly T[], size: number = ANNOTATIONS_PER_REQUEST): T[][] {
  if (!Number.isInteger(size) || size < 1 || size > ANNOTATIONS_PER_REQUEST) {
    throw new RangeError(`annotation batch size must be an integer from 1 to ${ANNOTATIONS_PER_REQUEST}, got ${size}`);
  }
  const out: T[][] = [];
  for (let i = 0; i < annotations.length; i += size) out.push(annotations.slice(i, i + size));
  return out;
}

/** At most `max` UTF-16 code units, ending in "…" when cut, never splitting a surrogate pair. */
export function truncateChars(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${s.slice(0, cut)}…`;
}

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** At most `max` UTF-8 bytes, ending in "…" (3 bytes) when cut, never inside a character. */
export function truncateBytes(s: string, max: number): string {
  let total = 0;
  for (const ch of s) total += utf8Length(ch.codePointAt(0)!);
  if (total <= max) return s;
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const n = utf8Length(ch.codePointAt(0)!);
    if (used + n > max - 3) break;
    used += n;
    end += ch.length;
  }
  return `${s.slice(0, end)}…`;
}
