import type { GitHubApi, RepoRef } from "../api.js";
import { describeError, type AppLog } from "./log.js";
import { shortSha } from "../pull.js";

/**
 * Check-run conclusions GitHub would not take, after every try: kept in memory per pull request, so that the next
 * delivery for it concludes the check run left dangling and says, in its own check run, what could not be
 * reported. Per process, like the queue: another replica does not know, and a restart forgets (the dangling
 * check run then stays in progress on an old head, where it blocks nothing a newer head's check does not).
 */
export interface Unreported {
  sha: string;
  /** The check run left in progress; undefined when GitHub did not even take its creation. */
  checkRunId?: number;
  /** The conclusion that could not be written (status, conclusion, output). */
  body: Record<string, unknown>;
  /** Why not, in one sentence. */
  why: string;
}

/** Records kept per pull request, and pull requests kept: a bound on memory, oldest dropped first. */
const PER_KEY = 10;
const KEYS = 1000;

export class UnreportedConclusions {
  private readonly byKey = new Map<string, Unreported[]>();

  remember(key: string, record: Unreported): void {
    const list = (this.byKey.get(key) ?? []).filter((r) => r.checkRunId === undefined || r.checkRunId !== record.checkRunId);
    list.push(record);
    this.byKey.delete(key);
    this.byKey.set(key, list.slice(-PER_KEY));
    if (this.byKey.size > KEYS) this.byKey.delete(this.byKey.keys().next().value!);
  }

  /** The records of `key`, forgotten here: the caller reports them, and remembers again what still fails. */
  take(key: string): Unreported[] {
    const list = this.byKey.get(key) ?? [];
    this.byKey.delete(key);
    return list;
  }
}

/** For the new check run's summary: what earlier reviews could not report. */
export function unreportedNote(records: Unreported[]): string {
  const lines = records.map((r) => {
    const output = r.body.output as { title?: string } | undefined;
    const what = `\`${String(r.body.conclusion ?? "a result")}\`${output?.title ? ` ("${output.title}")` : ""}`;
    return `- the review of \`${shortSha(r.sha)}\` ended ${what}, but GitHub did not take it: ${r.why}`;
  });
  return `**tierguard could not report earlier:**\n${lines.join("\n")}`;
}

/** Concludes the dangling check runs (one try each; Octokit retries 5xx); what fails again is remembered again. */
export async function concludeDangling(o: { api: GitHubApi; repo: RepoRef; key: string; records: Unreported[]; store: UnreportedConclusions; log: AppLog }): Promise<void> {
  for (const record of o.records) {
    if (record.checkRunId === undefined) continue;
    try {
      await o.api.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { ...o.repo, check_run_id: record.checkRunId, ...record.body });
      o.log.info({ checkRun: record.checkRunId, head: record.sha }, "concluded a check run an earlier review could not conclude");
    } catch (e) {
      o.log.warn({ err: describeError(e), checkRun: record.checkRunId, head: record.sha }, "still could not conclude an earlier review's check run; will try again on the next delivery");
      o.store.remember(o.key, record);
    }
  }
}
