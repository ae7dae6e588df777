/**
 * The impact model: replay flow records through the base and head policy sets and compare the verdicts, aggregated
 * by workload pair, port and protocol. Core: imports engine, flows, policy and selector (and src/contracts); does no
 * I/O (callers stream the records in) and never imports review, report, run or an adapter.
 */
export * from "./types.js";
export * from "./cache.js";
export * from "./compare.js";
export * from "./endpoint-spec.js";
export * from "./fast-line.js";
export * from "./raw-endpoints.js";
export * from "./replay.js";
export * from "./resolve.js";
export * from "./revisions.js";
export * from "./select.js";
export * from "./summary.js";
