import { EngineUniverse, PolicySet } from "../engine/index.js";
import { createFlowValueParser } from "../flows/detect.js";
import { inventoryNamespaceLabels, type Inventory } from "../flows/inventory.js";
import { flowProblemToDiagnostic, type FlowFormat, type FlowRecord } from "../flows/types.js";
import { compareRecord, emptyComparison, mergeComparisons, type Comparison } from "../impact/compare.js";
import { Replayer, type RecordOutcome } from "../impact/replay.js";
import { EndpointResolver } from "../impact/resolve.js";
import { addToSummary, emptySummary, mergeSummaries, type SimulationSummary } from "../impact/summary.js";
import { buildResources, documentsFromValues, loadText, type BundleOptions, type Diagnostic, type DocumentValue, type Resource } from "../policy/index.js";
import type { CalicoVersion } from "../policy/version.js";
import type { SelectorParses } from "../selector/index.js";
import type { FlowFile, FlowReader } from "./flow-lines.js";
import { cutOffAt, stopAt, type ReadOutcome } from "./read-outcome.js";
import type { RangeRead, ReplayLimits, ReplaySink } from "./sink.js";

/**
 * The `simulate` sink (also the board's hit counts): stream lines, parse, replay through one policy set, add up.
 * In a worker it replays a byte range; the totals of all ranges add up to the totals of the whole.
 */
export interface ReplayJob {
  format?: FlowFormat;
  /** Parse every record in full (text/json output, --compare-recorded); else the fast path may skip it. */
  needRecord: boolean;
  compareRecorded: boolean;
}

export interface ReplayTotals {
  summary: SimulationSummary;
  comparison: Comparison;
  /** Line numbers count from the start of the range (of the file, once merged). */
  problems: Diagnostic[];
  /** Lines seen (for renumbering the next range's problems). */
  lines: number;
  /** Records replayed, and where reading stopped if it did not reach the end. */
  outcome: ReadOutcome;
}

export interface RecordHooks {
  onRecord?: (record: FlowRecord, outcome: RecordOutcome) => void;
}

export function buildReplayer(
  resources: readonly Resource[],
  options: { version: CalicoVersion; stagedDelete: "preview" | "ignore"; inventory?: Inventory; selectors?: SelectorParses },
): Replayer {
  const universe = new EngineUniverse(options.selectors);
  const inv = options.inventory;
  const set = new PolicySet(resources, { version: options.version, universe, stagedDelete: options.stagedDelete, namespaceLabels: inventoryNamespaceLabels(inv) });
  return new Replayer(set, new EndpointResolver(universe, inv));
}

/** What a worker needs to rebuild the policy set: the policy files' text (the main thread validated them). */
export interface SimulateSinkSpec {
  kind: "simulate";
  files: Array<{ file: string; text: string }>;
  /** The files' documents as the main thread parsed them (aligned with `files`): the worker then parses nothing. */
  documents?: DocumentValue[][];
  bundle: BundleOptions;
  stagedDelete: "preview" | "ignore";
  inventory?: Inventory;
  job: ReplayJob;
}

export function replayerFromSpec(spec: SimulateSinkSpec): Replayer {
  const documents = (f: { file: string; text: string }, i: number) => {
    const parsed = spec.documents?.[i];
    return parsed ? documentsFromValues(f.file, f.text, parsed) : loadText(f.file, f.text, spec.bundle.limits).documents;
  };
  const resources = spec.files.flatMap((f, i) => buildResources(documents(f, i), { defaultNamespace: spec.bundle.defaultNamespace }).resources);
  return buildReplayer(resources, { version: spec.bundle.version, stagedDelete: spec.stagedDelete, inventory: spec.inventory });
}

export function emptyTotals(): ReplayTotals {
  return { summary: emptySummary(), comparison: emptyComparison(), problems: [], lines: 0, outcome: { records: 0 } };
}

export class SimulateSink implements ReplaySink<ReplayTotals> {
  readonly totals = emptyTotals();
  private built?: Replayer;

  /**
   * `replayer` may be a function that builds it: it is then built only if this thread replays (when worker threads
   * replay the file, building the policy set here too only delays them).
   */
  constructor(
    private readonly replayer: Replayer | (() => Replayer),
    private readonly job: ReplayJob,
    private readonly reader: FlowReader,
    private readonly limits: ReplayLimits,
    private readonly hooks: RecordHooks = {},
  ) {}

  async replay(file: FlowFile, range: { start: number; end: number } | undefined, tick: () => void): Promise<RangeRead> {
    this.built ??= typeof this.replayer === "function" ? this.replayer() : this.replayer;
    const t = await replayTotals(this.built, this.job, file, { reader: this.reader, limits: this.limits, range }, { ...this.hooks, tick });
    this.merge(t, 0); // a whole file: its own line numbers
    return { lines: t.lines, outcome: t.outcome };
  }

  part(): ReplayTotals {
    return this.totals;
  }

  /** Adds a later range's totals (or another file's, at offset 0), its problem lines shifted by `offset`. */
  merge(part: ReplayTotals, offset: number): void {
    const total = this.totals;
    mergeSummaries(total.summary, part.summary);
    mergeComparisons(total.comparison, part.comparison, offset);
    for (const p of part.problems) total.problems.push({ ...p, line: p.line + offset });
    total.lines = offset + part.lines;
  }
}

async function replayTotals(
  replayer: Replayer,
  job: ReplayJob,
  file: FlowFile,
  read: { reader: FlowReader; limits: ReplayLimits; range?: { start: number; end: number } },
  hooks: RecordHooks & { tick: () => void },
): Promise<ReplayTotals> {
  const { maxLineBytes, maxBytes } = read.limits;
  const parse = createFlowValueParser({ format: job.format, maxLineLength: maxLineBytes });
  const totals = emptyTotals();
  const { summary, problems, outcome } = totals;
  const problem = (code: string, message: string, line: number): Diagnostic => ({ code, severity: "error", message, file: file.display, line, col: 1, path: "" });
  for await (const ev of read.reader.lines(file.path, { maxLineBytes, maxBytes, range: read.range })) {
    if (ev.type !== "line") {
      if (ev.type === "too-long") totals.lines = ev.number;
      else outcome.stopped ??= stopAt(ev);
      summary.skippedLines++;
      if (ev.type === "error") problems.push(problem(`flows/${ev.reason}`, ev.message, ev.number));
      else problems.push(problem("flows/line-too-long", `the line is ${ev.bytes} bytes long; the limit is ${maxLineBytes}`, ev.number));
      continue;
    }
    totals.lines = ev.line.number;
    const parsed = parse(ev.line.text, ev.line.number);
    const replayed = parsed.value ? replayer.replayValue(parsed.value, parsed.format, ev.line.number, job.needRecord) : { problems: parsed.diagnostics };
    if ("problems" in replayed) {
      if (replayed.problems.length > 0) summary.skippedLines++;
      for (const p of replayed.problems) problems.push(flowProblemToDiagnostic(p, file.display));
      const cut = cutOffAt(ev.line, replayed.problems);
      if (cut) {
        outcome.stopped ??= cut;
        problems.push(problem("flows/cut-off", cut.cause, cut.line));
      }
      continue;
    }
    outcome.records++;
    addToSummary(summary, replayed.numFlows, replayed.outcome);
    hooks.tick();
    const record = replayed.record;
    if (!record) continue;
    if (job.compareRecorded) compareRecord(totals.comparison, record, replayed.outcome, replayer.set.version);
    hooks.onRecord?.(record, replayed.outcome);
  }
  return totals;
}
