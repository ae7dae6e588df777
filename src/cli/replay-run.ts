import { EngineUniverse, PolicySet } from "../engine/index.js";
import { createFlowValueParser } from "../flows/detect.js";
import { inventoryNamespaceLabels, type Inventory } from "../flows/inventory.js";
import { flowProblemToDiagnostic, type FlowFormat, type FlowRecord } from "../flows/types.js";
import { compareRecord, emptyComparison, type Comparison } from "../impact/compare.js";
import { Replayer, type RecordOutcome } from "../impact/replay.js";
import { EndpointResolver } from "../impact/resolve.js";
import { addToSummary, emptySummary, type SimulationSummary } from "../impact/summary.js";
import { readLines } from "../io/lines.js";
import { cutOffAt, stopAt, type ReadOutcome } from "../io/read-outcome.js";
import type { Diagnostic, Resource } from "../policy/index.js";
import type { CalicoVersion } from "../policy/version.js";

/**
 * The replay loop shared by `simulate` in-process and its worker threads: stream lines, parse, replay, add up.
 * A worker runs it over a byte range of the file; the totals of all ranges add up to the totals of the whole.
 */
export interface ReplayJob {
  flowsPath: string;
  /** The path as the user wrote it, for messages. */
  displayPath: string;
  format?: FlowFormat;
  maxLineBytes: number;
  /** Most bytes of (decompressed) text read. */
  maxBytes: number;
  range?: { start: number; end: number };
  /** Parse every record in full (text/json output, --compare-recorded); else the fast path may skip it. */
  needRecord: boolean;
  compareRecorded: boolean;
}

export interface ReplayTotals {
  summary: SimulationSummary;
  comparison: Comparison;
  /** Line numbers count from the start of the range. */
  problems: Diagnostic[];
  /** Lines seen (for renumbering the next range's problems). */
  lines: number;
  /** Records replayed, and where reading stopped if it did not reach the end. */
  outcome: ReadOutcome;
}

export function buildReplayer(
  resources: readonly Resource[],
  options: { version: CalicoVersion; stagedDelete: "preview" | "ignore"; inventory?: Inventory },
): Replayer {
  const universe = new EngineUniverse();
  const inv = options.inventory;
  const set = new PolicySet(resources, {
    version: options.version,
    universe,
    stagedDelete: options.stagedDelete,
    namespaceLabels: inventoryNamespaceLabels(inv),
  });
  return new Replayer(set, new EndpointResolver(universe, inv));
}

export async function runReplay(
  replayer: Replayer,
  job: ReplayJob,
  hooks: { onRecord?: (record: FlowRecord, outcome: RecordOutcome) => void; onTick?: () => void } = {},
): Promise<ReplayTotals> {
  const parse = createFlowValueParser({ format: job.format, maxLineLength: job.maxLineBytes });
  const totals: ReplayTotals = { summary: emptySummary(), comparison: emptyComparison(), problems: [], lines: 0, outcome: { records: 0 } };
  const { summary, problems, outcome } = totals;
  const model = replayer.set.version.model;
  for await (const ev of readLines(job.flowsPath, { maxLineBytes: job.maxLineBytes, maxBytes: job.maxBytes, range: job.range })) {
    if (ev.type !== "line") {
      if (ev.type === "too-long") totals.lines = ev.number;
      else outcome.stopped ??= stopAt(ev);
      summary.skippedLines++;
      problems.push({
        code: ev.type === "error" ? `flows/${ev.reason}` : "flows/line-too-long",
        severity: "error",
        message: ev.type === "error" ? ev.message : `the line is ${ev.bytes} bytes long; the limit is ${job.maxLineBytes}`,
        file: job.displayPath,
        line: ev.number,
        col: 1,
        path: "",
      });
      continue;
    }
    totals.lines = ev.line.number;
    const parsed = parse(ev.line.text, ev.line.number);
    const replayed = parsed.value ? replayer.replayValue(parsed.value, parsed.format, ev.line.number, job.needRecord) : { problems: parsed.diagnostics };
    if ("problems" in replayed) {
      if (replayed.problems.length > 0) summary.skippedLines++;
      for (const p of replayed.problems) problems.push(flowProblemToDiagnostic(p, job.displayPath));
      const cut = cutOffAt(ev.line, replayed.problems);
      if (cut) {
        outcome.stopped ??= cut;
        problems.push({ code: "flows/cut-off", severity: "error", message: cut.cause, file: job.displayPath, line: cut.line, col: 1, path: "" });
      }
      continue;
    }
    outcome.records++;
    addToSummary(summary, replayed.numFlows, replayed.outcome);
    hooks.onTick?.();
    const record = replayed.record;
    if (!record) continue;
    if (job.compareRecorded) compareRecord(totals.comparison, record, replayed.outcome, model);
    hooks.onRecord?.(record, replayed.outcome);
  }
  return totals;
}
