import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { DEFAULT_MAX_LINE_LENGTH } from "../flows/detect.js";
import { GitError, UnknownRevision } from "../io/git.js";
import { fileFlowReader } from "../io/flow-reader.js";
import { readGitRevisionPair } from "../io/repo.js";
import { gitUserLogin, uncommittedPaths, workingTree } from "../io/worktree.js";
import { describeFsError } from "../io/files.js";
import { stat } from "node:fs/promises";
import type { RevisionPair } from "../run/revisions.js";
import { DEFAULT_LOAD_LIMITS } from "../policy/index.js";
import { renderReviewComment, renderReviewJson, renderReviewSarif, renderReviewText } from "../report/review/index.js";
import type { Principal } from "../review/ownership.js";
import type { SnapshotProblem } from "../review/snapshot-problems.js";
import { hasErrorFindings, type Finding } from "../review/types.js";
import { outputFormat, positiveInt } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, useColour, type CliIo } from "./io.js";
import { VERSION } from "./version.js";
import { ProgressLine } from "./progress.js";
import { flowFiles, loadInventory } from "./snapshot.js";
// The run layer's own files, as simulate imports them: its index also loads the board, recommendation and promotion.
import { DEFAULT_MAX_SNAPSHOT_BYTES, type FlowFile } from "../run/flow-lines.js";
import { runReviewPipeline } from "../run/review.js";
import { AUTO_MIN_BYTES } from "../run/runner.js";

/**
 * `tierguard review`: the pull-request review from the command line. Reads both revisions from git (no checkout),
 * the configuration and the flow snapshot from the BASE revision (unless --flows/--inventory name local files),
 * runs every check and the impact replay, and prints one of the report forms.
 */
interface ReviewOptions {
  repo: string;
  base: string;
  head?: string;
  author?: string;
  teams?: string;
  approvedBy?: string;
  ackImpact?: boolean;
  flows?: string[];
  inventory?: string;
  output: string;
  maxFileBytes: number;
  maxLineBytes: number;
  maxSnapshotBytes: number;
  workers: string;
}

export function registerReview(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("review")
    .description("review a policy change between two git revisions: validation, ownership, guard rails, policy tests, lint and the impact on recorded traffic")
    .option("--repo <dir>", "the policy repository (a git work tree or bare repository)", ".")
    .requiredOption("--base <rev>", "the base revision (the target branch): its tierguard.yaml and flow snapshot are used; the head is compared with the merge base of the two")
    .option("--head <rev>", "the revision under review (default: the working tree, uncommitted changes included)")
    .option("--author <login>", "the GitHub login of the pull request's author (default: git config github.user, or the login of a GitHub no-reply user.email, or user.name when it is a login)")
    .option("--teams <list>", "the author's teams, comma-separated: org/team or @org/team")
    .option("--approved-by <list>", "approvals, comma-separated: LOGIN or LOGIN=org/t1+org/t2 (with that reviewer's teams)")
    .option("--ack-impact", "acknowledge that newly denied flows are intended (they become notices)")
    .option("--flows <files...>", "flow snapshots to replay instead of the ones tierguard.yaml names")
    .option("--inventory <file>", "kubectl get namespaces,pods,serviceaccounts -A -o yaml, instead of tierguard.yaml's")
    .addOption(new Option("-o, --output <format>", "markdown (the PR comment), json, sarif or text").default("text"))
    .addOption(new Option("--max-file-bytes <n>", "largest policy file reviewed").default(DEFAULT_LOAD_LIMITS.maxFileBytes).argParser(positiveInt("--max-file-bytes")))
    .addOption(new Option("--max-line-bytes <n>", "longest flow line accepted").default(DEFAULT_MAX_LINE_LENGTH).argParser(positiveInt("--max-line-bytes")))
    .addOption(new Option("--max-snapshot-bytes <n>", "most bytes read from one flow snapshot, after decompression").default(DEFAULT_MAX_SNAPSHOT_BYTES).argParser(positiveInt("--max-snapshot-bytes")))
    .option("--workers <n>", `worker threads for replaying an uncompressed snapshot: a number, or auto (one per CPU for files over ${AUTO_MIN_BYTES / 2 ** 20} MiB)`, "auto")
    .action(async (opts: ReviewOptions) => setExit(await review(opts, io)));
}

export function parsePrincipals(author: string, teams: string | undefined, approvedBy: string | undefined): { author: Principal; approvals: Principal[] } {
  const list = (s: string | undefined, sep: string) => (s ?? "").split(sep).map((x) => x.trim()).filter(Boolean);
  const approvals = list(approvedBy, ",").map((entry) => {
    const [login, rest] = entry.split("=", 2);
    if (!/^@?[A-Za-z0-9-]+$/.test(login)) throw new UsageError(`--approved-by: "${entry}" is not LOGIN or LOGIN=org/team+org/team`);
    return { login: login.replace(/^@/, ""), teams: list(rest, "+") };
  });
  if (!/^@?[A-Za-z0-9-]+$/.test(author)) throw new UsageError(`--author "${author}" is not a GitHub login`);
  return { author: { login: author.replace(/^@/, ""), teams: list(teams, ",") }, approvals };
}

async function review(opts: ReviewOptions, io: CliIo): Promise<number> {
  const output = outputFormat(opts.output, ["markdown", "json", "sarif", "text"] as const);
  if (opts.workers !== "auto" && !(/^\d+$/.test(opts.workers) && Number(opts.workers) >= 1 && Number(opts.workers) <= 64)) {
    throw new UsageError(`--workers must be auto or 1-64, not "${opts.workers}"`);
  }
  const repo = resolve(io.cwd, opts.repo);
  await checkRepoDir(repo, opts.repo);
  const notes: string[] = [];
  let pair: RevisionPair;
  let author: Principal;
  let approvals: Principal[];
  try {
    ({ author, approvals } = parsePrincipals(opts.author ?? (await defaultAuthor(repo, notes)), opts.teams, opts.approvedBy));
    pair = await readGitRevisionPair(repo, opts.base, await headRevision(repo, opts.head, io, notes), opts.maxFileBytes);
  } catch (e) {
    if (e instanceof UnknownRevision) throw new UsageError(`cannot read the revisions: ${e.message}`);
    if (e instanceof GitError) throw new InputError(`cannot read the revisions: ${e.message}`);
    throw e;
  }
  const { config } = pair;
  const scratch = await mkdtemp(join(tmpdir(), "tierguard-review-"));
  try {
    if (pair.note) notes.push(pair.note);
    const extra: Finding[] = [...pair.skipped];
    const inventory = await loadInventory(opts, pair, repo, io, notes);
    const limits = { ...DEFAULT_LOAD_LIMITS, maxFileBytes: opts.maxFileBytes };
    const snapshotProblems: SnapshotProblem[] = [];
    const flows = await flowFiles(opts, pair, repo, scratch, io, notes, snapshotProblems);
    const progress = new ProgressLine(io, "records");
    const result = await runReviewPipeline({
      config,
      configSource: pair.configSource,
      configFindings: pair.configFindings,
      configChanged: pair.configChanged,
      // The base tip's commit is the one shown; the merge base's files are what the head is compared with.
      base: { ...pair.base, commit: pair.baseTip.commit },
      head: pair.head,
      limits,
      author,
      approvals,
      acknowledgedBy: opts.ackImpact ? author.login : undefined,
      inventory,
      flows,
      snapshotProblems,
      notes,
      extraFindings: extra,
      maxLineBytes: opts.maxLineBytes,
      maxSnapshotBytes: opts.maxSnapshotBytes,
      workers: opts.workers === "auto" ? "auto" : Number(opts.workers),
      reader: fileFlowReader,
      progress,
    });
    progress.done();
    switch (output) {
      case "markdown":
        io.stdout(renderReviewComment(result));
        break;
      case "json":
        io.stdout(renderReviewJson(result));
        break;
      case "sarif":
        io.stdout(renderReviewSarif(result, { toolVersion: VERSION }));
        break;
      case "text":
        io.stdout(renderReviewText(result, { color: useColour(io) }));
        break;
    }
    return hasErrorFindings(result.findings) ? EXIT_INVALID : EXIT_OK;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A --repo that is not there is said plainly, before git says "main is not a commit". */
async function checkRepoDir(repo: string, given: string): Promise<void> {
  let info;
  try {
    info = await stat(repo);
  } catch (e) {
    throw new InputError(`cannot read --repo ${given}: ${describeFsError(e)}`);
  }
  if (!info.isDirectory()) throw new InputError(`cannot read --repo ${given}: not a directory`);
}

/**
 * --head, else the working tree: uncommitted edits are what a local user means to review. A bare repository has no
 * working tree, so HEAD is reviewed there. With --head, uncommitted changes are left out, and the user is warned.
 */
async function headRevision(repo: string, head: string | undefined, io: CliIo, notes: string[]): Promise<string | { rev: string; commit: string }> {
  if (head !== undefined) {
    const dirty = await uncommittedPaths(repo).catch(() => []);
    if (dirty.length > 0) {
      io.stderr(`tierguard: warning: the working tree has uncommitted changes (${listPaths(dirty)}); they are not reviewed, because --head ${head} names a commit. Leave out --head to review the working tree.\n`);
    }
    return head;
  }
  const tree = await workingTree(repo);
  if (!tree) {
    notes.push("Reviewed HEAD: the repository is bare, so it has no working tree (pass --head to choose a revision).");
    return "HEAD";
  }
  if (tree.changed.length === 0) {
    notes.push("Reviewed the working tree, which has no uncommitted changes: the same as HEAD.");
    return { rev: "HEAD", commit: tree.commit };
  }
  notes.push(`Reviewed the working tree, uncommitted changes included (${listPaths(tree.changed)}); pass --head to review a commit.`);
  return { rev: "working tree", commit: tree.commit };
}

function listPaths(paths: readonly string[]): string {
  const shown = paths.slice(0, 3).join(", ");
  return paths.length > 3 ? `${paths.length} files: ${shown}, ...` : `${paths.length === 1 ? "1 file" : `${paths.length} files`}: ${shown}`;
}

/** --author, else the local git user's GitHub login; none found is a usage error that says what to set. */
async function defaultAuthor(repo: string, notes: string[]): Promise<string> {
  const found = await gitUserLogin(repo);
  if (!found.login) throw new UsageError(`give --author LOGIN (the pull request author's GitHub login): ${found.tried}; or set git config github.user LOGIN`);
  notes.push(`The author is @${found.login} (from ${found.tried}; pass --author to change it).`);
  return found.login;
}

