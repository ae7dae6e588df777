import { annotationBatches, type CheckRunOutput } from "../../report/review/index.js";
import type { GitHubApi } from "../api.js";
import type { Clock } from "./clock.js";
import { describeError, type AppLog } from "./log.js";
import { fetchPull, shortSha, type PullTarget } from "./target.js";

/**
 * The `tierguard` check run of one head commit: created in progress as soon as the work is accepted, its summary
 * updated as the review advances, then completed with the review's conclusion, title, summary, text and
 * annotations. GitHub takes at most 50 annotations per request and appends those of each update, so they go in
 * batches; the last batch carries the conclusion, so a completed check run always has all of them.
 */
export const CHECK_NAME = "tierguard";

export interface CheckRunWriterOptions {
  api: GitHubApi;
  target: PullTarget;
  clock: Clock;
  log: AppLog;
  /** Least time between two progress updates (each is a write GitHub rate-limits). */
  progressIntervalMs: number;
}

export type FailureConclusion = "failure" | "neutral";

export class CheckRunWriter {
  id?: number;
  private lastWrite?: number;

  constructor(private readonly o: CheckRunWriterOptions) {}

  private get route() {
    return this.o.target.repo;
  }

  async start(summary: string): Promise<void> {
    const { data } = await this.o.api.request<{ id: number }>("POST /repos/{owner}/{repo}/check-runs", {
      ...this.route,
      name: CHECK_NAME,
      head_sha: this.o.target.head.sha,
      status: "in_progress",
      started_at: this.o.clock.now().toISOString(),
      external_id: String(this.o.target.pull),
      output: { title: `Reviewing ${shortSha(this.o.target.head.sha)}`, summary },
    });
    this.id = data.id;
    this.lastWrite = this.o.clock.now().getTime();
  }

  /** Shows the stage in the summary; skipped when the last write was recent. A failed update is logged, not fatal. */
  async progress(stage: string): Promise<void> {
    if (this.id === undefined) return;
    const now = this.o.clock.now().getTime();
    if (this.lastWrite !== undefined && now - this.lastWrite < this.o.progressIntervalMs) return;
    this.lastWrite = now;
    try {
      await this.patch({ output: { title: `Reviewing ${shortSha(this.o.target.head.sha)}`, summary: `tierguard is ${stage}.` } });
    } catch (e) {
      this.o.log.warn({ err: describeError(e), stage }, "could not show the review's progress on the check run");
    }
  }

  /** The review's result: annotations in batches of at most 50, the last batch with the conclusion. */
  async complete(output: CheckRunOutput): Promise<number> {
    const batches = annotationBatches(output.annotations);
    if (batches.length === 0) batches.push([]);
    const base = { title: output.title, summary: output.summary, ...(output.text ? { text: output.text } : {}) };
    for (const [i, annotations] of batches.entries()) {
      const last = i === batches.length - 1;
      await this.write({
        ...(last ? { status: "completed", conclusion: output.conclusion, completed_at: this.o.clock.now().toISOString() } : {}),
        output: { ...base, ...(annotations.length > 0 ? { annotations } : {}) },
      });
    }
    return batches.length;
  }

  /** Completes with `conclusion` and a title and summary saying why; creates the check run if it never was. */
  async finish(conclusion: "failure" | "neutral" | "success", title: string, summary: string): Promise<void> {
    await this.write({ status: "completed", conclusion, completed_at: this.o.clock.now().toISOString(), output: { title, summary } });
  }

  private async write(body: Record<string, unknown>): Promise<void> {
    if (this.id !== undefined) {
      await this.patch(body);
      return;
    }
    const { data } = await this.o.api.request<{ id: number }>("POST /repos/{owner}/{repo}/check-runs", {
      ...this.route,
      name: CHECK_NAME,
      head_sha: this.o.target.head.sha,
      external_id: String(this.o.target.pull),
      started_at: this.o.clock.now().toISOString(),
      ...body,
    });
    this.id = data.id;
  }

  private async patch(body: Record<string, unknown>): Promise<void> {
    await this.o.api.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { ...this.route, check_run_id: this.id, ...body });
  }
}

/**
 * Whether `target.head` is still the pull request's head on GitHub, the state every replica shares. A review whose
 * head moved on (a newer push, a force-push) must not write: a newer review owns the comment.
 */
export async function headMovedOn(api: GitHubApi, target: PullTarget): Promise<string | undefined> {
  const now = await fetchPull(api, target.repo, target.pull);
  return now.head.sha === target.head.sha ? undefined : now.head.sha;
}
