import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { prNumberFromTitle } from "../audit/index.js";
import type { Log } from "../contracts/index.js";
import type { ClusterPort } from "../controller/port.js";
import { runStage, runUnstage, type StageResult } from "../controller/stage.js";
import { runSync, type SyncResult } from "../controller/sync.js";
import { git, GitError } from "../io/git.js";
import { readGitRevisionPair } from "../io/repo.js";
import { DEFAULT_LOAD_LIMITS, type CalicoVersion, type Diagnostic, type Resource } from "../policy/index.js";
import type { OrderWrites, Provenance } from "../reconcile/index.js";
import { diffResources, loadRevision, type TierguardConfig } from "../review/index.js";
import type { RevisionPair } from "../run/revisions.js";
import { calicoVersion, checkReadableFile, outputFormat, positiveInt } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";
import { renderStageText, renderSyncText } from "./sync-text.js";
import { syncOrderer } from "./sync-transitional.js";
import { printWaitNotes, programmingJson, REAL_WAIT_CLOCK, waitDuration, waitProgrammed, type WaitClock, type WaitOutcome } from "./sync-wait.js";

/**
 * `tierguard sync`, `tierguard stage` and `tierguard unstage`: the controller's work from the command line. The
 * repository is read from git at a revision (no checkout), the cluster through a ClusterPort made from the
 * kubeconfig by an injected factory (the Kubernetes adapter, src/controller/kube, is wired in by the composition
 * root). Exit 0 when the cluster is converged, 1 when it is not or the sync was refused, 2 on usage errors.
 */
export type ClusterPortFactory = (kubeconfig: string, opts: { context?: string; log: Log }) => ClusterPort | Promise<ClusterPort>;

export interface SyncCommandDeps {
  /** Undefined: the Kubernetes adapter (`kubePort`). */
  clusterPort?: ClusterPortFactory;
  /** The transitional orderer; undefined: the check over the snapshot tierguard.yaml names at REF (sync-transitional.ts). */
  orderWrites?: OrderWrites;
  /** `--wait-programmed`'s clock; undefined: the system clock and setTimeout. */
  waitClock?: WaitClock;
}

interface CommonOptions {
  kubeconfig: string;
  output: string;
  calicoVersion?: string;
}
interface SyncOptions extends CommonOptions {
  repo: string;
  ref: string;
  environment?: string;
  dryRun?: boolean;
  allowTransitional?: boolean;
  adopt?: boolean;
  allowEmpty?: boolean;
  waitProgrammed?: string;
}
interface StageOptions extends CommonOptions {
  repo: string;
  base: string;
  head: string;
  pr: number;
}

const output = () => new Option("-o, --output <format>", "text or json").default("text");
const version = () => new Option("--calico-version <version>", "Calico name model: 3.31 (<tier>. prefixed policy names) or 3.32+ (plain); default: tierguard.yaml's calicoVersion");

export function registerSync(program: Command, io: CliIo, setExit: (code: number) => void, deps: SyncCommandDeps = {}): void {
  program
    .command("sync")
    .description("reconcile a cluster to the repository's policies at REF (what happens on merge); exit 0 when converged, 1 when not or refused (a dry run with writes pending is not converged)")
    .requiredOption("--kubeconfig <file>", "the kubeconfig of the cluster")
    .requiredOption("--repo <dir>", "the policy repository (a git work tree or bare repository)")
    .requiredOption("--ref <rev>", "the revision to reconcile to")
    .option("--environment <name>", "the environment (tierguard.yaml clusters[].environment, else the cluster's name); its context is used")
    .option("--dry-run", "plan and print, write nothing")
    .option("--allow-transitional", "apply even when no write order avoids a transitional outage or exposure")
    .option("--adopt", "take over unmanaged objects that have a repository resource's identity")
    .option("--allow-empty", "confirm a sync that deletes every managed policy, or more than half of them")
    .option(
      "--wait-programmed <duration>",
      "after converging, wait up to DURATION (30s, 5m) until every node's tierguard agent reports the policies applied (annotation tierguard.dev/policy-digest); exit 1 naming the nodes still stale when it runs out. Nodes without an agent are not waited for",
    )
    .addOption(version())
    .addOption(output())
    .action(async (opts: SyncOptions) => setExit(await syncCommand(opts, io, deps)));
  program
    .command("stage")
    .description("apply a pull request's added and changed policies as staged previews (and deletions as stagedAction Delete); enforced objects untouched")
    .requiredOption("--kubeconfig <file>", "the kubeconfig of the cluster")
    .requiredOption("--repo <dir>", "the policy repository")
    .requiredOption("--base <rev>", "the pull request's base revision")
    .requiredOption("--head <rev>", "the pull request's head revision")
    .addOption(new Option("--pr <n>", "the pull request number").makeOptionMandatory().argParser(positiveInt("--pr")))
    .addOption(version())
    .addOption(output())
    .action(async (opts: StageOptions) => setExit(await stageCommand(opts, io, deps)));
  program
    .command("unstage")
    .description("remove exactly what a pull request staged")
    .requiredOption("--kubeconfig <file>", "the kubeconfig of the cluster")
    .addOption(new Option("--pr <n>", "the pull request number").makeOptionMandatory().argParser(positiveInt("--pr")))
    .addOption(output())
    .action(async (opts: CommonOptions & { pr: number }) => setExit(await unstageCommand(opts, io, deps)));
}

async function syncCommand(opts: SyncOptions, io: CliIo, deps: SyncCommandDeps): Promise<number> {
  const format = outputFormat(opts.output, ["text", "json"] as const);
  const waitMs = opts.waitProgrammed === undefined ? undefined : waitDuration(opts.waitProgrammed);
  if (waitMs !== undefined && opts.dryRun) throw new UsageError("--wait-programmed waits for applied policies to reach the nodes; a --dry-run applies none");
  const repo = resolve(io.cwd, opts.repo);
  const pair = await readPair(repo, opts.ref, opts.ref);
  const config = withVersion(pair.config, opts.calicoVersion);
  const { environment, context } = pickEnvironment(config, opts.environment);
  const resources = loadValid(pair.head.policyFiles, config, opts.ref, io);
  if (!resources) return EXIT_INVALID;
  const commit = await commitInfo(repo, pair.head.commit);
  const log = jsonLog(io);
  const port = await makePort(deps, opts.kubeconfig, io, context, log);
  const orderWrites = deps.orderWrites ?? (await syncOrderer(pair, repo, config.calicoVersion, Boolean(opts.allowTransitional), io, log));
  const provenance: Provenance = { commit: pair.head.commit, time: new Date(io.now()).toISOString(), author: commit.author, ...(commit.pr !== undefined ? { pullRequest: commit.pr } : {}) };
  const result = await runSync(port, {
    resources, model: config.calicoVersion.model, provenance, environment, log, orderWrites,
    dryRun: opts.dryRun, allowTransitional: opts.allowTransitional, adopt: opts.adopt, allowEmpty: opts.allowEmpty,
  });
  let waited: WaitOutcome | undefined;
  if (waitMs !== undefined && result.converged) {
    io.stderr(`tierguard: waiting up to ${opts.waitProgrammed} for the nodes' agents to report the policies applied\n`);
    waited = await waitProgrammed(port, waitMs, deps.waitClock ?? REAL_WAIT_CLOCK);
  }
  printSync(result, format, io, { environment, commit: pair.head.commit, dryRun: Boolean(opts.dryRun) }, waited);
  return result.converged && !waited?.timedOut ? EXIT_OK : EXIT_INVALID;
}

/** JSON: exactly `{plan, writes, converged, transitional}`, plus `nodes` when --wait-programmed read them. */
function printSync(result: SyncResult, format: "text" | "json", io: CliIo, ctx: { environment: string; commit: string; dryRun: boolean }, waited?: WaitOutcome): void {
  for (const p of result.problems) io.stderr(`tierguard: ${p}\n`);
  if (waited) printWaitNotes(waited, io);
  const nodes = waited?.programming;
  if (format === "json") {
    const { plan, writes, converged, transitional } = result;
    io.stdout(JSON.stringify({ plan, writes, converged, transitional, ...(nodes ? { nodes: programmingJson(nodes) } : {}) }, null, 2) + "\n");
  } else io.stdout(renderSyncText(result, ctx) + (nodes && nodes.state !== "none" ? `Nodes: ${nodes.summary}.\n` : ""));
}

async function stageCommand(opts: StageOptions, io: CliIo, deps: SyncCommandDeps): Promise<number> {
  const format = outputFormat(opts.output, ["text", "json"] as const);
  const repo = resolve(io.cwd, opts.repo);
  const pair = await readPair(repo, opts.base, opts.head);
  const config = withVersion(pair.config, opts.calicoVersion);
  const base = loadValid(pair.base.policyFiles, config, opts.base, io);
  const head = loadValid(pair.head.policyFiles, config, opts.head, io);
  if (!base || !head) return EXIT_INVALID;
  const commit = await commitInfo(repo, pair.head.commit);
  const log = jsonLog(io);
  const { environment, context } = pickEnvironment(config, undefined, true);
  const port = await makePort(deps, opts.kubeconfig, io, context, log);
  const provenance: Provenance = { commit: pair.head.commit, pullRequest: opts.pr, author: commit.author, time: new Date(io.now()).toISOString() };
  const result = await runStage(port, { changes: diffResources(base, head), pullRequest: opts.pr, model: config.calicoVersion.model, provenance, environment, log });
  return printStage(result, format, io, `pull request #${opts.pr}`);
}

async function unstageCommand(opts: CommonOptions & { pr: number }, io: CliIo, deps: SyncCommandDeps): Promise<number> {
  const format = outputFormat(opts.output, ["text", "json"] as const);
  const log = jsonLog(io);
  const port = await makePort(deps, opts.kubeconfig, io, undefined, log);
  const provenance: Provenance = { commit: "", pullRequest: opts.pr, time: new Date(io.now()).toISOString() };
  const result = await runUnstage(port, { pullRequest: opts.pr, provenance, environment: "default", log });
  return printStage(result, format, io, `pull request #${opts.pr}`);
}

function printStage(result: StageResult, format: "text" | "json", io: CliIo, what: string): number {
  for (const p of result.problems) io.stderr(`tierguard: ${p}\n`);
  if (format === "json") {
    const { writes, skipped, shared, converged } = result;
    io.stdout(JSON.stringify({ writes, skipped, shared, converged }, null, 2) + "\n");
  } else io.stdout(renderStageText(result, what));
  return result.converged ? EXIT_OK : EXIT_INVALID;
}

async function readPair(repo: string, base: string, head: string): Promise<RevisionPair> {
  try {
    return await readGitRevisionPair(repo, base, head, DEFAULT_LOAD_LIMITS.maxFileBytes);
  } catch (e) {
    if (e instanceof GitError) throw new InputError(`cannot read the repository: ${e.message}`);
    throw e;
  }
}

function withVersion(config: TierguardConfig, text: string | undefined): TierguardConfig {
  const v: CalicoVersion | undefined = text === undefined ? undefined : calicoVersion(text);
  return v ? { ...config, calicoVersion: v } : config;
}

/** The environment named, else the only one configured, else "default"; its kubeconfig context. */
function pickEnvironment(config: TierguardConfig, wanted: string | undefined, lenient = false): { environment: string; context?: string } {
  const envs = config.clusters.map((c) => ({ environment: c.environment ?? c.name, context: c.context }));
  const names = [...new Set(envs.map((e) => e.environment))];
  if (wanted !== undefined) {
    if (names.length > 0 && !names.includes(wanted)) throw new UsageError(`--environment ${wanted} is not in tierguard.yaml's clusters (${names.join(", ")})`);
    return envs.find((e) => e.environment === wanted) ?? { environment: wanted };
  }
  if (names.length === 1) return envs.find((e) => e.environment === names[0])!;
  if (names.length === 0 || lenient) return { environment: "default" };
  throw new UsageError(`tierguard.yaml names several environments (${names.join(", ")}); choose one with --environment`);
}

/** The repository's resources at a revision, or undefined (diagnostics printed) when any has an error. */
function loadValid(files: RevisionPair["head"]["policyFiles"], config: TierguardConfig, rev: string, io: CliIo): Resource[] | undefined {
  const { resources, diagnostics } = loadRevision(files, config, DEFAULT_LOAD_LIMITS, new Map());
  const errors = diagnostics.filter((d: Diagnostic) => d.severity === "error");
  if (errors.length === 0) return resources;
  for (const d of errors) io.stderr(`${d.file}:${d.line}:${d.col}: error ${d.code}: ${d.message}\n`);
  io.stderr(`tierguard: refused: the repository at ${rev} has ${errors.length} policy error(s); nothing applied\n`);
  return undefined;
}

async function commitInfo(repo: string, commit: string): Promise<{ author?: string; pr?: number }> {
  const [author, subject] = (await git(repo, ["log", "-1", "--format=%an%x00%s", commit])).trim().split("\0");
  return { author: author || undefined, pr: prNumberFromTitle(subject ?? "") ?? undefined };
}

async function makePort(deps: SyncCommandDeps, kubeconfig: string, io: CliIo, context: string | undefined, log: Log): Promise<ClusterPort> {
  const file = resolve(io.cwd, kubeconfig);
  await checkReadableFile(file, `--kubeconfig ${kubeconfig}`);
  return (deps.clusterPort ?? kubePort)(file, { context, log });
}

/** The Kubernetes adapter over @kubernetes/client-node, loaded only when a command talks to a cluster. */
export const kubePort: ClusterPortFactory = async (file, { context, log }) => {
  const { kubeClusterPort, loadKubeConfig } = await import("../controller/index.js");
  try {
    return kubeClusterPort(loadKubeConfig({ kubeconfig: file, context }), { log });
  } catch (e) {
    throw new InputError(`cannot use the kubeconfig ${file}${context ? ` (context ${context})` : ""}: ${(e as Error).message}`);
  }
};

/** Structured JSON lines on stderr (stdout is the report): the audit records among them. */
function jsonLog(io: CliIo): Log {
  const line = (level: string) => (obj: Record<string, unknown> | string, msg?: string) =>
    io.stderr(JSON.stringify({ level, time: new Date(io.now()).toISOString(), ...(typeof obj === "string" ? { msg: obj } : obj), ...(msg ? { msg } : {}) }) + "\n");
  return { info: line("info"), warn: line("warn"), error: line("error") };
}
