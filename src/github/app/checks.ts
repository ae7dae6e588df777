import { annotationBatches, CHECK_RUN_TEXT_LIMIT, truncateMarkdown, type CheckRunOutput } from "../../report/index.js";
import { httpStatus, type GitHubApi } from "../api.js";
import type { AppTiming, Clock } from "./clock.js";
import { failureReason } from "./failure.js";
import { describeError, type AppLog } from "./log.js";
import { shortSha, type Pull } from "../pull.js";
import type { UnreportedConclusions } from "./unreported.js";

/**
 * The `tierguard` check run of one head commit: created in progress as soon as the work is accepted, its summary
 * updated as the review advances, then completed with the review's conclusion, title, summary, text and
 * annotations. GitHub takes at most 50 annotations per request and appends those of each update, so they go in
 * batches; the last batch carries the conclusion, so a completed check run always has all of them.
 *
 * A conclusion must land: it is tried `conclusionTries` times with a doubling wait (each try already retried by
 * Octokit on 5xx), every failed try logged at once; if GitHub still refuses, it is remembered (`unreported`) for
 * the next delivery of the pull request to conclude, and the error is thrown.
 */
export const CHECK_NAME = "tierguard";

export interface CheckRunWriterOptions {
  api: GitHubApi;
  target: Pull;
  clock: Clock;
  log: AppLog;
  /** Least time between two progress updates (each is a write GitHub rate-limits). */
  progressIntervalMs: number;
  timing: Pick<AppTiming, "conclusionTries" | "conclusionBackoffMs" | "sleep">;
  /** Where a conclusion GitHub would not take is kept, under `key` (the pull request). */
  unreported?: { store: UnreportedConclusions; key: string };
}

type Body = Record<string, unknown>;

export class CheckRunWriter {
  id?: number;
  /** The last stage shown, for a review abandoned at its deadline. */
  stage?: string;
  /** Put before every summary written (what earlier reviews could not report). */
  note?: string;
  private lastWrite?: number;

  constructor(private readonly o: CheckRunWriterOptions) {}

  private get route() {
    return this.o.target.repo;
  }

  private get reviewing(): string {
    return `Reviewing ${shortSha(this.o.target.head.sha)}`;
  }

  async start(summary: string): Promise<void> {
    const { data } = await this.o.api.request<{ id: number }>("POST /repos/{owner}/{repo}/check-runs", {
      ...this.route,
      name: CHECK_NAME,
      head_sha: this.o.target.head.sha,
      status: "in_progress",
      started_at: this.o.clock.now().toISOString(),
      external_id: String(this.o.target.pull),
      output: { title: this.reviewing, summary: this.noted(summary) },
    });
    this.id = data.id;
    this.lastWrite = this.o.clock.now().getTime();
  }

  /** Shows the stage in the summary; skipped when the last write was recent. A failed update is logged, not fatal. */
  async progress(stage: string): Promise<void> {
    this.stage = stage;
    if (this.id === undefined) return;
    const now = this.o.clock.now().getTime();
    if (this.lastWrite !== undefined && now - this.lastWrite < this.o.progressIntervalMs) return;
    this.lastWrite = now;
    try {
      await this.patch({ output: { title: this.reviewing, summary: this.noted(`tierguard is ${stage}.`) } });
    } catch (e) {
      this.o.log.warn({ err: describeError(e), stage }, "could not show the review's progress on the check run");
    }
  }

  /** The review's result: annotations in batches of at most 50, the last batch with the conclusion. */
  async complete(output: CheckRunOutput): Promise<number> {
    const batches = annotationBatches(output.annotations);
    if (batches.length === 0) batches.push([]);
    const base = { title: output.title, summary: this.noted(output.summary), ...(output.text ? { text: output.text } : {}) };
    for (const [i, annotations] of batches.entries()) {
      const body = { output: { ...base, ...(annotations.length > 0 ? { annotations } : {}) } };
      if (i < batches.length - 1) await this.write(body);
      else await this.conclude({ status: "completed", conclusion: output.conclusion, completed_at: this.o.clock.now().toISOString(), ...body });
    }
    return batches.length;
  }

  /** Completes with `conclusion` and a title and summary saying why; creates the check run if it never was. */
  async finish(conclusion: "failure" | "neutral" | "success" | "cancelled", title: string, summary: string): Promise<void> {
    await this.conclude({ status: "completed", conclusion, completed_at: this.o.clock.now().toISOString(), output: { title, summary: this.noted(summary) } });
  }

  /**
   * A newer job replaced this one before its review was written: `by` is its head commit. A newer head makes this
   * check run `neutral` (it is on a commit no longer the head). The same head on a new base makes it `cancelled`:
   * it is on the head, and a neutral check would pass it unreviewed until the new review concludes.
   */
  async supersede(by: string): Promise<void> {
    const head = shortSha(this.o.target.head.sha);
    if (by === this.o.target.head.sha) {
      await this.finish("cancelled", "Superseded: the base branch changed", `The pull request's base changed while \`${head}\` was being reviewed; the review against the new base has its own check run.`);
      return;
    }
    const newer = /^[0-9a-f]{40}$/i.test(by) ? shortSha(by) : by;
    await this.finish("neutral", `Superseded by ${newer}`, `A newer push (\`${newer}\`) arrived before the review of \`${head}\` was written; the review of \`${newer}\` has its own check run.`);
  }

  /** Writes a conclusion, trying again with a doubling wait; remembers it when GitHub never takes it. */
  private async conclude(body: Body): Promise<void> {
    const { conclusionTries: tries, conclusionBackoffMs, sleep } = this.o.timing;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.write(body);
        return;
      } catch (e) {
        const last = attempt >= tries || !retryable(e);
        const wait = conclusionBackoffMs * 2 ** (attempt - 1);
        this.o.log.warn(
          { err: describeError(e), checkRun: this.id, attempt, tries, ...(last ? {} : { retryInMs: wait }) },
          last ? `could not write the check run's conclusion (try ${attempt} of ${tries}); giving up` : `could not write the check run's conclusion (try ${attempt} of ${tries}); trying again in ${wait} ms`,
        );
        if (last) {
          this.o.unreported?.store.remember(this.o.unreported.key, { sha: this.o.target.head.sha, checkRunId: this.id, body, why: failureReason(e) });
          throw e;
        }
        await sleep(wait);
      }
    }
  }

  private async write(body: Body): Promise<void> {
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

  private async patch(body: Body): Promise<void> {
    await this.o.api.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { ...this.route, check_run_id: this.id, ...body });
  }

  private noted(summary: string): string {
    if (!this.note) return summary;
    return truncateMarkdown(`${this.note}\n\n${summary}`, CHECK_RUN_TEXT_LIMIT, { note: "_The rest does not fit in the check run's summary._" });
  }
}

/** Worth another try: GitHub failing or not answering, or a rate limit; not a request GitHub refused as such. */
function retryable(error: unknown): boolean {
  const status = httpStatus(error ?? {});
  return status === undefined || status >= 500 || status === 429;
}
