/**
 * Rendering of a `Review` (src/review/types.ts) for every place it is read: the pull-request comment (markdown.ts,
 * split into parts GitHub accepts by split.ts), the check run (check-run.ts), code scanning (sarif.ts), machines
 * (json.ts) and terminals (text.ts). Pure functions from the review model to strings and plain objects: no I/O, no
 * GitHub client; this folder imports only the review, impact and policy models (see test/architecture.test.ts).
 */
export { REVIEW_MARKER, isTierguardComment, reviewCommentPart, renderReviewComment, renderReviewCommentParts, renderReviewSummary, renderReviewDetails, type ReviewMarkdownOptions } from "./markdown.js";
export { GITHUB_COMMENT_LIMIT, MIN_SPLIT_LIMIT, splitComment, truncateMarkdown, partMarker, type TruncateOptions } from "./split.js";
export {
  ANNOTATIONS_PER_REQUEST,
  ANNOTATION_FIELD_BYTES,
  CHECK_RUN_TEXT_LIMIT,
  CHECK_RUN_TITLE_LIMIT,
  annotationBatches,
  checkRunAnnotations,
  checkRunConclusion,
  checkRunOutput,
  type AnnotationLevel,
  type CheckRunAnnotation,
  type CheckRunConclusion,
  type CheckRunOutput,
} from "./check-run.js";
export { SARIF_MAX_RESULTS, SARIF_SCHEMA, TIERGUARD_URI, renderReviewSarif, reviewSarif, type SarifOptions } from "./sarif.js";
export { renderReviewJson, reviewJson, type FindingJson, type ImpactJson, type ReviewJson } from "./json.js";
export { renderReviewText, summaryLine, type ReviewTextOptions } from "./text.js";
export { ACK_IMPACT_COMMAND, nextStep, nextStepMarkdown, nextStepText, type NextStep } from "./next-step.js";
export { findingArea, reviewCounts, reviewVerdict, verdictText, type ReviewCounts, type ReviewVerdict } from "./format.js";
export { DEFAULT_MAX_GRAPH_EDGES, serviceEdges, serviceGraph, type ServiceEdge } from "./mermaid.js";
export { DEFAULT_MAX_FLOW_ROWS, FOLD_LINES } from "./sections.js";
export { md, html, codeSpan, mermaidText, safeUrl } from "./escape.js";
