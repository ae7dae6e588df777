import { availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { createFlowValueParser } from "../flows/detect.js";
import type { ImpactComparer, ComparerState } from "../impact/revisions.js";
import { isGzip, readLines } from "./lines.js";
import { cutOffAt, mergeOutcomes, stopAt, type ReadOutcome } from "./read-outcome.js";
import type { ReviewWorkerInput, ReviewWorkerMessage } from "./replay-worker.js";

/**
 * Replaying a flow file through a review's comparer: in this thread, or — for a large uncompressed file — over
 * worker threads, each replaying a byte range and posting its comparer's state, merged here with line numbers
 * shifted by the lines of the ranges before.
 */
export interface FlowFile {
  path: string;
  display: string;
  /** The snapshot as tierguard.yaml (or --flows) names it, for findings; `display` when undefined. */
  source?: string;
}

/** Anything that counts records as they go (the CLI's progress line). */
export interface Progress {
  tick(n?: number): void;
}

const AUTO_MIN_BYTES = 32 * 1024 * 1024;
const WORKER_SCRIPT = fileURLToPath(new URL("./replay-worker.js", import.meta.url));

export interface ReplayLimits {
  maxLineBytes: number;
  /** Most bytes of (decompressed) text read from one file. */
  maxBytes: number;
}

/** Replays the lines of [range.start, range.end) (or the whole file): how reading ended, and the lines it saw. */
export async function replayRange(f: FlowFile, comparer: ImpactComparer, limits: ReplayLimits, range: { start: number; end: number } | undefined, tick: () => void): Promise<{ lines: number; outcome: ReadOutcome }> {
  const { maxLineBytes } = limits;
  const parse = createFlowValueParser({ maxLineLength: maxLineBytes });
  const outcome: ReadOutcome = { records: 0 };
  let lines = 0;
  for await (const ev of readLines(f.path, { maxLineBytes, maxBytes: limits.maxBytes, range })) {
    if (ev.type === "error") {
      comparer.skipped(f.display, ev.number, ev.message);
      outcome.stopped ??= stopAt(ev);
      continue;
    }
    lines = ev.type === "line" ? ev.line.number : ev.number;
    if (ev.type === "too-long") {
      comparer.skipped(f.display, ev.number, `the line is ${ev.bytes} bytes long; the limit is ${maxLineBytes}`);
      continue;
    }
    const parsed = parse(ev.line.text, ev.line.number);
    const problems = parsed.value ? comparer.addValue(parsed.value, parsed.format, ev.line.number) : parsed.diagnostics;
    if (problems && problems.length > 0) {
      comparer.skipped(f.display, problems[0].line, problems[0].message);
      outcome.stopped ??= cutOffAt(ev.line, problems);
    } else if (parsed.value) {
      outcome.records++;
    }
    tick();
  }
  return { lines, outcome };
}

/** Replays one flow file through the comparer; says how reading it ended (records replayed, where it stopped). */
export async function replayFlowFile(
  f: FlowFile,
  comparer: ImpactComparer,
  options: ReplayLimits & { workers: string },
  progress: Progress,
  setup: Omit<ReviewWorkerInput, "file" | "range" | "replayLimits">,
): Promise<ReadOutcome> {
  const limits = { maxLineBytes: options.maxLineBytes, maxBytes: options.maxBytes };
  const workers = await workerCount(f.path, options.workers);
  if (workers <= 1) return (await replayRange(f, comparer, limits, undefined, () => progress.tick())).outcome;
  const size = (await stat(f.path)).size;
  const cut = (i: number) => Math.floor((size * i) / workers);
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, i) =>
      runWorker({ ...setup, file: f, replayLimits: limits, range: { start: cut(i), end: i === workers - 1 ? Number.MAX_SAFE_INTEGER : cut(i + 1) } }, progress),
    ),
  );
  let offset = 0;
  for (const part of parts) {
    comparer.mergeState(part.state, offset);
    offset += part.lines;
  }
  return mergeOutcomes(parts);
}

async function workerCount(path: string, option: string): Promise<number> {
  if (!existsSync(WORKER_SCRIPT)) return 1; // tests run from source, in one thread
  // A file that cannot be opened (or is no regular file) is reported by the one-thread reader.
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return 1;
  if (await isGzip(path)) return 1; // a gzip stream cannot be cut into ranges
  if (option !== "auto") return Number(option);
  if ((await stat(path)).size < AUTO_MIN_BYTES) return 1;
  return Math.min(availableParallelism(), 8);
}

function runWorker(input: ReviewWorkerInput, progress: Progress): Promise<{ state: ComparerState; lines: number; outcome: ReadOutcome }> {
  return new Promise((resolve, reject) => {
    // A larger young generation: each record's parsed JSON dies young (see parallel.ts).
    const worker = new Worker(WORKER_SCRIPT, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 128 } });
    worker.on("message", (m: ReviewWorkerMessage) => {
      if (m.type === "progress") progress.tick(m.records);
      else if (m.type === "done") resolve({ state: m.state, lines: m.lines, outcome: m.outcome });
      else reject(new Error(`a worker thread failed: ${m.message}`));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code !== 0) reject(new Error(`a worker thread exited with code ${code}`));
    });
  });
}
