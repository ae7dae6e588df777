import { describe, expect, test } from "@jest/globals";
import type { Check, KnownWorkload, ReviewContext } from "../../src/review/context.js";
import type { Finding } from "../../src/review/types.js";
import { overlapChecks } from "../../src/run/review.js";

/**
 * The review runs its checks in the main thread while worker threads replay the snapshot, and runs them again when
 * the replay showed workloads they did not know (they read ctx.workloads, which the replay extends).
 */
const finding = (code: string): Finding => ({ code, severity: "warning", message: code, file: "p.yaml", line: 1, col: 1, path: "" });

/** A context with only what overlapChecks reads, and checks that log each call with the workloads they saw. */
function setUp() {
  const ctx = { workloads: [] as KnownWorkload[] } as unknown as ReviewContext;
  const log: string[] = [];
  const checks: Check[] = [
    (c) => (log.push(`first saw ${c.workloads.length}`), [finding(`first/${c.workloads.length}`)]),
    (c) => (log.push(`second saw ${c.workloads.length}`), []),
  ];
  return { ctx, log, checks };
}

const workload = { endpoint: {}, name: "ns/web", source: "flows" } as unknown as KnownWorkload;

describe("overlapChecks", () => {
  test("the checks run while the workers replay, once, when the replay adds no workload", async () => {
    const { ctx, log, checks } = setUp();
    const result = await overlapChecks(ctx, checks, async (started) => {
      started();
      await new Promise((r) => setTimeout(r, 20));
      log.push("replay done");
      return { impact: "report" };
    });
    expect(log).toEqual(["first saw 0", "second saw 0", "replay done"]);
    expect(result).toEqual({ impact: "report", checked: [[finding("first/0")], []] });
  });

  test("a workload the replay showed: the checks run again and their second findings are kept", async () => {
    const { ctx, log, checks } = setUp();
    const result = await overlapChecks(ctx, checks, async (started) => {
      started();
      await new Promise((r) => setTimeout(r, 20));
      ctx.workloads.push(workload);
      log.push("replay done");
      return {};
    });
    expect(log).toEqual(["first saw 0", "second saw 0", "replay done", "first saw 1", "second saw 1"]);
    expect(result.checked).toEqual([[finding("first/1")], []]);
  });

  test("a replay in this thread (no workers started): nothing is checked here, buildReview runs the checks", async () => {
    const { ctx, log, checks } = setUp();
    const result = await overlapChecks(ctx, checks, async () => {
      ctx.workloads.push(workload);
      return { impact: "report" };
    });
    expect(log).toEqual([]);
    expect(result).toEqual({ impact: "report", checked: undefined });
  });

  test("a check that throws fails the review only once the workers have finished", async () => {
    const { ctx, log } = setUp();
    const failing: Check[] = [
      () => {
        throw new Error("check failed");
      },
    ];
    const run = overlapChecks(ctx, failing, async (started) => {
      started();
      await new Promise((r) => setTimeout(r, 20));
      log.push("replay done");
      return {};
    });
    await expect(run).rejects.toThrow("check failed");
    expect(log).toEqual(["replay done"]);
  });

  test("a replay that fails before the workers start fails the review with its own error", async () => {
    const { ctx, log, checks } = setUp();
    await expect(overlapChecks(ctx, checks, async () => Promise.reject(new Error("no such snapshot")))).rejects.toThrow("no such snapshot");
    expect(log).toEqual([]);
  });
});
