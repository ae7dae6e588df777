import { describe, expect, test } from "@jest/globals";
import type { CommitRelation, DefaultBranch, DeploymentFeed, FeedDeployment, StatusUpdate } from "../../src/controller/feed.js";
import { TERMINAL_STATES } from "../../src/controller/feed.js";
import { ControllerLoop, type ActionResult, type ControllerActions, type LoopClock } from "../../src/controller/loop.js";
import { ControllerMetrics } from "../../src/controller/metrics.js";
import { CLEANUP_TASK, PROMOTE_TASK, STAGE_TASK, type TierguardTask } from "../../src/run/promotion.js";

/**
 * The loop against an in-memory GitHub (the DeploymentFeed port) and recorded fake actions: what runs for each
 * task, what GitHub is told, what runs once only, what is superseded or refused, and the default-branch fallback.
 */
const ENV = "production";
const sha = (c: string) => c.repeat(40);
const [BASE, HEAD1, HEAD2, M1, M2, M3] = ["a", "b", "c", "d", "e", "f"].map(sha);

class MemoryFeed implements DeploymentFeed {
  readonly deployments: Array<FeedDeployment & { statuses: StatusUpdate[] }> = [];
  /** The default branch's commits, oldest first: compare() answers from their order. */
  history = [BASE];
  failing = new Set<"read" | "post">();
  reads = 0;
  private next = 100;

  add(task: TierguardTask, o: { sha: string; payload: unknown; environment?: string; statuses?: StatusUpdate[] }): number {
    const id = ++this.next;
    this.deployments.push({ id, sha: o.sha, task, environment: o.environment ?? ENV, payload: o.payload, createdAt: "2026-01-01T00:00:00Z", statuses: o.statuses ?? [] });
    return id;
  }
  statuses(id: number): Array<[string, string]> {
    return this.deployments.find((d) => d.id === id)!.statuses.map((s) => [s.state, s.description]);
  }
  async pending(environment: string, known: ReadonlySet<number>): Promise<FeedDeployment[]> {
    this.reads++;
    if (this.failing.has("read")) throw new Error("GitHub answered 502");
    return this.deployments
      .filter((d) => d.environment === environment && !known.has(d.id) && !TERMINAL_STATES.includes(d.statuses.at(-1)?.state ?? "none"))
      .sort((a, b) => b.id - a.id)
      .map(({ statuses: _s, ...d }) => d);
  }
  async post(id: number, status: StatusUpdate): Promise<void> {
    if (this.failing.has("post")) throw new Error("GitHub answered 500");
    this.deployments.find((d) => d.id === id)!.statuses.push(status);
  }
  async defaultBranch(): Promise<DefaultBranch> {
    if (this.failing.has("read")) throw new Error("GitHub answered 502");
    return { name: "main", sha: this.history.at(-1)! };
  }
  async compare(base: string, head: string): Promise<CommitRelation> {
    const [b, h] = [this.history.indexOf(base), this.history.indexOf(head)];
    if (b < 0 || h < 0) return "diverged";
    return b === h ? "identical" : b < h ? "ahead" : "behind";
  }
}

type Call = [string, Record<string, unknown>];

function fakeActions(results: Partial<Record<keyof ControllerActions, ActionResult | (() => ActionResult)>> = {}) {
  const calls: Call[] = [];
  const ok: ActionResult = { converged: true, summary: "done" };
  const act = (name: keyof ControllerActions) => async (o: Record<string, unknown>) => {
    calls.push([name, o]);
    const r = results[name] ?? ok;
    return typeof r === "function" ? r() : r;
  };
  const actions = { promote: act("promote"), stage: act("stage"), cleanup: act("cleanup"), syncDefaultBranch: act("syncDefaultBranch") } as ControllerActions;
  return { actions, calls };
}

function fakeClock(start = 1_000_000): LoopClock & { advance(ms: number): void } {
  let t = start;
  return { now: () => t, sleep: async () => {}, advance: (ms) => void (t += ms) };
}

interface Harness {
  feed: MemoryFeed;
  loop: ControllerLoop;
  calls: Call[];
  metrics: ControllerMetrics;
  clock: ReturnType<typeof fakeClock>;
  logs: Array<{ level: string; obj: unknown; msg?: string }>;
  cluster: { up: boolean };
}

function harness(o: { feed?: MemoryFeed; results?: Parameters<typeof fakeActions>[0]; resyncMs?: number } = {}): Harness {
  const feed = o.feed ?? new MemoryFeed();
  const { actions, calls } = fakeActions(o.results);
  const metrics = new ControllerMetrics();
  const clock = fakeClock();
  const logs: Harness["logs"] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void logs.push({ level, obj, msg });
  const cluster = { up: true };
  const probeCluster = async () => {
    if (!cluster.up) throw new Error("connect ECONNREFUSED 10.0.0.1:443");
  };
  const loop = new ControllerLoop({ environment: ENV, feed, actions, probeCluster, metrics, log: { info: at("info"), warn: at("warn"), error: at("error") }, intervalMs: 60_000, resyncMs: o.resyncMs ?? 0, stallMs: 900_000, clock });
  return { feed, loop, calls, metrics, clock, logs, cluster };
}

const payload = (pull: number, head = HEAD1, extra: Record<string, unknown> = {}) => ({ pull_request: pull, base_sha: BASE, head_sha: head, ...extra });
const plan = { enforce: [], stage: [], apply: [], delete: [], unchanged: 0 };

/** The first poll syncs the default branch (nothing known yet); most tests start after it. */
async function settled(h: Harness): Promise<void> {
  await h.loop.tick();
  h.calls.length = 0;
}

describe("each task runs its action and GitHub hears in_progress, then success", () => {
  test("tierguard:promote promotes the merge commit for its pull request, then removes that pull request's previews", async () => {
    const h = harness();
    await settled(h);
    h.feed.history.push(M1);
    const id = h.feed.add(PROMOTE_TASK, { sha: M1, payload: payload(7, HEAD1, { plan }) });
    const report = await h.loop.tick();
    expect(h.calls).toEqual([
      ["promote", { ref: M1, environment: ENV, pull: 7 }],
      ["cleanup", { pull: 7 }],
    ]);
    expect(h.feed.statuses(id)).toEqual([
      ["in_progress", `promoting #7 (${M1.slice(0, 7)})`],
      ["success", "done"],
    ]);
    // The promotion synced main's head: the fallback does not sync it again.
    expect(report).toEqual({ github: true, cluster: true, finished: [id] });
  });

  test("tierguard:stage stages the pull request's base and head; tierguard:cleanup removes what it staged", async () => {
    const h = harness();
    await settled(h);
    const stage = h.feed.add(STAGE_TASK, { sha: HEAD1, payload: payload(8) });
    const cleanup = h.feed.add(CLEANUP_TASK, { sha: HEAD2, payload: payload(9, HEAD2) });
    await h.loop.tick();
    expect(h.calls).toEqual([
      ["stage", { pull: 8, base: BASE, head: HEAD1 }],
      ["cleanup", { pull: 9 }],
    ]);
    expect(h.feed.statuses(stage)).toEqual([
      ["in_progress", `staging #8 at ${HEAD1.slice(0, 7)}`],
      ["success", "done"],
    ]);
    expect(h.feed.statuses(cleanup)).toEqual([
      ["in_progress", "removing what #9 staged"],
      ["success", "done"],
    ]);
  });

  test("an action that does not converge: failure, with what failed; one that throws: failure with its message, logged as an error", async () => {
    const h = harness({ results: { stage: { converged: false, summary: "1 of 2 staged", failed: "create StagedNetworkPolicy shop/tg-pr-8.web: 403 tier RBAC refused" }, cleanup: () => { throw new Error("socket hang up"); } } });
    await settled(h);
    const stage = h.feed.add(STAGE_TASK, { sha: HEAD1, payload: payload(8) });
    const cleanup = h.feed.add(CLEANUP_TASK, { sha: HEAD2, payload: payload(9, HEAD2) });
    await h.loop.tick();
    expect(h.feed.statuses(stage).at(-1)).toEqual(["failure", "failed: create StagedNetworkPolicy shop/tg-pr-8.web: 403 tier RBAC refused"]);
    expect(h.feed.statuses(cleanup).at(-1)).toEqual(["failure", "failed: socket hang up"]);
    expect(h.logs.find((l) => l.level === "error")).toMatchObject({ msg: "the cleanup threw instead of reporting a failure", obj: { deployment: cleanup, err: "socket hang up" } });
    const text = await h.metrics.text();
    expect(text).toContain('tierguard_controller_failures_total{environment="production",stage="action"} 2');
    expect(text).toContain('tierguard_controller_syncs_total{environment="production",task="stage",outcome="failed"} 1');
  });
});

describe("payloads are checked before anything runs", () => {
  test("a bad payload is refused with a failure naming each bad field; no action runs", async () => {
    const h = harness();
    await settled(h);
    const id = h.feed.add(PROMOTE_TASK, { sha: M1, payload: { pull_request: "7", base_sha: "main", head_sha: HEAD1, plan: { unchanged: 0, enforce: [{ action: "enable" }], stage: [], apply: [], delete: [] } } });
    const text = h.feed.add(STAGE_TASK, { sha: HEAD1, payload: "{not json" });
    await h.loop.tick();
    expect(h.calls).toEqual([]);
    expect(h.feed.statuses(id)).toEqual([["failure", "bad deployment payload: pull_request must be a pull-request number; base_sha must be a commit SHA; plan.enforce[0].action must be one of create, update, delete (and 3 more)"]]);
    expect(h.feed.statuses(text)).toEqual([["failure", "bad deployment payload: payload must be an object or its JSON text"]]);
    expect(await h.metrics.text()).toContain('tierguard_controller_syncs_total{environment="production",task="promote",outcome="rejected"} 1');
  });
});

describe("each deployment is handled once", () => {
  test("a second poll runs nothing again and posts nothing", async () => {
    const h = harness();
    await settled(h);
    const id = h.feed.add(STAGE_TASK, { sha: HEAD1, payload: payload(8) });
    await h.loop.tick();
    await h.loop.tick();
    expect(h.calls.map((c) => c[0])).toEqual(["stage"]);
    expect(h.feed.statuses(id)).toHaveLength(2);
  });

  test("after a restart, a terminal status is skipped and one left in_progress (stopped mid-way) runs again", async () => {
    const feed = new MemoryFeed();
    const done = feed.add(STAGE_TASK, { sha: HEAD1, payload: payload(8), statuses: [{ state: "in_progress", description: "x" }, { state: "success", description: "done" }] });
    const cut = feed.add(STAGE_TASK, { sha: HEAD2, payload: payload(9, HEAD2), statuses: [{ state: "in_progress", description: "x" }] });
    const h = harness({ feed });
    await h.loop.tick();
    expect(h.calls.filter((c) => c[0] !== "syncDefaultBranch")).toEqual([["stage", { pull: 9, base: BASE, head: HEAD2 }]]);
    expect(feed.statuses(done)).toHaveLength(2);
    expect(feed.statuses(cut).at(-1)).toEqual(["success", "done"]);
  });

  test("a status GitHub refused is posted again at the next poll, without running the action again", async () => {
    const h = harness();
    await settled(h);
    const id = h.feed.add(CLEANUP_TASK, { sha: HEAD1, payload: payload(8) });
    h.feed.failing.add("post");
    await h.loop.tick();
    expect(h.feed.statuses(id)).toEqual([]);
    h.feed.failing.delete("post");
    await h.loop.tick();
    expect(h.feed.statuses(id)).toEqual([["success", "done"]]);
    expect(h.calls).toEqual([["cleanup", { pull: 8 }]]);
    expect(await h.metrics.text()).toContain('tierguard_controller_failures_total{environment="production",stage="status"} 2');
  });
});

describe("what supersedes what", () => {
  test("only the newest merge is applied; the older ones ride with it and share its outcome", async () => {
    const h = harness();
    await settled(h);
    h.feed.history.push(M1, M2);
    const older = h.feed.add(PROMOTE_TASK, { sha: M1, payload: payload(7) });
    const newer = h.feed.add(PROMOTE_TASK, { sha: M2, payload: payload(8, HEAD2) });
    await h.loop.tick();
    expect(h.calls).toEqual([
      ["promote", { ref: M2, environment: ENV, pull: 8 }],
      ["cleanup", { pull: 8 }],
      ["cleanup", { pull: 7 }],
    ]);
    expect(h.feed.statuses(older)).toEqual([["success", `with deployment ${newer} (${M2.slice(0, 7)}): done`]]);
  });

  test("a merge the default branch has moved past is applied at the branch's head, never back at the merge", async () => {
    const h = harness();
    await settled(h);
    h.feed.history.push(M1, M2, M3);
    const id = h.feed.add(PROMOTE_TASK, { sha: M1, payload: payload(7) });
    await h.loop.tick();
    expect(h.calls[0]).toEqual(["promote", { ref: M3, environment: ENV, pull: 7 }]);
    expect(h.feed.statuses(id)[0]).toEqual(["in_progress", `promoting #7 (${M1.slice(0, 7)}) at main's head ${M3.slice(0, 7)}, which holds it`]);
  });

  test("a merge that is not on the default branch is refused", async () => {
    const h = harness();
    await settled(h);
    const id = h.feed.add(PROMOTE_TASK, { sha: M1, payload: payload(7) });
    await h.loop.tick();
    expect(h.calls).toEqual([]);
    expect(h.feed.statuses(id)).toEqual([["failure", `not promoted: ${M1.slice(0, 7)} is not on the default branch main, which is what this controller enforces`]]);
  });

  test("a newer merge into another branch is refused without taking an older merge into main down with it", async () => {
    const h = harness();
    await settled(h);
    h.feed.history.push(M1);
    const main = h.feed.add(PROMOTE_TASK, { sha: M1, payload: payload(7) });
    const release = h.feed.add(PROMOTE_TASK, { sha: M2, payload: payload(8) });
    await h.loop.tick();
    expect(h.feed.statuses(release)).toEqual([["failure", `not promoted: ${M2.slice(0, 7)} is not on the default branch main, which is what this controller enforces`]]);
    expect(h.feed.statuses(main).at(-1)).toEqual(["success", "done"]);
    expect(h.calls).toEqual([
      ["promote", { ref: M1, environment: ENV, pull: 7 }],
      ["cleanup", { pull: 7 }],
    ]);
  });

  test("a newer push supersedes a stage; a close supersedes them all; a merged pull request is not staged", async () => {
    const h = harness();
    await settled(h);
    const first = h.feed.add(STAGE_TASK, { sha: HEAD1, payload: payload(8) });
    const second = h.feed.add(STAGE_TASK, { sha: HEAD2, payload: payload(8, HEAD2) });
    const third = h.feed.add(STAGE_TASK, { sha: HEAD1, payload: payload(9) });
    const closed = h.feed.add(CLEANUP_TASK, { sha: HEAD1, payload: payload(9) });
    await h.loop.tick();
    expect(h.calls).toEqual([
      ["stage", { pull: 8, base: BASE, head: HEAD2 }],
      ["cleanup", { pull: 9 }],
    ]);
    expect(h.feed.statuses(first)).toEqual([["inactive", `superseded by deployment ${second} (a newer stage of #8 at ${HEAD2.slice(0, 7)})`]]);
    expect(h.feed.statuses(third)).toEqual([["inactive", `superseded by deployment ${closed} (#9 was closed)`]]);
    // #8 merges; a stage of it created late (the App's job ran after the merge) must not stage it again.
    h.feed.history.push(M1);
    h.feed.add(PROMOTE_TASK, { sha: M1, payload: payload(8, HEAD2) });
    await h.loop.tick();
    const late = h.feed.add(STAGE_TASK, { sha: HEAD2, payload: payload(8, HEAD2) });
    await h.loop.tick();
    expect(h.feed.statuses(late)).toEqual([["inactive", "pull request #8 was merged (promoted already)"]]);
  });
});

describe("the default branch as a fallback", () => {
  test("a merge whose deployment never came is synced by the poll; the same head is not synced twice", async () => {
    const h = harness();
    const first = await h.loop.tick();
    expect(first.fallback).toEqual({ ref: BASE, converged: true });
    h.feed.history.push(M1);
    const second = await h.loop.tick();
    expect(second.fallback).toEqual({ ref: M1, converged: true });
    expect(await h.loop.tick()).toEqual({ github: true, cluster: true, finished: [] });
    expect(h.calls).toEqual([
      ["syncDefaultBranch", { ref: BASE, branch: "main" }],
      ["syncDefaultBranch", { ref: M1, branch: "main" }],
    ]);
  });

  test("a failed sync is retried with a doubling back-off, and a resync runs when due", async () => {
    let converge = false;
    const h = harness({ results: { syncDefaultBranch: () => (converge ? { converged: true, summary: "in sync" } : { converged: false, summary: "", failed: "transitional outage: no safe order" }) }, resyncMs: 600_000 });
    await h.loop.tick(); // fails at t0: retry after one interval
    await h.loop.tick(); // too early
    h.clock.advance(60_000);
    await h.loop.tick(); // fails again: retry after two intervals
    h.clock.advance(60_000);
    await h.loop.tick(); // too early
    converge = true;
    h.clock.advance(60_000);
    await h.loop.tick(); // converges
    expect(h.calls).toHaveLength(3);
    h.clock.advance(599_000);
    await h.loop.tick();
    expect(h.calls).toHaveLength(3);
    h.clock.advance(1_000);
    await h.loop.tick(); // the periodic resync (drift)
    expect(h.calls).toHaveLength(4);
  });
});

describe("readiness and liveness", () => {
  test("ready only when the last poll reached GitHub and the cluster; nothing runs while either is out of reach", async () => {
    const h = harness();
    expect(h.loop.health()).toEqual({ alive: false, ready: false, liveness: "the loop is not running", readiness: "no poll has finished yet" });
    await h.loop.tick();
    expect(h.loop.health().ready).toBe(true);
    h.cluster.up = false;
    h.feed.add(STAGE_TASK, { sha: HEAD1, payload: payload(8) });
    await h.loop.tick();
    expect(h.loop.health()).toMatchObject({ ready: false, readiness: "the last poll could not reach the cluster" });
    h.feed.failing.add("read");
    await h.loop.tick();
    expect(h.loop.health()).toMatchObject({ ready: false, readiness: "the last poll could not reach GitHub or the cluster" });
    expect(h.calls.map((c) => c[0])).toEqual(["syncDefaultBranch"]);
    const text = await h.metrics.text();
    expect(text).toContain('tierguard_controller_ready{environment="production"} 0');
    expect(text).toContain('tierguard_controller_failures_total{environment="production",stage="cluster"} 2');
    expect(text).toContain('tierguard_controller_failures_total{environment="production",stage="github"} 1');
  });

  test("alive while the loop runs and moves; not alive once it has not moved for the stall timeout", async () => {
    const h = harness();
    const abort = new AbortController();
    let health: ReturnType<ControllerLoop["health"]> | undefined;
    const loop = new ControllerLoop({
      environment: ENV,
      feed: h.feed,
      actions: fakeActions().actions,
      probeCluster: async () => {},
      metrics: h.metrics,
      log: { info() {}, warn() {}, error() {} },
      intervalMs: 60_000,
      resyncMs: 0,
      stallMs: 900_000,
      clock: {
        now: h.clock.now,
        sleep: async () => {
          health = loop.health();
          h.clock.advance(900_000);
          const stalled = loop.health();
          expect(stalled).toMatchObject({ alive: false, ready: true, liveness: "the loop has not moved for 900 s" });
          abort.abort();
        },
      },
    });
    await loop.run(abort.signal);
    expect(health).toEqual({ alive: true, ready: true, liveness: "the loop is running", readiness: "the last poll reached GitHub and the cluster" });
    expect(loop.health().alive).toBe(false);
  });
});

describe("metrics", () => {
  test("syncs by outcome, writes by verb and kind, drift, last success time and durations", async () => {
    const h = harness({ results: { stage: { converged: true, summary: "staged 2", writes: [{ verb: "create", kind: "StagedNetworkPolicy" }, { verb: "create", kind: "StagedNetworkPolicy" }], drift: 1 } } });
    await settled(h);
    h.feed.add(STAGE_TASK, { sha: HEAD1, payload: payload(8) });
    await h.loop.tick();
    const text = await h.metrics.text();
    expect(text).toContain('tierguard_controller_syncs_total{environment="production",task="stage",outcome="converged"} 1');
    expect(text).toContain('tierguard_controller_writes_total{verb="create",kind="StagedNetworkPolicy"} 2');
    expect(text).toContain('tierguard_controller_drift_total{environment="production"} 1');
    expect(text).toContain(`tierguard_controller_last_success_timestamp_seconds{environment="production"} ${Math.floor(h.clock.now() / 1000)}`);
    expect(text).toContain('tierguard_controller_deployment_duration_seconds_count{environment="production",task="stage",outcome="converged"} 1');
  });
});
