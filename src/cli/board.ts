import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { addAgentCounters, buildBoard, emptyAgentHits, renderBoardHtml, type AgentHits, type BoardInput } from "../board/index.js";
import { DEFAULT_MAX_LINE_LENGTH } from "../flows/detect.js";
import type { Inventory } from "../flows/inventory.js";
import { describeFsError } from "../io/files.js";
import { GitError } from "../io/git.js";
import { readInventory } from "../io/inventory.js";
import { exportBlob, readGitRevisionPair } from "../io/repo.js";
import type { RevisionPair } from "../run/revisions.js";
import { fileFlowReader } from "../io/flow-reader.js";
import { changeBoard, headBoard } from "../run/board.js";
import type { FlowFile } from "../run/flow-lines.js";
import { DEFAULT_LOAD_LIMITS, hasErrors, type Diagnostic } from "../policy/index.js";
import { renderDiagnosticsText } from "../report/diagnostics.js";
import { checkReadableFile, loadPolicies, policyInputOptions, positiveInt, type PolicyInputOptions, stderrNote } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";
import { ProgressLine } from "./progress.js";
import { loadInventory } from "./snapshot.js";

/**
 * `tierguard board`: the policy board as one HTML file. The counts come from the replay `simulate` runs (the
 * replay runner's simulate sink over the same Replayer), and with --repo/--base/--head the change and its impact
 * from the functions `review` runs (readGitRevisionPair, prepareReview, replayImpact), so the page shows the same
 * numbers both commands print; run/board.ts composes them (the Action and the App show the same board). With
 * --counters, the node agents' counters add connections per policy and rule.
 */
interface BoardOptions extends PolicyInputOptions {
  policies?: string[];
  flows?: string[];
  counters?: string[];
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
    .option("--counters <files...>", "the node agents' counters, per policy and rule: tierguard agent counters --output json, or the agent's /metrics page (one file per node, or concatenated)")
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
  const agent = opts.counters?.length ? await readCounters(opts.counters, io) : undefined;
  const problems: Diagnostic[] = [];
  const input = opts.repo !== undefined ? await repoInput(opts, io, problems, agent) : await pathsInput(opts, io, problems, agent);
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

/** Every counters file added up; an unreadable one is an error naming file and line (no board is written). */
async function readCounters(files: readonly string[], io: CliIo): Promise<AgentHits> {
  const hits = emptyAgentHits();
  for (const f of files) {
    const path = resolve(io.cwd, f);
    await checkReadableFile(path, `--counters ${f}`);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      throw new InputError(`cannot read --counters ${f}: ${describeFsError(e)}`);
    }
    const problems = addAgentCounters(hits, text, f);
    if (problems.length > 0) {
      for (const p of problems) io.stderr(`${f}:${p.line}: error [counters/unreadable] ${p.message}\n`);
      throw new InputError(`the agent counters in ${f} could not be read; no board was written`);
    }
  }
  return hits;
}

async function pathsInput(opts: BoardOptions, io: CliIo, problems: Diagnostic[], agent: AgentHits | undefined): Promise<BoardInput> {
  const loaded = await loadPolicies(opts.policies!, opts, io.cwd, stderrNote(io));
  if (hasErrors(loaded.diagnostics)) {
    io.stderr(renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === "error")) + "\n");
    throw new InputError("the policies have errors (run tierguard validate); no board was written");
  }
  const inventory = opts.inventory ? await inventoryAt(opts.inventory, io) : undefined;
  const flows = (opts.flows ?? []).map((f) => ({ path: resolve(io.cwd, f), display: f }));
  const progress = new ProgressLine(io, "records");
  const board = await headBoard({
    resources: loaded.resources,
    version: loaded.version,
    inventory,
    flows,
    reader: fileFlowReader,
    maxLineBytes: opts.maxLineBytes,
    progress,
    title: opts.title ?? "tierguard policy board",
    sources: [`policies: ${opts.policies!.join(", ")}`, ...(opts.flows ?? []).map((f) => `flows: ${f}`), ...(opts.inventory ? [`inventory: ${opts.inventory}`] : []), ...(opts.counters ?? []).map((f) => `agent counters: ${f}`)],
    unusedDays: opts.unusedDays,
    agent,
  });
  progress.done();
  problems.push(...board.problems);
  return board.input;
}

/** Both revisions as `review` reads them; the snapshot and inventory from the base unless given. */
async function repoInput(opts: BoardOptions, io: CliIo, problems: Diagnostic[], agent: AgentHits | undefined): Promise<BoardInput> {
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
    const progress = new ProgressLine(io, "records");
    const board = await changeBoard({
      base: { ...pair.base, rev: opts.base! },
      head: { ...pair.head, rev: opts.head! },
      config,
      limits: { ...DEFAULT_LOAD_LIMITS, maxFileBytes: opts.maxFileBytes },
      inventory,
      flows,
      impact: "replay",
      reader: fileFlowReader,
      maxLineBytes: opts.maxLineBytes,
      progress,
      title: opts.title ?? `tierguard policy board: ${opts.base} → ${opts.head}`,
      sources: [
        `repository ${opts.repo} at ${opts.head} (${pair.head.commit.slice(0, 12)}), compared with ${opts.base} (${pair.baseTip.commit.slice(0, 12)})`,
        ...flows.map((f) => `flows: ${f.display}`),
        ...(invShown ? [`inventory: ${invShown}`] : []),
        ...(opts.counters ?? []).map((f) => `agent counters: ${f}`),
      ],
      unusedDays: opts.unusedDays,
      agent,
    });
    progress.done();
    problems.push(...board.problems);
    return board.input;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
