/**
 * The port through which a replay reads flow files: lines as events (never an exception for a bad file), and what
 * the runner needs to cut a file into byte ranges. `src/io/flow-reader.ts` implements it over the file system; the
 * run layer itself never opens a file.
 */
export interface Line {
  /** 1-based. */
  number: number;
  text: string;
  /** True for a last line with no newline after it: a file cut off mid-record ends like this. */
  unterminated?: boolean;
}

/**
 * Why reading stopped: the file could not be opened or is not a regular file (`unavailable`), reading failed
 * part-way (`unreadable`), its gzip stream ends early or is corrupt (`truncated`), or a size limit was hit (`limit`).
 */
export type ReadFailure = "unavailable" | "unreadable" | "truncated" | "limit";

export type LineEvent =
  | { type: "line"; line: Line }
  | { type: "too-long"; number: number; bytes: number }
  /** `cause` says why without a line number (a range's numbers are not the file's); `message` adds what was lost. */
  | { type: "error"; number: number; reason: ReadFailure; cause: string; message: string };

/** Default for `maxBytes`: far above any real snapshot, far below what a gzip bomb expands to. */
export const DEFAULT_MAX_SNAPSHOT_BYTES = 8 * 1024 ** 3;

export interface ReadLinesOptions {
  maxLineBytes: number;
  /** Most bytes of text read (after decompression); reading past it ends with a `limit` error. */
  maxBytes?: number;
  /**
   * Only the lines that START in [start, end) of an uncompressed file, numbered from 1 at the first of them: how
   * worker threads split one file. The line that straddles `end` belongs to this range; the one straddling `start`
   * to the previous.
   */
  range?: { start: number; end: number };
}

/** A flow file to replay. */
export interface FlowFile {
  path: string;
  display: string;
  /** The snapshot as tierguard.yaml (or --flows) names it, for findings; `display` when undefined. */
  source?: string;
}

export interface FlowReader {
  lines(path: string, options: ReadLinesOptions): AsyncIterable<LineEvent>;
  /** A regular file's size and whether it is gzipped; undefined for anything else (the one-thread read reports it). */
  inspect(path: string): Promise<{ size: number; gzip: boolean } | undefined>;
  /** The worker thread script, in the built package only (tests run from source, in one thread). */
  workerScript?: string;
}

/** Anything that counts records as they go (the CLI's progress line). */
export interface Progress {
  tick(n?: number): void;
}

export const NO_PROGRESS: Progress = { tick: () => {} };
