/**
 * Pure rendering: the review as a PR comment, check run, SARIF, JSON or terminal text (review/), validation
 * diagnostics, simulate output and explain traces. Core: imports review, impact, engine, flows, policy, selector and
 * src/contracts; strings and plain objects out, no I/O, no GitHub client, never run or an adapter.
 */
// `summaryLine` is the review's (review/); the validation summary line is exported as `diagnosticsSummaryLine`.
export { countDiagnostics, plural, renderDiagnosticsText, summaryLine as diagnosticsSummaryLine, type DiagnosticCounts } from "./diagnostics.js";
export * from "./explain.js";
export * from "./simulate.js";
export * from "./review/index.js";
