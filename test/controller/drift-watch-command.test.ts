import { describe, expect, test } from "@jest/globals";
import { startController } from "../../src/cli/controller.js";
import type { CliIo } from "../../src/cli/io.js";
import type { DeploymentFeed } from "../../src/controller/feed.js";
import type { ClusterWiring } from "../../src/controller/loop-types.js";

/**
 * `tierguard controller` starts the wiring's drift watches beside the loop: their restore request reaches the loop,
 * which re-syncs the commit it converged to; stopping the controller aborts the watches' signal.
 */
const HEAD = "1".repeat(40);
const feed: DeploymentFeed = { pending: async () => [], post: async () => {}, defaultBranch: async () => ({ name: "main", sha: HEAD }), compare: async () => "identical" };
const io: CliIo = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, cwd: process.cwd(), now: () => 0 };

describe("tierguard controller and the drift watches", () => {
  test("start gets the loop's restore request; a request re-syncs the converged commit; stop aborts the watches", async () => {
    let ask!: () => void;
    let watching!: AbortSignal;
    let restored!: (ref: string) => void;
    const restore = new Promise<string>((r) => (restored = r));
    const ok = async () => ({ converged: true, summary: "" });
    const wiring = async (): Promise<ClusterWiring> => ({
      probeCluster: async () => {},
      start: async ({ signal, requestRestore }) => void ((watching = signal), (ask = requestRestore)),
      actions: { promote: ok, stage: ok, cleanup: ok, syncDefaultBranch: async () => (ask(), ok()), restore: async ({ ref }) => (restored(ref), ok()) },
    });
    const running = await startController({ environment: "production", repo: "acme/policies", listen: "127.0.0.1:0", interval: "1h", stallTimeout: "3h" }, io, { env: { GITHUB_TOKEN: "t" }, processMetrics: false, feed: async () => feed, wiring });
    expect(await restore).toBe(HEAD);
    expect(watching.aborted).toBe(false);
    running.stop();
    await running.done;
    expect(watching.aborted).toBe(true);
  });
});
