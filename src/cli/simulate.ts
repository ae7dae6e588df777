import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { EngineUniverse, PolicySet } from "../engine/index.js";
import { createFlowValueParser, DEFAULT_MAX_LINE_LENGTH } from "../flows/detect.js";
import { flowProblemToDiagnostic, type FlowFormat } from "../flows/types.js";
import { compareRecord, emptyComparison } from "../impact/compare.js";
import { Replayer } from "../impact/replay.js";
import { EndpointResolver } from "../impact/resolve.js";
import { addToSummary, emptySummary } from "../impact/summary.js";
import { readInventory } from "../io/inventory.js";
import { readLines } from "../io/lines.js";
import { hasErrors, type Diagnostic } from "../policy/index.js";
import { plural, renderDiagnosticsText } from "../report/diagnostics.js";
import { comparisonText, recordJson, recordText, summaryText } from "../report/simulate.js";
import { checkReadableFile, loadPolicies, outputFormat, policyInputOptions, positiveInt, type PolicyInputOptions } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, type CliIo } from "./io.js";
import { Progress } from "./progress.js";

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
  maxProblems: number;
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
    .addOption(new Option("--max-problems <n>", "most unreadable-line problems printed").default(20).argParser(positiveInt("--max-problems")));
  for (const o of policyInputOptions()) cmd.addOption(o);
  cmd.action(async (opts: SimulateOptions) => setExit(await simulate(opts, io)));
}

async function simulate(opts: SimulateOptions, io: CliIo): Promise<number> {
  const output = outputFormat(opts.output, ["text", "json", "summary"] as const);
  const loaded = await loadPolicies(opts.policies, opts, io.cwd);
  if (hasErrors(loaded.diagnostics)) {
    io.stderr(renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === "error")) + "\n");
    io.stderr(`tierguard: the policies have errors (run tierguard validate); nothing was simulated\n`);
    return EXIT_INVALID;
  }
  // Checked before any output, so that a wrong path is one clear error rather than an empty report.
  const flowsPath = resolve(io.cwd, opts.flows);
  await checkReadableFile(flowsPath, `--flows ${opts.flows}`);
  const universe = new EngineUniverse();
  const inventory = opts.inventory ? await readInventory(opts.inventory, { cwd: io.cwd }) : undefined;
  if (inventory && !inventory.inventory) {
    io.stderr(renderDiagnosticsText(inventory.diagnostics) + "\n");
    throw new InputError(`cannot use the inventory ${opts.inventory}`);
  }
  if (inventory && inventory.diagnostics.length > 0) io.stderr(renderDiagnosticsText(inventory.diagnostics) + "\n");
  const inv = inventory?.inventory;
  const set = new PolicySet(loaded.resources, {
    version: loaded.version,
    universe,
    stagedDelete: opts.stagedDelete as "preview" | "ignore",
    namespaceLabels: inv ? new Map([...inv.namespaces].map(([k, v]) => [k, v.labels])) : undefined,
  });
  const replayer = new Replayer(set, new EndpointResolver(universe, inv));
  const needRecord = output !== "summary" || Boolean(opts.compareRecorded);
  const parse = createFlowValueParser({ format: opts.format === "auto" ? undefined : (opts.format as FlowFormat), maxLineLength: opts.maxLineBytes });
  const summary = emptySummary();
  const comparison = emptyComparison();
  const problems: Diagnostic[] = [];
  const progress = new Progress(io, "records");
  const model = set.version.model;
  let first = true;
  if (output === "json") io.stdout('{"results":[');

  for await (const ev of readLines(flowsPath, { maxLineBytes: opts.maxLineBytes })) {
    if (ev.type !== "line") {
      summary.skippedLines++;
      problems.push({
        code: ev.type === "error" ? `flows/${ev.reason}` : "flows/line-too-long",
        severity: "error",
        message: ev.type === "error" ? ev.message : `the line is ${ev.bytes} bytes long; the limit is ${opts.maxLineBytes}`,
        file: opts.flows,
        line: ev.number,
        col: 1,
        path: "",
      });
      continue;
    }
    const parsed = parse(ev.line.text, ev.line.number);
    const replayed = parsed.value ? replayer.replayValue(parsed.value, parsed.format, ev.line.number, needRecord) : { problems: parsed.diagnostics };
    if ("problems" in replayed) {
      if (replayed.problems.length > 0) summary.skippedLines++;
      for (const p of replayed.problems) problems.push(flowProblemToDiagnostic(p, opts.flows));
      continue;
    }
    const { outcome, record } = replayed;
    addToSummary(summary, replayed.numFlows, outcome);
    progress.tick();
    if (!record) continue;
    if (opts.compareRecorded) compareRecord(comparison, record, outcome, model);
    if (output === "json") {
      io.stdout((first ? "\n" : ",\n") + JSON.stringify(recordJson(record, outcome, model)));
      first = false;
    } else if (output === "text") {
      io.stdout(recordText(record, outcome, model) + "\n");
    }
  }
  progress.done();

  if (output === "json") {
    const tail: Record<string, unknown> = { summary, problems };
    if (opts.compareRecorded) tail.comparison = comparison;
    io.stdout(`\n],${JSON.stringify(tail).slice(1)}\n`);
  } else {
    if (output === "text") io.stdout("\n");
    io.stdout(summaryText(summary));
    if (opts.compareRecorded) io.stdout(comparisonText(comparison));
  }
  if (problems.length > 0) {
    io.stderr(renderDiagnosticsText(problems.slice(0, opts.maxProblems)) + "\n");
    if (problems.length > opts.maxProblems) io.stderr(`... and ${problems.length - opts.maxProblems} more problems\n`);
    io.stderr(`tierguard: ${plural(summary.skippedLines, "line")} of ${opts.flows} could not be read; their records are missing from the results\n`);
    return EXIT_INVALID;
  }
  return EXIT_OK;
}
