import type { FlowProblem } from "../flows/types.js";
import type { Line, LineEvent } from "./flow-lines.js";

/**
 * How reading one flow file (or one byte range of it) ended, so that a snapshot read in part is never taken for a
 * whole one: the `simulate` and `review` replay loops, in this thread or a worker's, keep one each, and the ranges'
 * outcomes merge into the file's. No I/O here.
 */
export interface ReadStop {
  /** unavailable: the file could not be opened at all; incomplete: reading stopped part-way. */
  kind: "unavailable" | "incomplete";
  /** The line reading stopped at (0 when the file could not be opened), counted from the start of the file. */
  line: number;
  /** Why, without a line number. */
  cause: string;
}

export interface ReadOutcome {
  /** Records replayed. */
  records: number;
  /** Set when reading did not reach the end of the file. */
  stopped?: ReadStop;
}

/** The stop an `error` event means. */
export function stopAt(ev: Extract<LineEvent, { type: "error" }>): ReadStop {
  return { kind: ev.reason === "unavailable" ? "unavailable" : "incomplete", line: ev.number, cause: ev.cause };
}

/**
 * A last line with no newline that is not even valid JSON was cut off mid-record (a partial download, a full
 * disk): the file is incomplete, not just one bad line. Undefined for any other line.
 */
export function cutOffAt(line: Line, problems: readonly FlowProblem[]): ReadStop | undefined {
  if (!line.unterminated || !problems.some((p) => p.code === "flows/malformed-json")) return undefined;
  return { kind: "incomplete", line: line.number, cause: "the last line ends without a newline in the middle of a record: the file was cut off" };
}

/** The outcome of a whole file from its ranges' outcomes, in file order, each with the number of lines it read. */
export function mergeOutcomes(parts: ReadonlyArray<{ outcome: ReadOutcome; lines: number }>): ReadOutcome {
  const merged: ReadOutcome = { records: 0 };
  let offset = 0;
  for (const { outcome, lines } of parts) {
    merged.records += outcome.records;
    if (outcome.stopped && !merged.stopped) merged.stopped = { ...outcome.stopped, line: outcome.stopped.line + (outcome.stopped.line > 0 ? offset : 0) };
    offset += lines;
  }
  return merged;
}

/** "line 12: the gzip stream is truncated or corrupt", or just the cause when the file never opened. */
export function describeStop(stop: ReadStop): string {
  return stop.line > 0 ? `line ${stop.line}: ${stop.cause}` : stop.cause;
}
