import type { FlowFormat } from "../flows/types.js";
import type { EndpointResolver } from "../impact/resolve.js";
import type { Diagnostic } from "../policy/index.js";
import { FlowObserver, type FlowTuple, type ObserveWindow } from "../recommend/index.js";
import { DEFAULT_MAX_SNAPSHOT_BYTES, NO_PROGRESS, type FlowFile, type FlowReader, type Progress } from "./flow-lines.js";
import { type ReadOutcome } from "./read-outcome.js";
import { ObserveSink } from "./replay-observe.js";
import { replayFile } from "./runner.js";
import type { ReplayLimits } from "./sink.js";

/**
 * A flow snapshot folded into its distinct tuples (source, destination, protocol, port, with their record counts),
 * for the promotion's transitional check: records stream past through the replay runner and are never kept, so
 * memory grows with the distinct tuples, not the records. Endpoints resolve once, independently of any policy set,
 * so the check can evaluate them in every intermediate state. FlowTuple is a TransitionalTuple as it stands.
 */
export interface CollectTuplesInput {
  files: readonly FlowFile[];
  reader: FlowReader;
  /** Resolves endpoints (against an inventory when there is one); its universe is the one to give the check. */
  resolver: EndpointResolver;
  limits?: Partial<ReplayLimits>;
  /** Undefined: detected per file. */
  format?: FlowFormat;
  window?: ObserveWindow;
  progress?: Progress;
}

export interface CollectedTuples {
  tuples: FlowTuple[];
  /** Records folded in. */
  records: number;
  /** Lines that could not be read (each a skipped record). */
  problems: Diagnostic[];
  /** Per file, how reading ended: a snapshot read in part must not pass for a whole one. */
  outcomes: Array<{ file: FlowFile; outcome: ReadOutcome }>;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export async function collectTuples(input: CollectTuplesInput): Promise<CollectedTuples> {
  const limits: ReplayLimits = { maxLineBytes: input.limits?.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, maxBytes: input.limits?.maxBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES };
  const observer = new FlowObserver(input.resolver, input.window);
  const sink = new ObserveSink((value, format, line) => observer.addValue(value, format, line), input.format, input.reader, limits);
  const outcomes: CollectedTuples["outcomes"] = [];
  for (const file of input.files) {
    // One thread: the observer's table is no part a worker could post back.
    const outcome = await replayFile(sink, file, { workers: 1, limits, reader: input.reader, progress: input.progress ?? NO_PROGRESS });
    outcomes.push({ file, outcome });
  }
  return { tuples: observer.tuples(), records: observer.stats.records, problems: sink.problems, outcomes };
}
