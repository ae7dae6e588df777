/**
 * The run layer: pipelines that compose the core for a command — the review, the one replay runner (worker
 * threads, byte ranges, progress, merging) — and the ports the adapters implement for them (FlowReader: flow
 * files' lines; RevisionSource: a repository's revisions).
 *
 * May import the core (selector, policy, engine, flows, impact, review, report); never an adapter (io, cli,
 * github, controller, agent), `node:fs` or `node:child_process`. The runner starts worker threads itself (thread
 * plumbing is no file I/O), but the worker's script is the adapter's: it is named through the FlowReader port,
 * so that the bytes a worker reads come from the same reader as the main thread's.
 */
export { DEFAULT_MAX_SNAPSHOT_BYTES, NO_PROGRESS, type FlowFile, type FlowReader, type Line, type LineEvent, type Progress, type ReadLinesOptions } from "./flow-lines.js";
export { cutOffAt, describeStop, mergeOutcomes, stopAt, type ReadOutcome, type ReadStop } from "./read-outcome.js";
export { AUTO_MIN_BYTES, replayFile, startReplay, withReplayThreads, type ReplayLimits, type ReplaySink, type ReplayThreads, type SinkSpec } from "./runner.js";
export { buildReplayer, SimulateSink, type RecordHooks, type ReplayJob, type ReplayTotals, type SimulateSinkSpec } from "./replay-simulate.js";
export { ImpactSink, type ImpactSinkSpec } from "./replay-impact.js";
export { ObserveSink, type ObserveValue } from "./replay-observe.js";
export { replayImpact, runReviewPipeline, type PipelineInput, type PipelineRevision } from "./review.js";
export { runWorkerJob } from "./worker-job.js";
export { collectTuples, type CollectedTuples, type CollectTuplesInput } from "./tuples.js";
export * from "./promotion.js";
export { prepareTransitionalCheck, type PreparedTransitionalCheck, type TransitionalCheckInput } from "./transitional.js";
export { boardHits, boardPods, changeBoard, headBoard, type BoardHits, type BoardRunOptions, type ChangeBoardInput, type HeadBoardInput } from "./board.js";
export { DEFAULT_RECOMMEND_TIMES, runRecommendation, type RecommendRun, type RecommendRunInput, type RecommendTimes } from "./recommend.js";
