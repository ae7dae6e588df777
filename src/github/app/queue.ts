import { describeError, type AppLog } from "./log.js";

/**
 * Background work for webhooks (STYLE.md habit 12). A webhook handler pushes a job and returns, so GitHub's delivery
 * is acknowledged at once. Jobs are coalesced by key (one pull request) BEFORE anything is written:
 *
 * - a key has at most one running and one waiting job; a newer push replaces the waiting one, and a push of the
 *   version already waiting is a duplicate and dropped;
 * - a job's `start` (its check run) runs only while it is the waiting job of its key, and one at a time per key: a
 *   burst of pushes creates the first job's check run, and when that creation returns, only the newest job's. A
 *   started job replaced before it ran, and a running job whose run a newer version cut short, are handed to
 *   `supersede` (the check run concludes "superseded by ..."): no check run is left in progress;
 * - `run` waits for one of a bounded number of slots, and gets `deadlineMs`: a run still going then is abandoned
 *   (its signal says so, its slot is freed) and reported to `fail` with a `DeadlineExceeded`.
 *
 * A failure of `start` or `run` goes to the job's `fail` (which completes its check run with the reason); if that
 * fails too, it is logged. Nothing here rejects unhandled. `idle()` resolves when nothing is starting, running,
 * waiting or being reported.
 *
 * The queue is per process. Across replicas GitHub is the shared state: a review checks that its head commit is
 * still the pull request's head before it writes (see review-job.ts).
 */
export interface QueuedJob {
  /** Jobs with the same key are coalesced: one pull request's reviews. */
  key: string;
  /** What the job works on (a head commit on a base): a waiting job with another version supersedes a running one. */
  version: string;
  /** The version as users know it (the head commit); default `version`. */
  shown?: string;
  log: AppLog;
  /** Makes the job visible (its check run); runs only for a job that is the newest of its key, one per key at a time. */
  start?(): Promise<void>;
  run(signal: JobSignal): Promise<void>;
  /** A waiting job this one replaced before its `start` ran: this one takes over what it stood for. */
  absorb?(replaced: QueuedJob): void;
  /** A started job that will not run, replaced by a job shown as `by`: say so where users see it. */
  supersede?(by: string): Promise<void>;
  /** Reports a failure where users see it. */
  fail(error: unknown): Promise<void>;
}

export interface JobSignal {
  /** True once a newer job for the same key, on another version, is waiting: the result would be stale. */
  superseded(): boolean;
  /** That newer job, as shown to users; undefined when none is waiting. */
  newer(): string | undefined;
  /** True once the run outlived its deadline and was reported as failed: it must write nothing more. */
  abandoned(): boolean;
}

/** A run still going at its deadline. */
export class DeadlineExceeded extends Error {
  constructor(readonly deadlineMs: number) {
    super(`the work did not finish within ${deadlineMs} ms`);
    this.name = "DeadlineExceeded";
  }
}

function shown(job: QueuedJob): string {
  return job.shown ?? job.version;
}

type Phase = "new" | "starting" | "started" | "failed";

interface Entry {
  job: QueuedJob;
  phase: Phase;
  /** The job that replaced this waiting entry, as shown. */
  replacedBy?: string;
  abandoned?: boolean;
}

interface Slot {
  running?: Entry;
  waiting?: Entry;
  /** The entry whose `start` is under way (one per key). */
  creating?: Entry;
}

export interface JobQueueOptions {
  /** Jobs running at once (reviews are CPU-heavy). */
  concurrency: number;
  log: AppLog;
  /** How long a run may take; none when undefined. */
  deadlineMs?: number;
}

export class JobQueue {
  /** Starts, supersessions and failure reports under way. */
  private tasks = 0;
  private active = 0;
  private readonly slots = new Map<string, Slot>();
  private ready: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(private readonly options: JobQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }

  push(job: QueuedJob): void {
    const slot = this.slots.get(job.key) ?? {};
    this.slots.set(job.key, slot);
    const previous = slot.waiting;
    if (previous && previous.job.version === job.version) {
      job.log.info({ waiting: previous.job.version }, "not queued: a job for the same version of this pull request is already waiting");
      return;
    }
    const entry: Entry = { job, phase: "new" };
    slot.waiting = entry;
    if (previous?.phase === "new") job.absorb?.(previous.job);
    if (previous) this.retire(previous, shown(job));
    job.log.debug({ behind: slot.running && shown(slot.running.job) }, "queued");
    this.advance(job.key);
  }

  /** Resolves when no job is starting, running or waiting, and no failure is being reported. */
  idle(): Promise<void> {
    if (this.quiet()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A waiting entry a newer version replaced: if its check run exists, it concludes; if it is being created, it will. */
  private retire(entry: Entry, by: string): void {
    entry.replacedBy = by;
    if (entry.phase === "started") this.track(this.supersede(entry, by));
    else if (entry.phase === "new") entry.job.log.info({ newer: by }, "not reviewing: superseded by a newer job while waiting (nothing was written)");
  }

  private advance(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    if (!slot.creating && slot.waiting?.phase === "new") void this.start(key, slot, slot.waiting);
    if (!slot.running && slot.waiting?.phase === "started" && !this.ready.includes(key)) this.ready.push(key);
    this.pump();
    if (!slot.running && !slot.waiting && !slot.creating) this.slots.delete(key);
    this.settle();
  }

  private async start(key: string, slot: Slot, entry: Entry): Promise<void> {
    entry.phase = "starting";
    slot.creating = entry;
    this.tasks++;
    try {
      await entry.job.start?.();
      entry.phase = "started";
    } catch (e) {
      entry.phase = "failed";
      if (slot.waiting === entry) {
        slot.waiting = undefined;
        this.track(this.report(entry, e));
      } else {
        entry.job.log.warn({ err: describeError(e), newer: entry.replacedBy }, "could not start a job a newer one has replaced; nothing to report");
      }
    }
    slot.creating = undefined;
    if (entry.phase === "started" && slot.waiting !== entry) this.track(this.supersede(entry, slot.waiting ? shown(slot.waiting.job) : entry.replacedBy!));
    this.tasks--;
    this.advance(key);
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const slot = this.slots.get(key);
      const entry = slot?.waiting;
      if (!slot || slot.running || entry?.phase !== "started") continue;
      slot.waiting = undefined;
      slot.running = entry;
      this.active++;
      void this.execute(key, slot, entry);
    }
  }

  private async execute(key: string, slot: Slot, entry: Entry): Promise<void> {
    const newer = () => {
      const waiting = slot.waiting?.job;
      return waiting !== undefined && waiting.version !== entry.job.version ? shown(waiting) : undefined;
    };
    const signal: JobSignal = { superseded: () => newer() !== undefined, newer, abandoned: () => entry.abandoned === true };
    const outcome = await this.runBounded(entry, signal);
    if (outcome.kind === "deadline") {
      entry.abandoned = true;
      entry.job.log.error({ deadlineMs: this.options.deadlineMs }, "abandoning a job that outlived its deadline");
      this.track(this.report(entry, new DeadlineExceeded(this.options.deadlineMs!)));
    } else if (outcome.kind === "failed") {
      this.track(this.report(entry, outcome.error));
    }
    this.active--;
    slot.running = undefined;
    this.advance(key);
  }

  private async runBounded(entry: Entry, signal: JobSignal): Promise<{ kind: "done" | "deadline" } | { kind: "failed"; error: unknown }> {
    const run = entry.job.run(signal).then(
      () => ({ kind: "done" as const }),
      (error: unknown) => ({ kind: "failed" as const, error }),
    );
    const ms = this.options.deadlineMs;
    if (ms === undefined) return run;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<{ kind: "deadline" }>((resolve) => (timer = setTimeout(() => resolve({ kind: "deadline" }), ms)));
    const outcome = await Promise.race([run, deadline]);
    clearTimeout(timer);
    if (outcome.kind === "deadline") {
      // The abandoned run goes on until its next stage or request; what it ends with is of no use any more.
      void run.then((late) => entry.job.log.debug({ outcome: late.kind, err: late.kind === "failed" ? describeError(late.error) : undefined }, "an abandoned job ended"));
    }
    return outcome;
  }

  private async supersede(entry: Entry, by: string): Promise<void> {
    entry.job.log.info({ newer: by }, "not reviewing: superseded by a newer job");
    try {
      await entry.job.supersede?.(by);
    } catch (e) {
      entry.job.log.error({ err: describeError(e), newer: by }, "could not conclude a superseded job on GitHub");
    }
  }

  private async report(entry: Entry, error: unknown): Promise<void> {
    try {
      await entry.job.fail(error);
    } catch (e) {
      entry.job.log.error({ err: describeError(e), cause: describeError(error) }, "a job failed and its failure could not be reported on GitHub");
    }
  }

  private track(work: Promise<void>): void {
    this.tasks++;
    void work.finally(() => {
      this.tasks--;
      this.settle();
    });
  }

  private quiet(): boolean {
    return this.tasks === 0 && this.active === 0 && this.slots.size === 0;
  }

  private settle(): void {
    if (!this.quiet()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
