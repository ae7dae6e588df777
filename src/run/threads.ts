import { Worker } from "node:worker_threads";
import type { Progress } from "./flow-lines.js";
import type { FlowFile } from "./flow-lines.js";
import type { ImpactSinkSpec } from "./replay-impact.js";
import type { SimulateSinkSpec } from "./replay-simulate.js";
import type { RangeRead, ReplayLimits } from "./sink.js";

/** What a worker rebuilds its sink from: plain data, structured-cloned into the thread. */
export type SinkSpec = SimulateSinkSpec | ImpactSinkSpec;

export interface WorkerInput {
  spec: SinkSpec;
  file: FlowFile;
  range: { start: number; end: number };
  limits: ReplayLimits;
}

/** Worker → runner. The runner → worker direction is one message: `{ type: "input", input }`. */
export type WorkerMessage = { type: "progress"; records: number } | ({ type: "done"; part: unknown } & RangeRead) | { type: "failed"; message: string };

/**
 * A larger young generation: each record's parsed JSON dies young, and fewer scavenges cost much less
 * (measured: 1M records in one worker, 16.4 s with the default, 13.1 s with 128 MiB).
 */
const WORKER_YOUNG_GENERATION_MB = 128;

/**
 * One replay worker thread (the runner's plumbing, runner.ts). It starts before it has anything to do: while the
 * caller still loads the policies, the thread loads its code; `run` then hands it a byte range and the sink's
 * description. The script (src/io/replay-worker.ts) waits for that one message, replays and posts the part back.
 */
export class ReplayWorker {
  private readonly worker: Worker;
  /** Set when the thread failed before `run` was called (its script did not load): `run` rejects with it. */
  private early?: Error;
  private settle?: { resolve: (m: { part: unknown } & RangeRead) => void; reject: (e: Error) => void; progress: Progress };
  private finished = false;

  constructor(script: string) {
    this.worker = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    this.worker.on("message", (m: WorkerMessage) => {
      if (m.type === "progress") this.settle?.progress.tick(m.records);
      else if (m.type === "done") this.end(undefined, m);
      else this.end(new Error(`a worker thread failed: ${m.message}`));
    });
    this.worker.on("error", (e) => this.end(e));
    this.worker.on("exit", (code) => {
      if (!this.finished) this.end(new Error(`a worker thread exited with code ${code}`));
    });
  }

  /** Replays one range in the thread; resolves with the sink's part and how reading the range ended. */
  run(input: WorkerInput, progress: Progress): Promise<{ part: unknown } & RangeRead> {
    return new Promise((resolve, reject) => {
      if (this.early) return reject(this.early);
      if (this.finished) return reject(new Error("a worker thread was closed before it replayed"));
      this.settle = { resolve, reject, progress };
      this.worker.postMessage({ type: "input", input });
    });
  }

  /** Stops the thread (a no-op once it has posted its part). */
  close(): void {
    if (this.finished) return;
    this.finished = true;
    void this.worker.terminate();
    this.settle?.reject(new Error("the replay was stopped"));
  }

  private end(error: Error | undefined, done?: { part: unknown } & RangeRead): void {
    if (this.finished) return;
    this.finished = true;
    if (error || !this.settle) void this.worker.terminate();
    // Failed while waiting for its input: the error is kept for `run`.
    if (!this.settle) this.early = error ?? new Error("a worker thread answered before it was given a range");
    else if (error) this.settle.reject(error);
    else this.settle.resolve(done!);
  }
}
