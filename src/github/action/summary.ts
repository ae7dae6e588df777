import { REVIEW_MARKER, renderReviewComment, truncateMarkdown, type ReviewMarkdownOptions } from "../../report/index.js";
import type { Review } from "../../review/index.js";

/**
 * The job summary: what the Action itself wants the reader to know (a skipped comment, flows taken from the
 * workspace) above the review exactly as the pull-request comment shows it, without the comment's hidden marker.
 * GitHub refuses a step summary over 1 MiB, so a longer report is cut, keeping its next step.
 */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

const TRUNCATED = "_The report was cut to fit the job summary's 1 MiB limit; the SARIF file and the pull-request comment hold every finding._";

export function jobSummary(review: Review, notes: readonly string[], options: ReviewMarkdownOptions, limitBytes = STEP_SUMMARY_LIMIT_BYTES): string {
  const body = renderReviewComment(review, options).replace(`${REVIEW_MARKER}\n`, "");
  const head = notes.length > 0 ? notes.map((n) => `> **tierguard Action:** ${n}`).join("\n>\n") + "\n\n" : "";
  const text = head + body;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= limitBytes) return text;
  // Characters to keep, scaled by this text's bytes per character, with room for the note.
  const chars = Math.floor(((limitBytes - Buffer.byteLength(head + TRUNCATED, "utf8")) * body.length) / Buffer.byteLength(body, "utf8") * 0.98);
  return head + truncateMarkdown(body, chars, { note: TRUNCATED });
}

/** Links a finding's file and line to the revision it refers to, as GitHub shows a blob. */
export function blobLink(serverUrl: string, repo: { owner: string; repo: string }, commits: { base: string; head: string }) {
  return (file: string, line: number, revision?: "base" | "head"): string => {
    const sha = revision === "base" ? commits.base : commits.head;
    const path = file.split("/").map(encodeURIComponent).join("/");
    return `${serverUrl}/${repo.owner}/${repo.repo}/blob/${sha}/${path}#L${line}`;
  };
}
