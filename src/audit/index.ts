/**
 * The audit log: who changed which policy, tier or tierguard.yaml, when, through which pull request, and what the
 * change meant. Pure: git history and blob texts come from src/io/history.ts. Imports policy, selector and review
 * (the review's identity-based diff and canonical form); never the engine, flows or any adapter.
 */
export { buildAuditLog, blobsNeeded, matchesPolicy, type AuditOptions, type BlobTexts } from "./log.js";
export { describeMeaningChange, describeValueChange, ruleWords } from "./meaning.js";
export { prNumberFromTitle, pullRequestsOf } from "./pull-requests.js";
export { joinPromotions, parsePromotions, promotionRecord, type PromotionProblem } from "./promotions.js";
export { parsePromotionEvents, promotionEventFields, PROMOTION_EVENT, type EventProblem } from "./events.js";
export { renderAuditJson, renderAuditMarkdown, renderAuditText } from "./render.js";
export type { AuditChange, AuditEntry, FileChange, HistoryCommit, PromotionRecord } from "./types.js";
