import type { FlowFile } from "./flow-lines.js";
import type { ReadOutcome } from "./read-outcome.js";

/**
 * The contract between the replay runner (runner.ts) and what it replays into (replay-simulate, replay-impact,
 * replay-observe): a file of its own so the sinks and the runner import it, and not each other.
 */
export interface ReplayLimits {
  maxLineBytes: number;
  /** Most bytes of (decompressed) text read from one file. */
  maxBytes: number;
}

/** How reading a range (or the whole file) ended, and the lines it saw (for renumbering the next range). */
export interface RangeRead {
  lines: number;
  outcome: ReadOutcome;
}

/** What a replay adds up, built alike in this thread and (from a SinkSpec) in a worker's. */
export interface ReplaySink<Part> {
  /** Replays [range.start, range.end) of the file, or the whole of it, in this thread. */
  replay(file: FlowFile, range: { start: number; end: number } | undefined, tick: () => void): Promise<RangeRead>;
  /** What a worker posts back: the sink's state after its range. */
  part(): Part;
  /** Adds the part of a later range, its line numbers shifted by `offset`. */
  merge(part: Part, offset: number): void;
}

