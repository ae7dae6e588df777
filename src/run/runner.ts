import { availableParallelism } from "node:os";
import type { FlowFile, FlowReader, Progress } from "./flow-lines.js";
import { mergeOutcomes, type ReadOutcome } from "./read-outcome.js";
import { ReplayWorker, type SinkSpec } from "./threads.js";
import type { RangeRead, ReplayLimits, ReplaySink } from "./sink.js";

export type { RangeRead, ReplayLimits, ReplaySink } from "./sink.js";
export type { SinkSpec, WorkerInput, WorkerMessage } from "./threads.js";

/*
 * The one replay runner, for `simulate`, `review`, `board` and the App: a flow file is replayed into a sink in this
 * thread, or — an uncompressed file large enough (or --workers N) — cut into byte ranges, one per thread. Each worker
 * thread rebuilds the sink from its serialisable description (`SinkSpec`), replays its range and posts the sink's
 * part; `simulate` replays the first range in this thread too. The parts merge here in file order, line numbers
 * shifted by the lines of the ranges before.
 *
 * The thread plumbing lives here and in threads.ts; the file reading does not: lines and file facts come through
 * the `FlowReader` port, and the worker script is the adapter's (src/io/replay-worker.ts reads files, then calls
 * runWorkerJob). The runner names the script only through the port, so runner and worker never import each other.
 */

/**
 * Below this, `auto` replays in one thread: starting workers and rebuilding the sets costs more than it saves.
 * Measured on the benchmark's workload (bench/generate.mjs), simulate in one thread against two: 58 MB, 4.2 s
 * against 5.1 s; 144 MB, 5.2-5.4 s against 5.0 s; 577 MB, 18.2 s against 13.2 s.
 */
export const AUTO_MIN_BYTES = 128 * 1024 * 1024;
/** A worker posts progress every this many records. */
export const WORKER_PROGRESS_EVERY = 100_000;

export interface RunOptions {
  /** What a worker rebuilds the sink from; without it the file replays in this thread (a sink no worker can build). */
  spec?: () => SinkSpec;
  /** "auto" (one per CPU, at most 8, for files over AUTO_MIN_BYTES) or a count; 1 when there is no worker script. */
  workers: "auto" | number;
  limits: ReplayLimits;
  reader: FlowReader;
  progress: Progress;
  /**
   * Called once worker threads are replaying, so the caller can use this thread meanwhile (the review runs its
   * checks); never called when the file replays in this thread.
   */
  workersStarted?: () => void;
  /** Threads `startReplay` started ahead; without them `replayFile` starts its own (workers only, no range here). */
  threads?: ReplayThreads;
}

/**
 * The threads of one replay, started before the sink's description exists (`startReplay`), so that the workers load
 * their code while the caller loads the policies. Byte ranges in file order: when `thisThread`, the first is this
 * thread's and each worker has one of the rest; else each worker has one.
 */
export interface ReplayThreads {
  ranges: Array<{ start: number; end: number }>;
  thisThread: boolean;
  workers: ReplayWorker[];
  /** Stops the workers: call it when the replay does not happen after all (the policies had errors). */
  close(): void;
}

/**
 * Starts the worker threads a replay of `file` will use; undefined when it replays in one thread. `workers` counts
 * the threads that replay: with `thisThread`, this one and `workers - 1` worker threads (`simulate`, whose thread
 * has nothing else to do); without, `workers` worker threads (the review checks in this thread meanwhile; the App
 * keeps it for webhooks).
 */
export async function startReplay(file: FlowFile, options: { workers: "auto" | number; reader: FlowReader; thisThread: boolean }): Promise<ReplayThreads | undefined> {
  const script = options.reader.workerScript;
  const facts = script ? await options.reader.inspect(file.path) : undefined;
  const n = workerCount(facts, options.workers);
  if (!script || !facts || n <= 1) return undefined;
  const cut = (i: number) => Math.floor((facts.size * i) / n);
  const ranges = Array.from({ length: n }, (_, i) => ({ start: cut(i), end: i === n - 1 ? Number.MAX_SAFE_INTEGER : cut(i + 1) }));
  const workers = Array.from({ length: options.thisThread ? n - 1 : n }, () => new ReplayWorker(script));
  return { ranges, thisThread: options.thisThread, workers, close: () => workers.forEach((w) => w.close()) };
}

/**
 * Starts a replay's threads ahead (`startReplay`; none without a file) and hands them to `use`, closing them however
 * it ends: after the replay, on an error, or when `use` returns without replaying (the policies had errors).
 */
export async function withReplayThreads<T>(
  file: FlowFile | undefined,
  options: { workers: "auto" | number; reader: FlowReader; thisThread: boolean },
  use: (threads: ReplayThreads | undefined) => Promise<T>,
): Promise<T> {
  const threads = file ? await startReplay(file, options) : undefined;
  try {
    return await use(threads);
  } finally {
    threads?.close();
  }
}

/** Replays one flow file into the sink; says how reading it ended (records replayed, where it stopped). */
export async function replayFile<Part>(sink: ReplaySink<Part>, file: FlowFile, options: RunOptions): Promise<ReadOutcome> {
  const { progress, spec } = options;
  const threads = options.threads ?? (spec ? await startReplay(file, { workers: options.workers, reader: options.reader, thisThread: false }) : undefined);
  if (!threads || !spec) {
    threads?.close();
    return (await sink.replay(file, undefined, () => progress.tick())).outcome;
  }
  try {
    const input = spec();
    const workerRanges = threads.thisThread ? threads.ranges.slice(1) : threads.ranges;
    const running = Promise.all(threads.workers.map((w, i) => w.run({ spec: input, file, limits: options.limits, range: workerRanges[i] }, progress)));
    running.catch(() => undefined); // awaited below; this thread's own range may fail first
    const parts: RangeRead[] = [];
    if (threads.thisThread) parts.push(await sink.replay(file, threads.ranges[0], () => progress.tick()));
    else options.workersStarted?.();
    let offset = parts[0]?.lines ?? 0;
    for (const p of await running) {
      sink.merge(p.part as Part, offset);
      offset += p.lines;
      parts.push(p);
    }
    return mergeOutcomes(parts);
  } finally {
    threads.close();
  }
}

/** One thread for a file that is not regular (the one-thread reader reports it) or gzipped (a stream cannot be cut). */
function workerCount(facts: { size: number; gzip: boolean } | undefined, option: "auto" | number): number {
  if (!facts || facts.gzip) return 1;
  if (option !== "auto") return option;
  return facts.size < AUTO_MIN_BYTES ? 1 : Math.min(availableParallelism(), 8);
}
