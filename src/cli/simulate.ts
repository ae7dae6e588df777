import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { DEFAULT_MAX_LINE_LENGTH } from "../flows/detect.js";
import type { FlowFormat } from "../flows/types.js";
import { readInventory } from "../io/inventory.js";
import { fileFlowReader } from "../io/flow-reader.js";
// The run layer's own files, not its index: the index also loads the review, the board and the controller's
// pipelines, a hundred modules simulate never runs (about a tenth of its loading time).
import { DEFAULT_MAX_SNAPSHOT_BYTES, type FlowFile } from "../run/flow-lines.js";
import { describeStop, type ReadOutcome } from "../run/read-outcome.js";
import { buildReplayer, SimulateSink, type RecordHooks, type ReplayJob } from "../run/replay-simulate.js";
import { AUTO_MIN_BYTES, replayFile, withReplayThreads, type ReplayThreads } from "../run/runner.js";
import type { CalicoModel, CalicoVersion } from "../policy/version.js";
import { stagedNeverDecides, type Comparison } from "../impact/index.js";
import { hasErrors } from "../policy/index.js";
import { plural, renderDiagnosticsText } from "../report/diagnostics.js";
import { comparisonText, recordJson, recordText, summaryText } from "../report/simulate.js";
import { checkReadableFile, loadPolicies, outputFormat, policyInputOptions, positiveInt, type PolicyInputOptions, stderrNote } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";
import { ProgressLine } from "./progress.js";

/**
 * `tierguard simulate`: replay flow records through the policies and report each verdict with its trace, or the
 * totals. Streams the flow file, so memory does not grow with its length.
 */
interface SimulateOptions extends PolicyInputOptions {
  policies: string[];
  flows: string;
  inventory?: string;
  output: string;
  compareRecorded?: boolean;
  format: string;
  stagedDelete: string;
  maxLineBytes: number;
  maxSnapshotBytes: number;
  maxProblems: number;
  workers: string;
}

export function registerSimulate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command("simulate")
    .description("replay flow records (Calico Enterprise flow logs or Goldmane flows, JSON lines, optionally gzipped) through the policies")
    .requiredOption("--policies <paths...>", "policy files or directories")
    .requiredOption("--flows <file>", "flow records, one JSON object per line (.gz accepted)")
    .option("--inventory <file>", "kubectl get namespaces,pods,serviceaccounts -A -o yaml (or -o json)")
    .option("-o, --output <format>", "text (a line per record), json ({results: [...]}) or summary (totals only)", "text")
    .option("--compare-recorded", "compare tierguard's verdicts and traces with those the records carry")
    .addOption(new Option("--format <format>", "flow record format").choices(["auto", "enterprise", "goldmane"]).default("auto"))
    .addOption(new Option("--staged-delete <mode>", "stagedAction Delete: preview the deletion (Calico Enterprise) or ignore it (open-source dataplane)").choices(["preview", "ignore"]).default("preview"))
    .addOption(new Option("--max-line-bytes <n>", "longest flow line accepted").default(DEFAULT_MAX_LINE_LENGTH).argParser(positiveInt("--max-line-bytes")))
    .addOption(new Option("--max-snapshot-bytes <n>", "most bytes read from the flow file, after decompression").default(DEFAULT_MAX_SNAPSHOT_BYTES).argParser(positiveInt("--max-snapshot-bytes")))
    .addOption(new Option("--max-problems <n>", "most unreadable-line problems printed").default(20).argParser(positiveInt("--max-problems")))
    .option("--workers <n>", `threads that replay for --output summary on an uncompressed file (this one and n-1 worker threads): a number, or auto (one per CPU for files over ${AUTO_MIN_BYTES / 2 ** 20} MiB)`, "auto");
  for (const o of policyInputOptions()) cmd.addOption(o);
  cmd.action(async (opts: SimulateOptions) => setExit(await simulate(opts, io)));
}

async function simulate(opts: SimulateOptions, io: CliIo): Promise<number> {
  const output = outputFormat(opts.output, ["text", "json", "summary"] as const);
  // Only the totals add up across threads: text and json print every record in file order, in this thread.
  const workers = output === "summary" ? workersOption(opts.workers) : 1;
  // Started before the policies load, so that the worker threads load their code meanwhile; this thread replays the
  // first range itself. Undefined when the file replays in one thread (small, gzipped, or not there at all).
  const file = { path: resolve(io.cwd, opts.flows), display: opts.flows };
  return withReplayThreads(workers === 1 ? undefined : file, { workers, reader: fileFlowReader, thisThread: true }, (threads) => simulateWith(opts, io, output, file, threads));
}

async function simulateWith(opts: SimulateOptions, io: CliIo, output: "text" | "json" | "summary", file: FlowFile, threads: ReplayThreads | undefined): Promise<number> {
  const loaded = await loadPolicies(opts.policies, opts, io.cwd, stderrNote(io));
  if (hasErrors(loaded.diagnostics)) {
    io.stderr(renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === "error")) + "\n");
    io.stderr(`tierguard: the policies have errors (run tierguard validate); nothing was simulated\n`);
    return EXIT_INVALID;
  }
  // Checked before any output, so that a wrong path is one clear error rather than an empty report.
  await checkReadableFile(file.path, `--flows ${opts.flows}`);
  const inventory = opts.inventory ? await readInventory(opts.inventory, { cwd: io.cwd }) : undefined;
  if (inventory && !inventory.inventory) {
    io.stderr(renderDiagnosticsText(inventory.diagnostics) + "\n");
    throw new InputError(`cannot use the inventory ${opts.inventory}`);
  }
  if (inventory && inventory.diagnostics.length > 0) io.stderr(renderDiagnosticsText(inventory.diagnostics) + "\n");
  const stagedDelete = opts.stagedDelete as "preview" | "ignore";
  const job: ReplayJob = {
    format: opts.format === "auto" ? undefined : (opts.format as FlowFormat),
    needRecord: output !== "summary" || Boolean(opts.compareRecorded),
    compareRecorded: Boolean(opts.compareRecorded),
  };
  const progress = new ProgressLine(io, "records");
  const replayer = () => buildReplayer(loaded.resources, { version: loaded.version, stagedDelete, inventory: inventory?.inventory, selectors: loaded.selectors });
  if (output === "json") io.stdout('{"results":[');
  const onRecord = recordPrinter(output, io, loaded.version.model);
  const sink = new SimulateSink(replayer, job, fileFlowReader, { maxLineBytes: opts.maxLineBytes, maxBytes: opts.maxSnapshotBytes }, { onRecord });
  const spec = () => ({ kind: "simulate" as const, files: loaded.files, documents: loaded.documents, bundle: { version: loaded.version, limits: loaded.limits, defaultNamespace: opts.namespace }, stagedDelete, inventory: inventory?.inventory, job });
  const outcome = await replayFile(sink, file, {
    spec,
    workers: 1,
    threads,
    limits: { maxLineBytes: opts.maxLineBytes, maxBytes: opts.maxSnapshotBytes },
    reader: fileFlowReader,
    progress,
  });
  progress.done();
  const { summary, comparison, problems } = sink.totals;
  // A file that gave no record at all must not read as "nothing is denied".
  if (!outcome.stopped && outcome.records === 0) {
    problems.push({ code: "flows/no-records", severity: "error", message: "the file holds no flow record that could be replayed (every line is blank or unreadable)", file: opts.flows, line: 1, col: 1, path: "" });
  }
  if (output === "json") {
    const tail: Record<string, unknown> = { summary, problems };
    if (opts.compareRecorded) tail.comparison = comparisonJson(comparison, loaded.version);
    io.stdout(`\n],${JSON.stringify(tail).slice(1)}\n`);
  } else {
    if (output === "text") io.stdout("\n");
    io.stdout(summaryText(summary));
    if (opts.compareRecorded) io.stdout(comparisonText(comparison, { inventory: Boolean(opts.inventory) }) + stagedVerdictText(comparison, loaded.version));
  }
  if (problems.length > 0) {
    io.stderr(renderDiagnosticsText(problems.slice(0, opts.maxProblems)) + "\n");
    if (problems.length > opts.maxProblems) io.stderr(`... and ${problems.length - opts.maxProblems} more problems\n`);
    io.stderr(`tierguard: ${incompleteness(opts.flows, summary.skippedLines, outcome)}\n`);
    return EXIT_INVALID;
  }
  return EXIT_OK;
}

/** Each record as it is replayed: a JSON array element, a text line, or nothing (summary). */
function recordPrinter(output: "text" | "json" | "summary", io: CliIo, model: CalicoModel): RecordHooks["onRecord"] {
  let first = true;
  return (record, outcome) => {
    if (output === "json") {
      io.stdout((first ? "\n" : ",\n") + JSON.stringify(recordJson(record, outcome, model)));
      first = false;
    } else if (output === "text") {
      io.stdout(recordText(record, outcome, model) + "\n");
    }
  };
}

/**
 * Calico 3.33 and later (impact/compare.ts): recorded verdicts are the enforced ones, so the JSON says what they were
 * compared with and how many records were set aside. 3.32 and earlier: the comparison as it always was.
 */
function comparisonJson(c: Comparison, version: CalicoVersion): Comparison | Record<string, unknown> {
  if (!stagedNeverDecides(version)) return c;
  return { ...c, stagedVerdict: c.stagedVerdict ?? 0, verdictsComparedWith: "enforced" };
}

function stagedVerdictText(c: Comparison, version: CalicoVersion): string {
  if (!stagedNeverDecides(version)) return "";
  const out = [
    `  Calico ${version.text}: recorded verdicts are compared with tierguard's enforced verdict only; from 3.33 a staged policy never decides a flow log's verdict (staged policies show only in pending_policies)`,
  ];
  if (c.stagedVerdict) {
    out.push(
      `  set aside: ${plural(c.stagedVerdict, "record")} whose own trace gives the verdict to a staged policy, which Calico 3.33 never writes ` +
        "(3.32.1 and earlier could, when a flow's rule match changed mid-flow): their verdicts and enforced traces were not compared; " +
        "if these logs come from before an upgrade, compare them with --calico-version 3.32",
    );
  }
  return out.join("\n") + "\n";
}

function workersOption(option: string): "auto" | number {
  if (option === "auto") return "auto";
  if (!/^\d+$/.test(option) || Number(option) < 1 || Number(option) > 64) throw new UsageError(`--workers must be auto or 1-64, not "${option}"`);
  return Number(option);
}

/** The closing line when the results are not those of the whole file. */
function incompleteness(file: string, skippedLines: number, outcome: ReadOutcome): string {
  if (outcome.stopped?.kind === "unavailable") return `cannot read ${file}: ${outcome.stopped.cause}`;
  if (outcome.stopped) return `${file} was read only up to ${describeStop(outcome.stopped)}; the results cover the ${plural(outcome.records, "record")} before it`;
  if (outcome.records === 0) return `${file} gave no flow record: nothing was replayed`;
  return `${plural(skippedLines, "line")} of ${file} could not be read; their records are missing from the results`;
}
