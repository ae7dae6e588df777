import { describe, expect, test } from "@jest/globals";
import { appLog, type PinoLike } from "../../../src/github/app/log.js";
import { DeadlineExceeded, JobQueue, type JobSignal, type QueuedJob } from "../../../src/github/app/queue.js";

/** A deferred promise: the test decides when a job's step ends. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

function sink(lines: Array<{ level: string; msg?: string; obj: unknown }>): PinoLike {
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, msg: typeof obj === "string" ? obj : msg, obj });
  const self: PinoLike = { info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug"), child: () => self };
  return self;
}

const tick = () => new Promise((r) => setImmediate(r));

describe("the job queue", () => {
  test("start runs for the newest waiting job only, one per key at a time; a started job replaced before it ran is superseded", async () => {
    const events: string[] = [];
    const log = appLog(sink([]));
    const q = new JobQueue({ concurrency: 1, log });
    const first = gate();
    const job = (version: string, key = "pr1", until?: Promise<void>): QueuedJob => ({
      key,
      version,
      log,
      start: async () => void events.push(`start ${version}`),
      run: async (signal) => {
        events.push(`run ${version}`);
        await until;
        events.push(`end ${version} superseded=${signal.superseded()} newer=${signal.newer()}`);
      },
      supersede: async (by) => void events.push(`supersede ${version} by ${by}`),
      fail: async (e) => void events.push(`fail ${version} ${(e as Error).message}`),
    });
    q.push(job("a", "pr1", first.promise));
    await tick();
    q.push(job("b"));
    q.push(job("c"));
    q.push(job("d"));
    q.push(job("d"));
    q.push(job("x", "pr2"));
    await tick();
    // b's creation was under way when c and d arrived: c never started; b, once created, is superseded by the newest.
    expect(events).toEqual(["start a", "run a", "start b", "start x", "supersede b by d", "start d"]);
    first.open();
    await q.idle();
    expect(events.slice(6)).toEqual(["end a superseded=true newer=d", "run x", "end x superseded=false newer=undefined", "run d", "end d superseded=false newer=undefined"]);
  });

  test("a run past its deadline is abandoned: its slot is freed, fail gets a DeadlineExceeded, the signal says so", async () => {
    const log = appLog(sink([]));
    const q = new JobQueue({ concurrency: 1, log, deadlineMs: 20 });
    const hung = gate();
    const seen: string[] = [];
    let signal: JobSignal | undefined;
    q.push({
      key: "k",
      version: "1",
      log,
      run: async (s) => {
        signal = s;
        await hung.promise;
        seen.push("late end");
      },
      fail: async (e) => void seen.push(`fail ${(e as DeadlineExceeded).name} ${(e as DeadlineExceeded).deadlineMs}`),
    });
    q.push({ key: "other", version: "1", log, run: async () => void seen.push("other ran"), fail: async () => {} });
    await q.idle();
    expect(seen).toEqual(["fail DeadlineExceeded 20", "other ran"]);
    expect(signal!.abandoned()).toBe(true);
    hung.open();
    await tick();
    expect(seen).toEqual(["fail DeadlineExceeded 20", "other ran", "late end"]);
  });

  test("a waiting job of the same version does not supersede the running one", async () => {
    const log = appLog(sink([]));
    const q = new JobQueue({ concurrency: 2, log });
    const g = gate();
    const seen: boolean[] = [];
    const job = (until?: Promise<void>): QueuedJob => ({
      key: "k",
      version: "sha1",
      log,
      run: async (s) => {
        await until;
        seen.push(s.superseded());
      },
      fail: async () => {},
    });
    q.push(job(g.promise));
    await tick();
    q.push(job());
    await tick();
    g.open();
    await q.idle();
    expect(seen).toEqual([false, false]);
  });

  test("failures of start and run go to fail; a failing fail is logged; nothing rejects unhandled", async () => {
    const lines: Array<{ level: string; msg?: string; obj: unknown }> = [];
    const log = appLog(sink(lines));
    const q = new JobQueue({ concurrency: 3, log });
    const failed: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    q.push({ key: "1", version: "1", log, start: async () => Promise.reject(new Error("no check run")), run: async () => void failed.push("ran 1"), fail: async (e) => void failed.push(`1: ${(e as Error).message}`) });
    q.push({ key: "2", version: "2", log, run: async () => Promise.reject(new Error("boom ghs_abcdefghijklmnopqrstuvwxyz")), fail: async (e) => void failed.push(`2: ${(e as Error).message}`) });
    q.push({ key: "3", version: "3", log, run: async () => Promise.reject(new Error("first")), fail: async () => Promise.reject(new Error("GitHub is down")) });
    await q.idle();
    await tick();
    process.off("unhandledRejection", onUnhandled);
    expect(failed.sort()).toEqual(["1: no check run", "2: boom ghs_abcdefghijklmnopqrstuvwxyz"]);
    expect(lines.filter((l) => l.level === "error").map((l) => [l.msg, l.obj])).toEqual([
      ["a job failed and its failure could not be reported on GitHub", { err: { message: "GitHub is down" }, cause: { message: "first" } }],
    ]);
    expect(unhandled).toEqual([]);
  });

  test("at most `concurrency` jobs run at once; idle() resolves at once when there is nothing", async () => {
    const log = appLog(sink([]));
    const q = new JobQueue({ concurrency: 2, log });
    await q.idle();
    let running = 0;
    let most = 0;
    const gates = [gate(), gate(), gate(), gate()];
    gates.forEach((g, i) =>
      q.push({
        key: `k${i}`,
        version: "v",
        log,
        run: async () => {
          most = Math.max(most, ++running);
          await g.promise;
          running--;
        },
        fail: async () => {},
      }),
    );
    await tick();
    expect(running).toBe(2);
    gates.forEach((g) => g.open());
    await q.idle();
    expect(most).toBe(2);
    expect(() => new JobQueue({ concurrency: 0, log })).toThrow(RangeError);
  });

  test("a job that replaces a waiting job before its start ran absorbs it; one whose start is under way is not absorbed", async () => {
    const log = appLog(sink([]));
    const q = new JobQueue({ concurrency: 1, log });
    const first = gate();
    const absorbed: string[] = [];
    const job = (version: string, start?: Promise<void>): QueuedJob => ({
      key: "pr1",
      version,
      log,
      start: async () => void (await start),
      absorb: (replaced) => void absorbed.push(`${version} absorbs ${replaced.version}`),
      run: async () => {},
      fail: async () => {},
    });
    q.push(job("a", first.promise)); // its start is under way at once
    q.push(job("b"));
    q.push(job("c"));
    first.open();
    await q.idle();
    expect(absorbed).toEqual(["c absorbs b"]);
  });

});

describe("the App's logger", () => {
  test("scrubs tokens, keys and credentials from messages and fields", () => {
    const lines: Array<{ level: string; msg?: string; obj: unknown }> = [];
    const log = appLog(sink(lines), { repo: "acme/policies", pr: 7, sha: "abc" });
    log.info({ url: "https://x-access-token:ghs_secretsecretsecret1234@github.com/a/b.git", headers: { authorization: "token ghs_secretsecretsecret1234" }, err: new Error("Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2lnbmF0dXJl") }, "token ghp_abcdefghijklmnopqrstuvwxyz012345 used");
    expect(lines).toEqual([
      {
        level: "info",
        msg: "token [REDACTED] used",
        obj: { url: "https://github.com/a/b.git", headers: { authorization: "[REDACTED]" }, err: { message: "Bearer [REDACTED JWT]" } },
      },
    ]);
  });
});
