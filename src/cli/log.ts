import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { blobsNeeded, buildAuditLog, joinPromotions, parsePromotionEvents, parsePromotions, renderAuditJson, renderAuditMarkdown, renderAuditText } from "../audit/index.js";
import { describeFsError } from "../io/files.js";
import { GitError } from "../io/git.js";
import { readBlobTexts, readFileAt, readHistory } from "../io/history.js";
import { CONFIG_FILE, defaultConfig, parseConfig } from "../review/index.js";
import { checkReadableFile, outputFormat } from "./common.js";
import { EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";

/**
 * `tierguard log`: the audit log from git history. Which files hold policies is decided by the tip revision's
 * tierguard.yaml (or the defaults); each change is described by meaning, with its commit, author, date and pull
 * request, and, given the controller's promotion records, when it reached each environment.
 */
interface LogOptions {
  repo: string;
  rev: string;
  policy?: string;
  tier?: string;
  since?: string;
  promotions?: string;
  events?: string;
  output: string;
}

export function registerLog(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("log")
    .description("the audit log: every change to a policy, a tier or tierguard.yaml in git history, by meaning, with commit, author, date and pull request")
    .requiredOption("--repo <dir>", "the policy repository (a git work tree or bare repository)")
    .option("--rev <rev>", "the revision whose history is read", "HEAD")
    .option("--policy <id>", "only this resource: KIND/NAME, KIND/NAMESPACE/NAME or NAME")
    .option("--tier <name>", "only the policies of this tier (in either revision of a change) and the Tier itself")
    .option("--since <date>", "only changes authored on or after this date (YYYY-MM-DD or ISO 8601)")
    .option("--promotions <file>", "the controller's JSON log lines: promotion records {commit, environment, time, outcome, cluster?, pr?, author?, kind?, namespace?, name?, verb?, reason?} (other log lines are skipped)")
    .option("--events <file>", "the controller's Kubernetes Events, as kubectl get events -A -o json writes them (Events without tierguard's tierguard.dev/promotion annotation are skipped)")
    .option("-o, --output <format>", "text, markdown or json", "text")
    .action(async (opts: LogOptions) => setExit(await log(opts, io)));
}

function parseSince(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`--since must be a date (YYYY-MM-DD) or an ISO 8601 time, not "${text}"`);
  return t;
}

async function log(opts: LogOptions, io: CliIo): Promise<number> {
  const output = outputFormat(opts.output, ["text", "markdown", "json"] as const);
  const since = parseSince(opts.since);
  if (opts.policy !== undefined && opts.tier !== undefined) throw new UsageError("give --policy or --tier, not both");
  if (opts.policy !== undefined && !/^[^/]+(\/[^/]+){0,2}$/.test(opts.policy)) throw new UsageError(`--policy must be KIND/[NAMESPACE/]NAME, not "${opts.policy}"`);
  const promotions = opts.promotions || opts.events ? [...(opts.promotions ? await readPromotions(opts.promotions, io) : []), ...(opts.events ? await readEvents(opts.events, io) : [])] : undefined;
  const repo = resolve(io.cwd, opts.repo);
  try {
    const history = await readHistory(repo, opts.rev);
    const configText = await readFileAt(repo, history[0]?.commit ?? opts.rev, CONFIG_FILE);
    const config = configText === undefined ? defaultConfig() : parseConfig(configText, CONFIG_FILE).config;
    const blobs = await readBlobTexts(repo, blobsNeeded(history, config, since));
    const entries = buildAuditLog(history, blobs, { config, since, policy: opts.policy, tier: opts.tier });
    if (promotions) {
      for (const r of joinPromotions(entries, history, promotions)) {
        io.stderr(`tierguard: ${[opts.promotions, opts.events].filter(Boolean).join(", ")}: the promotion of ${r.commit} to ${r.environment} names a commit not in the history of ${opts.rev}\n`);
      }
    }
    io.stdout(output === "json" ? renderAuditJson(entries) : output === "markdown" ? renderAuditMarkdown(entries) : renderAuditText(entries));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof GitError) throw new InputError(`cannot read the history of ${opts.repo}: ${e.message}`);
    throw e;
  }
}

async function readText(path: string, flag: string, io: CliIo): Promise<string> {
  const full = resolve(io.cwd, path);
  await checkReadableFile(full, `${flag} ${path}`);
  try {
    return await readFile(full, "utf8");
  } catch (e) {
    throw new InputError(`cannot read ${flag} ${path}: ${describeFsError(e)}`);
  }
}

async function readPromotions(path: string, io: CliIo) {
  const { records, problems } = parsePromotions(await readText(path, "--promotions", io));
  if (problems.length > 0) {
    for (const p of problems) io.stderr(`${path}:${p.line}: error [promotions/bad-record] ${p.message}\n`);
    throw new InputError(`the promotion records in ${path} have ${problems.length} unreadable line${problems.length === 1 ? "" : "s"}`);
  }
  return records;
}

async function readEvents(path: string, io: CliIo) {
  const { records, problems } = parsePromotionEvents(await readText(path, "--events", io), path);
  if (problems.length > 0) {
    for (const p of problems) io.stderr(`${path}:${p.line}:${p.col}: error [promotions/bad-event] ${p.message}${p.path ? ` (${p.path})` : ""}\n`);
    throw new InputError(`the Events in ${path} have ${problems.length} unreadable promotion record${problems.length === 1 ? "" : "s"}`);
  }
  return records;
}
