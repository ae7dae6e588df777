import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { buildBoard, HitCounter, renderBoardHtml, type BoardInput } from "../board/index.js";
import type { Endpoint, EngineUniverse } from "../engine/index.js";
import { DEFAULT_MAX_LINE_LENGTH } from "../flows/detect.js";
import type { Inventory } from "../flows/inventory.js";
import { endpointForPod } from "../impact/endpoint-spec.js";
import { Replayer } from "../impact/replay.js";
import { EndpointResolver } from "../impact/resolve.js";
import { describeFsError } from "../io/files.js";
import { GitError } from "../io/git.js";
import { readInventory } from "../io/inventory.js";
import { exportBlob, readGitRevisionPair } from "../io/repo.js";
import type { RevisionPair } from "../run/revisions.js";
import { fileFlowReader } from "../io/flow-reader.js";
import { buildReplayer, DEFAULT_MAX_SNAPSHOT_BYTES, NO_PROGRESS, replayFile, replayImpact, SimulateSink, type FlowFile } from "../run/index.js";
import { DEFAULT_LOAD_LIMITS, hasErrors, type Diagnostic } from "../policy/index.js";
import { renderDiagnosticsText } from "../report/diagnostics.js";
import { prepareReview } from "../review/prepare.js";
import { loadInventory } from "./snapshot.js";
import { checkReadableFile, loadPolicies, policyInputOptions, positiveInt, type PolicyInputOptions, stderrNote } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";
import { ProgressLine } from "./progress.js";

/**
 * `tierguard board`: the policy board as one HTML file. The counts come from the replay `simulate` runs (the
 * replay runner's simulate sink over the same Replayer), and with --repo/--base/--head the change and its impact
 * from the functions `review` runs (readGitRevisionPair, prepareReview, replayImpact), so the page shows the same
 * numbers both commands print.
 */
interface BoardOptions extends PolicyInputOptions {
  policies?: string[];
  flows?: string[];
  inventory?: string;
  repo?: string;
  base?: string;
  head?: string;
  out: string;
  title?: string;
  unusedDays: number;
  maxLineBytes: number;
}

export function registerBoard(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command("board")
    .description("the policy board: tiers, policies, hit counts and what a change does, as one self-contained HTML file")
    .option("--policies <paths...>", "policy files or directories (not with --repo)")
    .option("--flows <files...>", "flow snapshots (JSON lines, .gz accepted) for the hit counts")
    .option("--inventory <file>", "kubectl get namespaces,pods,serviceaccounts -A -o yaml: endpoints each policy selects")
    .option("--repo <dir>", "a policy repository: show the change from --base to --head (tierguard.yaml, snapshot and inventory from the base)")
    .option("--base <rev>", "with --repo: the base revision")
    .option("--head <rev>", "with --repo: the revision shown", "HEAD")
    .requiredOption("--out <file>", "where to write the HTML page")
    .option("--title <text>", "the page title")
    .addOption(new Option("--unused-days <n>", "a policy whose last hit is older than this (before the newest record) is marked unused").default(90).argParser(positiveInt("--unused-days")))
    .addOption(new Option("--max-line-bytes <n>", "longest flow line accepted").default(DEFAULT_MAX_LINE_LENGTH).argParser(positiveInt("--max-line-bytes")));
  for (const o of policyInputOptions()) cmd.addOption(o);
  cmd.action(async (opts: BoardOptions) => setExit(await board(opts, io)));
}

async function board(opts: BoardOptions, io: CliIo): Promise<number> {
  if (opts.repo === undefined && !opts.policies?.length) throw new UsageError("give --policies PATH..., or --repo DIR --base REV --head REV");
  if (opts.repo !== undefined && opts.policies?.length) throw new UsageError("--policies and --repo do not go together: with --repo the policies come from the revisions");
  if (opts.repo !== undefined && opts.base === undefined) throw new UsageError("--repo needs --base (and --head, default HEAD)");
  for (const f of opts.flows ?? []) await checkReadableFile(resolve(io.cwd, f), `--flows ${f}`);
  const problems: Diagnostic[] = [];
  const input = opts.repo !== undefined ? await repoInput(opts, io, problems) : await pathsInput(opts, io, problems);
  const html = renderBoardHtml(buildBoard(input));
  const out = resolve(io.cwd, opts.out);
  try {
    await writeFile(out, html);
  } catch (e) {
    throw new InputError(`cannot write --out ${opts.out}: ${describeFsError(e)}`);
  }
  io.stderr(`tierguard: wrote the board (${input.set.policies.length} policies) to ${opts.out}\n`);
  if (problems.length > 0) {
    io.stderr(renderDiagnosticsText(problems.slice(0, 20)) + "\n");
    io.stderr(`tierguard: ${problems.length} flow lines could not be read; their records are missing from the counts\n`);
    return EXIT_INVALID;
  }
  return EXIT_OK;
}

async function inventoryAt(path: string, io: CliIo, shown = path): Promise<Inventory> {
  const read = await readInventory(path, { cwd: io.cwd });
  if (!read.inventory) {
    io.stderr(renderDiagnosticsText(read.diagnostics) + "\n");
    throw new InputError(`cannot use the inventory ${shown}`);
  }
  return read.inventory;
}

function podsOf(inventory: Inventory | undefined, universe: EngineUniverse): Endpoint[] | undefined {
  return inventory?.pods.map((p) => endpointForPod(p, inventory, universe));
}

/** The replay `simulate` does, over every flow file, counting hits per policy and rule on the way. */
async function countHits(replayer: Replayer, flows: readonly FlowFile[], maxLineBytes: number, io: CliIo, problems: Diagnostic[]) {
  const counter = new HitCounter();
  const progress = new ProgressLine(io, "records");
  const limits = { maxLineBytes, maxBytes: DEFAULT_MAX_SNAPSHOT_BYTES };
  const sink = new SimulateSink(replayer, { needRecord: true, compareRecorded: false }, fileFlowReader, limits, {
    onRecord: (record, outcome) => counter.add(outcome, record.numFlows, record),
  });
  // No spec: hit counts need every record in this thread (the counter is no part a worker posts back).
  for (const f of flows) await replayFile(sink, f, { workers: 1, limits, reader: fileFlowReader, progress });
  progress.done();
  problems.push(...sink.totals.problems);
  return { counter, summary: sink.totals.summary };
}

async function pathsInput(opts: BoardOptions, io: CliIo, problems: Diagnostic[]): Promise<BoardInput> {
  const loaded = await loadPolicies(opts.policies!, opts, io.cwd, stderrNote(io));
  if (hasErrors(loaded.diagnostics)) {
    io.stderr(renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === "error")) + "\n");
    throw new InputError("the policies have errors (run tierguard validate); no board was written");
  }
  const inventory = opts.inventory ? await inventoryAt(opts.inventory, io) : undefined;
  const replayer = buildReplayer(loaded.resources, { version: loaded.version, stagedDelete: "preview", inventory });
  const flows = (opts.flows ?? []).map((f) => ({ path: resolve(io.cwd, f), display: f }));
  const hits = flows.length > 0 ? await countHits(replayer, flows, opts.maxLineBytes, io, problems) : undefined;
  return {
    title: opts.title ?? "tierguard policy board",
    sources: [`policies: ${opts.policies!.join(", ")}`, ...(opts.flows ?? []).map((f) => `flows: ${f}`), ...(opts.inventory ? [`inventory: ${opts.inventory}`] : [])],
    set: replayer.set,
    summary: hits?.summary,
    counter: hits?.counter,
    pods: podsOf(inventory, replayer.set.universe),
    unusedDays: opts.unusedDays,
  };
}

/** Both revisions as `review` reads them; the snapshot and inventory from the base unless given. */
async function repoInput(opts: BoardOptions, io: CliIo, problems: Diagnostic[]): Promise<BoardInput> {
  const repo = resolve(io.cwd, opts.repo!);
  let pair: RevisionPair;
  try {
    pair = await readGitRevisionPair(repo, opts.base!, opts.head!, opts.maxFileBytes);
  } catch (e) {
    if (e instanceof GitError) throw new InputError(`cannot read the revisions: ${e.message}`);
    throw e;
  }
  const { config } = pair;
  // The inventory is read in memory, as review reads it (loadInventory); only a flow snapshot from the base, which
  // the replay streams, goes to a scratch file, and the folder is made when the first one does.
  const notes: string[] = [];
  const inventory = await loadInventory(opts, pair, repo, io, notes);
  for (const n of notes) stderrNote(io)(n);
  const invShown = opts.inventory ?? (inventory && config.inventory ? `${config.inventory} (at ${opts.base})` : undefined);
  let scratch: string | undefined;
  try {
    const fromBase = async (path: string, name: string) => {
      const entry = pair.baseTip.tree.find((e) => e.path === path);
      if (!entry) return undefined;
      scratch ??= await mkdtemp(join(tmpdir(), "tierguard-board-"));
      await exportBlob(repo, entry.blob, join(scratch, name));
      return { path: join(scratch, name), display: `${path} (at ${opts.base})` };
    };
    let flows: FlowFile[] = (opts.flows ?? []).map((f) => ({ path: resolve(io.cwd, f), display: f }));
    if (flows.length === 0) {
      for (const [i, p] of config.flows.entries()) {
        const f = /^https?:/.test(p) ? undefined : await fromBase(p, `flows-${i}`);
        if (f) flows.push(f);
      }
    }
    const limits = { ...DEFAULT_LOAD_LIMITS, maxFileBytes: opts.maxFileBytes };
    const { ctx } = prepareReview(pair.base, pair.head, config, limits, inventory);
    // The review's impact, computed by the function runReviewPipeline calls.
    const run = { maxLineBytes: opts.maxLineBytes, maxBytes: DEFAULT_MAX_SNAPSHOT_BYTES, workers: 1, reader: fileFlowReader, progress: NO_PROGRESS };
    const impactInput = { config, limits, base: pair.base, head: pair.head, inventory, flows };
    const impact = flows.length > 0 ? (await replayImpact(ctx, impactInput, run)).impact : undefined;
    const hits = flows.length > 0 ? await countHits(new Replayer(ctx.head.set, new EndpointResolver(ctx.universe, inventory)), flows, opts.maxLineBytes, io, problems) : undefined;
    return {
      title: opts.title ?? `tierguard policy board: ${opts.base} → ${opts.head}`,
      sources: [`repository ${opts.repo} at ${opts.head} (${pair.head.commit.slice(0, 12)}), compared with ${opts.base} (${pair.baseTip.commit.slice(0, 12)})`, ...flows.map((f) => `flows: ${f.display}`), ...(invShown ? [`inventory: ${invShown}`] : [])],
      set: ctx.head.set,
      summary: hits?.summary,
      counter: hits?.counter,
      pods: podsOf(inventory, ctx.universe),
      unusedDays: opts.unusedDays,
      change: { base: opts.base!, head: opts.head!, baseSet: ctx.base.set, changes: ctx.changes, impact },
    };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
