import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ImpactSinkSpec } from "./replay-impact.js";
import type { SimulateSinkSpec } from "./replay-simulate.js";
import type { FlowFile, FlowReader, Progress } from "./flow-lines.js";
import { mergeOutcomes, type ReadOutcome } from "./read-outcome.js";
import type { RangeRead, ReplayLimits, ReplaySink } from "./sink.js";

export type { RangeRead, ReplayLimits, ReplaySink } from "./sink.js";

/**
 * The one replay runner, for `simulate`, `review`, `board` and the App: a flow file is replayed into a sink in this
 * thread, or — an uncompressed file large enough (or --workers N) — cut into byte ranges, one per worker thread.
 * Each worker rebuilds the sink from its serialisable description (`SinkSpec`), replays its range and posts the
 * sink's part; the parts merge here in file order, line numbers shifted by the lines of the ranges before.
 *
 * The thread plumbing lives here; the file reading does not: lines and file facts come through the `FlowReader`
 * port, and the worker script is the adapter's (src/io/replay-worker.ts reads files, then calls runWorkerJob).
 * The runner names the script only through the port, so runner and worker never import each other.
 */
export type SinkSpec = SimulateSinkSpec | ImpactSinkSpec;

export interface WorkerInput {
  spec: SinkSpec;
  file: FlowFile;
  range: { start: number; end: number };
  limits: ReplayLimits;
}

export type WorkerMessage = { type: "progress"; records: number } | ({ type: "done"; part: unknown } & RangeRead) | { type: "failed"; message: string };

/** Below this, `auto` replays in one thread: starting workers and rebuilding the sets costs more than it saves. */
export const AUTO_MIN_BYTES = 32 * 1024 * 1024;
/** A worker posts progress every this many records. */
export const WORKER_PROGRESS_EVERY = 100_000;
/**
 * A larger young generation: each record's parsed JSON dies young, and fewer scavenges cost much less
 * (measured: 1M records in one worker, 16.4 s with the default, 13.1 s with 128 MiB).
 */
const WORKER_YOUNG_GENERATION_MB = 128;

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
}

/** Replays one flow file into the sink; says how reading it ended (records replayed, where it stopped). */
export async function replayFile<Part>(sink: ReplaySink<Part>, file: FlowFile, options: RunOptions): Promise<ReadOutcome> {
  const { reader, progress, spec } = options;
  const facts = reader.workerScript && spec ? await reader.inspect(file.path) : undefined;
  const n = workerCount(facts, options.workers);
  if (!reader.workerScript || !spec || !facts || n <= 1) return (await sink.replay(file, undefined, () => progress.tick())).outcome;
  const cut = (i: number) => Math.floor((facts.size * i) / n);
  const input = (i: number): WorkerInput => ({ spec: spec(), file, limits: options.limits, range: { start: cut(i), end: i === n - 1 ? Number.MAX_SAFE_INTEGER : cut(i + 1) } });
  const script = reader.workerScript;
  const running = Promise.all(Array.from({ length: n }, (_, i) => runWorker(script, input(i), progress)));
  options.workersStarted?.();
  const parts = await running;
  let offset = 0;
  for (const p of parts) {
    sink.merge(p.part as Part, offset);
    offset += p.lines;
  }
  return mergeOutcomes(parts);
}

/** One thread for a file that is not regular (the one-thread reader reports it) or gzipped (a stream cannot be cut). */
function workerCount(facts: { size: number; gzip: boolean } | undefined, option: "auto" | number): number {
  if (!facts || facts.gzip) return 1;
  if (option !== "auto") return option;
  return facts.size < AUTO_MIN_BYTES ? 1 : Math.min(availableParallelism(), 8);
}

function runWorker(script: string, input: WorkerInput, progress: Progress): Promise<{ part: unknown } & RangeRead> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "progress") progress.tick(m.records);
      else if (m.type === "done") resolve(m);
      else reject(new Error(`a worker thread failed: ${m.message}`));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code !== 0) reject(new Error(`a worker thread exited with code ${code}`));
    });
  });
}
