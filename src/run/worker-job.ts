import type { FlowReader } from "./flow-lines.js";
import { comparerFromSpec, ImpactSink } from "./replay-impact.js";
import { replayerFromSpec, SimulateSink } from "./replay-simulate.js";
import { WORKER_PROGRESS_EVERY, type ReplaySink, type WorkerInput, type WorkerMessage } from "./runner.js";

/**
 * What one worker thread does, given the reader its script brings: build the sink its description names, replay
 * its byte range, and hand back the sink's part. The script (src/io/replay-worker.ts) only wires the thread.
 */
export async function runWorkerJob(input: WorkerInput, reader: FlowReader, post: (m: WorkerMessage) => void): Promise<WorkerMessage> {
  try {
    const sink = sinkOf(input, reader);
    let records = 0;
    const read = await sink.replay(input.file, input.range, () => {
      if (++records % WORKER_PROGRESS_EVERY === 0) post({ type: "progress", records: WORKER_PROGRESS_EVERY });
    });
    return { type: "done", part: sink.part(), ...read };
  } catch (e) {
    return { type: "failed", message: (e as Error).stack ?? (e as Error).message };
  }
}

function sinkOf(input: WorkerInput, reader: FlowReader): ReplaySink<unknown> {
  const { spec } = input;
  if (spec.kind === "simulate") return new SimulateSink(replayerFromSpec(spec), spec.job, reader, input.limits);
  return new ImpactSink(comparerFromSpec(spec), reader, input.limits);
}
