import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { mergeComparisons } from "../impact/compare.js";
import { mergeSummaries } from "../impact/summary.js";
import { isGzip } from "../io/lines.js";
import { mergeOutcomes } from "../io/read-outcome.js";
import { UsageError } from "./io.js";
import type { Progress } from "./progress.js";
import type { ReplayJob, ReplayTotals } from "./replay-run.js";
import type { WorkerInput, WorkerMessage } from "./simulate-worker.js";

/**
 * `simulate --output summary` over worker threads: the uncompressed flow file is cut into byte ranges, one per
 * worker; each replays its range and the totals are added up, with problem line numbers shifted by the lines of
 * the ranges before. A gzipped file cannot be cut, and runs in one thread.
 */
const AUTO_MIN_BYTES = 32 * 1024 * 1024;
const WORKER_SCRIPT = fileURLToPath(new URL("./simulate-worker.js", import.meta.url));

export async function workerCount(option: string, flowsPath: string): Promise<number> {
  // The worker script exists only in the built package (tests run from source, in one thread).
  if (!existsSync(WORKER_SCRIPT)) return 1;
  // A file that is not regular is refused by the one-thread reader (opening a FIFO would block).
  if (!(await stat(flowsPath).catch(() => undefined))?.isFile()) return 1;
  if (option !== "auto") {
    if (!/^\d+$/.test(option) || Number(option) < 1 || Number(option) > 64) throw new UsageError(`--workers must be auto or 1-64, not "${option}"`);
    return (await isGzip(flowsPath)) ? 1 : Number(option);
  }
  const size = (await stat(flowsPath)).size;
  if (size < AUTO_MIN_BYTES || (await isGzip(flowsPath))) return 1;
  return Math.min(availableParallelism(), 8);
}

export async function replayInWorkers(n: number, job: ReplayJob, setup: Omit<WorkerInput, "job">, progress: Progress): Promise<ReplayTotals> {
  const size = (await stat(job.flowsPath)).size;
  const cut = (i: number) => Math.floor((size * i) / n);
  const runs = Array.from({ length: n }, (_, i) =>
    runWorker({ ...setup, job: { ...job, range: { start: cut(i), end: i === n - 1 ? Number.MAX_SAFE_INTEGER : cut(i + 1) } } }, progress),
  );
  const parts = await Promise.all(runs);
  const total: ReplayTotals = { ...parts[0], problems: [...parts[0].problems] };
  let offset = parts[0].lines;
  for (const part of parts.slice(1)) {
    mergeSummaries(total.summary, part.summary);
    mergeComparisons(total.comparison, part.comparison, offset);
    for (const p of part.problems) total.problems.push({ ...p, line: p.line + offset });
    offset += part.lines;
  }
  total.lines = offset;
  total.outcome = mergeOutcomes(parts);
  return total;
}

function runWorker(input: WorkerInput, progress: Progress): Promise<ReplayTotals> {
  return new Promise((resolve, reject) => {
    // A larger young generation: each record's parsed JSON dies young, and fewer scavenges cost much less
    // (measured: 1M records in one worker, 16.4 s with the default, 13.1 s with 128 MiB).
    const worker = new Worker(WORKER_SCRIPT, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 128 } });
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "progress") progress.tick(m.records);
      else if (m.type === "done") resolve(m.totals);
      else reject(new Error(`a worker thread failed: ${m.message}`));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code !== 0) reject(new Error(`a worker thread exited with code ${code}`));
    });
  });
}
