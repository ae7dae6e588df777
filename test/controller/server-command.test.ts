import { describe, expect, test } from "@jest/globals";
import nock from "nock";
import { startController } from "../../src/cli/controller.js";

/** A wiring that must never be reached: the test fails earlier, on GitHub. */
const REFUSE = async (): Promise<never> => {
  throw new Error("the cluster wiring was reached");
};
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { DeploymentFeed } from "../../src/controller/feed.js";
import type { ClusterWiring } from "../../src/controller/loop-types.js";
import { API, privateKey, REPO_PATH, useStrictNock } from "../helpers/probot-app.js";

/**
 * `tierguard controller`: help, clear configuration errors (exit 2), and a running controller with a feed in memory
 * and fake Kubernetes wiring: it polls at once, serves its endpoints, logs JSON lines, and stops cleanly.
 */
useStrictNock({ allowLocalhost: true });

function captureIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), stderrIsTTY: false, cwd: process.cwd(), now: () => 0 };
}

const HEAD = "1".repeat(40);
const feed: DeploymentFeed = {
  pending: async () => [],
  post: async () => {},
  defaultBranch: async () => ({ name: "main", sha: HEAD }),
  compare: async () => "identical",
};

describe("tierguard controller", () => {
  test("--help lists the flags and the environment it reads", async () => {
    const io = captureIo();
    expect(await main(["controller", "--help"], io)).toBe(0);
    const help = io.out.join("");
    for (const s of ["--environment <name>", "--repo <owner/name>", "--kubeconfig <file>", "--interval <duration>", "--listen <[host]:port>", "GITHUB_TOKEN", "APP_ID", "INSTALLATION_ID", "/readyz"]) expect(help).toContain(s);
  });

  test("a bad configuration: every problem on its own line, exit 2, nothing started", async () => {
    const io = captureIo();
    expect(await main(["controller", "--repo", "not-a-repo", "--interval", "soon"], io)).toBe(2);
    const err = io.err.join("");
    expect(err).toMatch(/^tierguard: cannot start the controller:\n/);
    expect(err).toContain('  - --repo must be OWNER/NAME, not "not-a-repo"\n');
    expect(err).toContain('  - --interval must be a duration of at least 5s such as 60s, 5m or 1h, not "soon"\n');
    expect(err).toContain("(run tierguard controller --help)");
  });

  test("a kubeconfig that cannot be read: it refuses to start, saying so in one line", async () => {
    await expect(startController({ environment: "production", repo: "acme/policies", listen: "127.0.0.1:0", kubeconfig: "/nonexistent/kubeconfig" }, captureIo(), { env: { GITHUB_TOKEN: "t" }, processMetrics: false, feed: async () => feed })).rejects.toThrow(
      /^cannot connect to the cluster: .*\/nonexistent\/kubeconfig/,
    );
  });

  test("an App GitHub does not know on the repository: one line saying so, before anything starts", async () => {
    nock(API).get(`${REPO_PATH}/installation`).reply(404, { message: "Not Found" });
    const start = startController({ environment: "production", repo: "acme/policies", listen: "127.0.0.1:0" }, captureIo(), { env: { APP_ID: "1", PRIVATE_KEY: privateKey() }, processMetrics: false, wiring: REFUSE });
    await expect(start).rejects.toThrow(/^cannot find the App's installation on acme\/policies: Not Found/);
  });

  test("runs: polls at once, ready after a poll that reached both sides, metrics, JSON log lines, a clean stop", async () => {
    const io = captureIo();
    let synced!: () => void;
    const firstSync = new Promise<void>((r) => (synced = r));
    let closed = false;
    const wiring = async (): Promise<ClusterWiring> => ({
      probeCluster: async () => {},
      actions: {
        promote: async () => ({ converged: true, summary: "" }),
        stage: async () => ({ converged: true, summary: "" }),
        cleanup: async () => ({ converged: true, summary: "" }),
        syncDefaultBranch: async () => (synced(), { converged: true, summary: "in sync", writes: [{ verb: "create", kind: "Tier" }] }),
      },
      close: async () => void (closed = true),
    });
    const running = await startController({ environment: "production", repo: "acme/policies", listen: "127.0.0.1:0" }, io, { env: { GITHUB_TOKEN: "ghp_secrettoken0000000000000000" }, processMetrics: false, feed: async () => feed, wiring });
    await firstSync;
    const url = `http://127.0.0.1:${running.server.port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).text()).toBe("ready: the last poll reached GitHub and the cluster\n");
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('tierguard_controller_writes_total{verb="create",kind="Tier"} 1');
    running.stop();
    await running.done;
    expect(closed).toBe(true);
    const lines = io.out.join("").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ level: 30, name: "tierguard-controller", environment: "production", repo: "acme/policies", auth: "token", msg: "controller started" });
    expect(lines.find((l) => l.msg === "in sync")).toMatchObject({ level: 30, task: "sync", sha: HEAD, converged: true, writes: 1 });
    expect(lines.at(-1)).toMatchObject({ msg: "controller stopped" });
    expect(io.out.join("")).not.toContain("ghp_secret");
  });
});
