import { describe, expect, test } from "@jest/globals";
import type { DeploymentFeed } from "../../src/controller/feed.js";
import { ControllerLoop, type ControllerActions } from "../../src/controller/loop.js";
import { ControllerMetrics } from "../../src/controller/metrics.js";
import { SILENT_LOG } from "../../src/contracts/index.js";

/**
 * The loop's half of live drift: a restore asked for by the drift watches re-syncs the commit the cluster last
 * converged to (never the newer head, which is the fallback's), once, and cuts the sleep short.
 */
const [OLD, NEW] = ["a".repeat(40), "b".repeat(40)];

function setup(hooks: { onSync?: () => void; onRestore?: () => void } = {}) {
  let head = OLD;
  const feed = { pending: async () => [], defaultBranch: async () => ({ name: "main", sha: head }), post: async () => undefined, compare: async () => "ahead" } as unknown as DeploymentFeed;
  const calls: string[] = [];
  const ok = async () => ({ converged: true, summary: "done" });
  const actions: ControllerActions = {
    promote: ok,
    stage: ok,
    cleanup: ok,
    syncDefaultBranch: async ({ ref }) => (calls.push(`sync ${ref[0]}`), hooks.onSync?.(), ok()),
    restore: async ({ ref }) => (calls.push(`restore ${ref[0]}`), hooks.onRestore?.(), ok()),
  };
  let t = 0;
  const sleeps: boolean[] = [];
  const clock = { now: () => t, sleep: async (ms: number, signal: AbortSignal) => void sleeps.push(signal.aborted) };
  const loop = new ControllerLoop({ environment: "production", feed, actions, probeCluster: async () => undefined, metrics: new ControllerMetrics(), log: SILENT_LOG, intervalMs: 60_000, resyncMs: 0, stallMs: 900_000, clock });
  return { loop, calls, sleeps, move: (sha: string) => void (head = sha), advance: (ms: number) => void (t += ms) };
}

describe("the loop restores drift", () => {
  test("restore re-syncs the last converged commit, not the newer head, once", async () => {
    const h = setup();
    await h.loop.tick();
    expect(h.calls).toEqual(["sync a"]);
    h.move(NEW);
    h.loop.requestRestore();
    const report = await h.loop.tick();
    expect(report.restored).toEqual({ ref: OLD, converged: true });
    expect(h.calls).toEqual(["sync a", "restore a", "sync b"]);
    await h.loop.tick();
    expect(h.calls).toEqual(["sync a", "restore a", "sync b"]);
  });

  test("before anything converged a restore does nothing (the fallback syncs the head)", async () => {
    const h = setup();
    h.loop.requestRestore();
    const report = await h.loop.tick();
    expect([report.restored, h.calls]).toEqual([undefined, ["sync a"]]);
  });

  test("a restore asked during a poll cuts the next sleep short", async () => {
    const stop = new AbortController();
    const h = setup({ onSync: () => h.loop.requestRestore(), onRestore: () => stop.abort() });
    await h.loop.run(stop.signal);
    expect([h.calls, h.sleeps]).toEqual([["sync a", "restore a"], [true]]);
  });
});
