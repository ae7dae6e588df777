import { describe, expect, test } from "@jest/globals";
import type { DeploymentFeed, FeedDeployment, StatusUpdate } from "../../src/controller/feed.js";
import { runAction, StatusReporter } from "../../src/controller/loop-handle.js";
import { ControllerLoop, type ActionResult, type ControllerActions } from "../../src/controller/loop.js";
import { ControllerMetrics } from "../../src/controller/metrics.js";
import { nodeProgramming, type NodeMarks, type NodeProgramming } from "../../src/reconcile/index.js";

/**
 * Where users see "programmed on every node": the action's log line (a `nodes` field, additive), the deployment
 * status GitHub shows, the `tierguard_controller_nodes` gauge, and the loop's periodic pass while nodes wait.
 */
const ENV = "production";
const EXPECTED = "sha256:" + "e".repeat(64);
const marks = (digest: string) => ({ "tierguard.dev/ruleset-hash": "f00d", "tierguard.dev/policy-digest": digest });
const nodes = (list: NodeMarks[], waitedMs = 0) => nodeProgramming(list, EXPECTED, { since: 0, now: waitedMs });
const WAITING = nodes([{ name: "node-a", annotations: marks(EXPECTED) }, { name: "node-b", annotations: marks("sha256:old") }, { name: "node-c" }], 7000);
const PROGRAMMED = nodes([{ name: "node-a", annotations: marks(EXPECTED) }, { name: "node-b", annotations: marks(EXPECTED) }, { name: "node-c" }]);
const NONE = nodes([{ name: "node-a" }]);

function recorder() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const at = (level: string) => (obj: Record<string, unknown> | string, msg?: string) => void lines.push({ level, obj: typeof obj === "string" ? {} : obj, msg: typeof obj === "string" ? obj : msg });
  return { lines, log: { info: at("info"), warn: at("warn"), error: at("error") } };
}

function feed(): DeploymentFeed & { posted: Array<[number, StatusUpdate]> } {
  const posted: Array<[number, StatusUpdate]> = [];
  return {
    posted,
    pending: async () => [],
    post: async (id, s) => void posted.push([id, s]),
    defaultBranch: async () => ({ name: "main", sha: "a".repeat(40) }),
    compare: async () => "identical",
  };
}

const deployment: FeedDeployment = { id: 7, sha: "b".repeat(40), task: "tierguard:promote", environment: ENV, payload: {}, createdAt: "2026-12-03T12:00:00Z" };

async function act(result: ActionResult) {
  const { lines, log } = recorder();
  const metrics = new ControllerMetrics();
  const f = feed();
  const reporter = new StatusReporter(f, { environment: ENV, metrics, log });
  await runAction({ options: { environment: ENV, metrics, log }, reporter, now: () => 0, beat: () => undefined }, { task: "promote", deployment, starting: "promoting #7", bindings: { environment: ENV, pr: 7 } }, async () => result);
  return { lines, posted: f.posted, metrics: await metrics.text() };
}

const gauge = (text: string) => text.split("\n").filter((l) => l.startsWith("tierguard_controller_nodes{"));

describe("the nodes where users see them", () => {
  test("a promotion with a node waiting: the log line's nodes field, the deployment status and the gauge", async () => {
    const r = await act({ converged: true, summary: "2 policies enforced", writes: [], nodes: WAITING });
    const done = r.lines.at(-1)!;
    expect(done.msg).toBe("2 policies enforced; waiting on 1 of 2 nodes (node-b) for 7 s; 1 node(s) not reported");
    expect(done.obj.nodes).toEqual({ state: "waiting", reporting: 2, programmed: 1, waiting: ["node-b"], waitingCount: 1, notReported: 1, waitingSeconds: 7, expected: EXPECTED });
    expect(r.posted.at(-1)![1]).toEqual({ state: "success", description: "2 policies enforced; waiting on 1 of 2 nodes (node-b) for 7 s; 1 node(s) not reported" });
    expect(gauge(r.metrics)).toEqual([
      'tierguard_controller_nodes{environment="production",state="programmed"} 1',
      'tierguard_controller_nodes{environment="production",state="waiting"} 1',
      'tierguard_controller_nodes{environment="production",state="not_reported"} 1',
    ]);
  });

  test("every node programmed: said in the status; no agent anywhere: nothing said about nodes", async () => {
    const programmed = await act({ converged: true, summary: "1 policy enforced", nodes: PROGRAMMED });
    expect(programmed.posted.at(-1)![1].description).toBe("1 policy enforced; programmed on every node (2/2); 1 node(s) not reported");
    const none = await act({ converged: true, summary: "1 policy enforced", nodes: NONE });
    expect([none.posted.at(-1)![1].description, none.lines.at(-1)!.msg, "nodes" in none.lines.at(-1)!.obj]).toEqual(["1 policy enforced", "1 policy enforced", false]);
  });

  test("the periodic pass: a waiting node is logged once, its catching up once; a failed read is a warning and the poll goes on", async () => {
    const { lines, log } = recorder();
    const metrics = new ControllerMetrics();
    const answers: Array<NodeProgramming | Error | undefined> = [WAITING, WAITING, new Error("HTTP 503"), PROGRAMMED, undefined];
    const ok: ActionResult = { converged: true, summary: "nothing to do" };
    const actions = { promote: async () => ok, stage: async () => ok, cleanup: async () => ok, syncDefaultBranch: async () => ok } as ControllerActions;
    const loop = new ControllerLoop({
      environment: ENV, feed: feed(), actions, probeCluster: async () => undefined, metrics, log, intervalMs: 1000, resyncMs: 0, stallMs: 60_000,
      clock: { now: () => 0, sleep: async () => undefined },
      checkNodes: async () => {
        const a = answers.shift();
        if (a instanceof Error) throw a;
        return a;
      },
    });
    for (let i = 0; i < 5; i++) await loop.tick();
    const nodeLines = lines.filter((l) => String(l.msg).startsWith("nodes:") || String(l.msg).includes("nodes' reports"));
    expect(nodeLines.map((l) => [l.level, l.msg])).toEqual([
      ["warn", "nodes: waiting on 1 of 2 nodes (node-b) for 7 s; 1 node(s) not reported"],
      ["warn", "could not read the nodes' reports; trying again at the next poll"],
      ["info", "nodes: programmed on every node (2/2); 1 node(s) not reported"],
    ]);
    expect(gauge(await metrics.text())).toContain('tierguard_controller_nodes{environment="production",state="waiting"} 0');
  });
});
