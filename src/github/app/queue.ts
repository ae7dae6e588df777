import { describeError, type AppLog } from "./log.js";

/**
 * Background work for webhooks (STYLE.md habit 12). A webhook handler pushes a job and returns, so GitHub's delivery
 * is acknowledged at once; the job's `start` (the in-progress check run) runs straight away, its `run` (the
 * review) waits for one of a bounded number of slots. Jobs are coalesced by key (one pull request): while one runs,
 * only the newest waiting job is kept, so a burst of pushes reviews the newest head once. A failure of `start` or
 * `run` goes to the job's `fail` (which completes its check run with the reason); if that fails too, it is
 * logged. Nothing here rejects unhandled. `idle()` resolves when nothing is starting, running or waiting.
 *
 * The queue is per process. Across replicas GitHub is the shared state: a review checks that its head commit is
 * still the pull request's head before it writes (see review-job.ts).
 */
export interface QueuedJob {
  /** Jobs with the same key are coalesced: one pull request's reviews. */
  key: string;
  /** What the job works on (a head commit): a waiting job with another version supersedes a running one. */
  version: string;
  log: AppLog;
  /** Runs at once, outside the concurrency bound. */
  start?(): Promise<void>;
  run(signal: JobSignal): Promise<void>;
  /** Reports a failure where users see it. */
  fail(error: unknown): Promise<void>;
}

export interface JobSignal {
  /** True once a newer job for the same key, on another version, is waiting: the result would be stale. */
  superseded(): boolean;
}

interface Entry {
  job: QueuedJob;
  seq: number;
}

interface Slot {
  running?: Entry;
  pending?: Entry;
}

export interface JobQueueOptions {
  /** Jobs running at once (reviews are CPU-heavy). */
  concurrency: number;
  log: AppLog;
}

export class JobQueue {
  private seq = 0;
  private starting = 0;
  private active = 0;
  private readonly slots = new Map<string, Slot>();
  private readonly ready: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(private readonly options: JobQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }

  push(job: QueuedJob): void {
    const entry = { job, seq: ++this.seq };
    this.starting++;
    void this.begin(entry);
  }

  /** Resolves when no job is starting, running or waiting. */
  idle(): Promise<void> {
    if (this.quiet()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async begin(entry: Entry): Promise<void> {
    let started = true;
    try {
      await entry.job.start?.();
    } catch (e) {
      started = false;
      await this.report(entry, e);
    }
    this.starting--;
    if (started) this.enqueue(entry);
    this.pump();
    this.settle();
  }

  private enqueue(entry: Entry): void {
    const { key } = entry.job;
    const slot = this.slots.get(key) ?? {};
    const newer = [slot.running, slot.pending].find((e) => e !== undefined && e.seq > entry.seq);
    if (newer) {
      entry.job.log.info({ newer: newer.job.version }, "not reviewing: a newer job for this pull request arrived first");
      return;
    }
    if (slot.pending) slot.pending.job.log.info({ newer: entry.job.version }, "not reviewing: superseded by a newer job while waiting");
    else if (!slot.running) this.ready.push(key);
    slot.pending = entry;
    this.slots.set(key, slot);
    entry.job.log.debug({ behind: slot.running?.job.version }, "queued");
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const slot = this.slots.get(key)!;
      const entry = slot.pending!;
      slot.pending = undefined;
      slot.running = entry;
      this.active++;
      void this.execute(key, entry);
    }
  }

  private async execute(key: string, entry: Entry): Promise<void> {
    const signal: JobSignal = {
      superseded: () => {
        const pending = this.slots.get(key)?.pending;
        return pending !== undefined && pending.seq > entry.seq && pending.job.version !== entry.job.version;
      },
    };
    try {
      await entry.job.run(signal);
    } catch (e) {
      await this.report(entry, e);
    } finally {
      this.active--;
      const slot = this.slots.get(key)!;
      slot.running = undefined;
      if (slot.pending) this.ready.push(key);
      else this.slots.delete(key);
      this.pump();
      this.settle();
    }
  }

  private async report(entry: Entry, error: unknown): Promise<void> {
    try {
      await entry.job.fail(error);
    } catch (e) {
      entry.job.log.error({ err: describeError(e), cause: describeError(error) }, "a job failed and its failure could not be reported on GitHub");
    }
  }

  private quiet(): boolean {
    return this.starting === 0 && this.active === 0 && this.ready.length === 0 && this.slots.size === 0;
  }

  private settle(): void {
    if (!this.quiet()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
