import { describe, expect, test } from "@jest/globals";
import type { KnownWorkload, ReviewContext } from "../../src/review/context.js";
import { overlapReplay } from "../../src/run/review.js";

/**
 * The review does its own work (checks, connectivity pairs) in the main thread while worker threads replay the
 * snapshot, and does it again when the replay showed workloads it did not know (the work reads ctx.workloads, which
 * the replay extends).
 */
function setUp() {
  const ctx = { workloads: [] as KnownWorkload[] } as unknown as ReviewContext;
  const log: string[] = [];
  const work = () => {
    log.push(`work saw ${ctx.workloads.length}`);
    return { workloads: ctx.workloads.length };
  };
  return { ctx, log, work };
}

const workload = { endpoint: {}, name: "ns/web", source: "flows" } as unknown as KnownWorkload;
const tick = () => new Promise((r) => setTimeout(r, 20));

describe("overlapReplay", () => {
  test("the work is done while the workers replay, once, when the replay adds no workload", async () => {
    const { ctx, log, work } = setUp();
    const result = await overlapReplay(ctx, work, async (started) => {
      started();
      await tick();
      log.push("replay done");
      return { impact: "report" };
    });
    expect(log).toEqual(["work saw 0", "replay done"]);
    expect(result).toEqual({ impact: "report", early: { workloads: 0 } });
  });

  test("a workload the replay showed: the work is done again and its second result kept", async () => {
    const { ctx, log, work } = setUp();
    const result = await overlapReplay(ctx, work, async (started) => {
      started();
      await tick();
      ctx.workloads.push(workload);
      log.push("replay done");
      return {};
    });
    expect(log).toEqual(["work saw 0", "replay done", "work saw 1"]);
    expect(result.early).toEqual({ workloads: 1 });
  });

  test("a replay in this thread (no workers started): no work here, the caller does it after", async () => {
    const { ctx, log, work } = setUp();
    const result = await overlapReplay(ctx, work, async () => {
      ctx.workloads.push(workload);
      return { impact: "report" };
    });
    expect(log).toEqual([]);
    expect(result).toEqual({ impact: "report", early: undefined });
  });

  test("work that throws fails the review only once the workers have finished", async () => {
    const { ctx, log } = setUp();
    const run = overlapReplay(
      ctx,
      () => {
        throw new Error("check failed");
      },
      async (started) => {
        started();
        await tick();
        log.push("replay done");
        return {};
      },
    );
    await expect(run).rejects.toThrow("check failed");
    expect(log).toEqual(["replay done"]);
  });

  test("a replay that fails before the workers start fails the review with its own error", async () => {
    const { ctx, log, work } = setUp();
    await expect(overlapReplay(ctx, work, async () => Promise.reject(new Error("no such snapshot")))).rejects.toThrow("no such snapshot");
    expect(log).toEqual([]);
  });
});
