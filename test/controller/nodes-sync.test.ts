import { afterAll, afterEach, describe, expect, test } from "@jest/globals";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { WaitClock } from "../../src/cli/sync-wait.js";
import { NODE_APPLIED_AT_ANNOTATION, NODE_POLICY_DIGEST_ANNOTATION, NODE_RULESET_HASH_ANNOTATION } from "../../src/contracts/index.js";
import { MANAGED_LABEL, policyDigest } from "../../src/reconcile/index.js";
import { manyPolicies } from "../reconcile/helpers.js";
import { startFakeKube, type FakeKube, type KubeObject } from "../support/fake-kube/index.js";
import { cleanupDirs, expectPermitted, fastKube, policiesRepo, syncArgs } from "./scenarios-helpers.js";

/**
 * `tierguard sync --wait-programmed DURATION` through the real CLI and client against the fake API server: the
 * nodes' agents are simulated by annotating Node objects (as src/agent's reporter does) with the digest of the
 * managed objects the fake holds. The clock is injected: sleeping advances it, nothing waits for real.
 */
let kube: FakeKube;
afterEach(async () => {
  expectPermitted(kube);
  await kube.stop();
});
afterAll(cleanupDirs);

const T0 = Date.UTC(2026, 11, 3, 12);
const nodesDef = () => kube.store.resource("", "v1", "nodes")!;
const agentMarks = (digest: string) => ({ [NODE_RULESET_HASH_ANNOTATION]: "f00d", [NODE_POLICY_DIGEST_ANNOTATION]: digest, [NODE_APPLIED_AT_ANNOTATION]: "2026-12-03T11:00:00.000Z" });
const nodeObj = (name: string, annotations?: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "Node", metadata: { name, ...(annotations ? { annotations } : {}) } });
/** What an agent that compiled the cluster's current policies reports: computed from the fake's own objects. */
const currentDigest = () => policyDigest(kube.store.all().filter((o) => o.metadata.labels?.[MANAGED_LABEL] === "tierguard"));
function agentCatchesUp(name: string): void {
  const n = structuredClone(kube.store.get(nodesDef(), undefined, name)!) as KubeObject;
  n.metadata.annotations = agentMarks(currentDigest());
  kube.store.update(nodesDef(), undefined, name, n);
}

/** A clock whose sleep advances time and runs `onSleep` (the agents acting while the CLI waits). */
function clock(onSleep: (n: number) => void = () => undefined): WaitClock & { sleeps: number[] } {
  let t = T0;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms) => void (sleeps.push(ms), (t += ms), onSleep(sleeps.length)) };
}

async function run(argv: string[], cwd: string, waitClock: WaitClock): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), stderrIsTTY: false, cwd, now: () => T0 };
  const code = await main(argv, io, { clusterPort: fastKube(), waitClock });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const problems = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("tierguard: ") || l.startsWith("  "));
const nodeLists = () => kube.requests.filter((r) => r.method === "GET" && r.path === "/api/v1/nodes").length;

describe("tierguard sync --wait-programmed", () => {
  test("times out naming the stale node and exits 1; a node with no agent is not waited for; the wait is bounded", async () => {
    kube = await startFakeKube({ objects: [nodeObj("node-a", agentMarks("pending")), nodeObj("node-b", agentMarks("sha256:" + "0".repeat(64))), nodeObj("node-c")] });
    const dir = policiesRepo([["first", manyPolicies(["a", "b"])]]);
    // node-a's agent catches up at the first poll; node-b's never does.
    const c = clock((n) => n === 1 && agentCatchesUp("node-a"));
    const r = await run(syncArgs(kube, "v1", "--wait-programmed", "10s"), dir, c);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.converged).toBe(true);
    expect(json.nodes).toMatchObject({ state: "waiting", programmed: ["node-a"], notReported: ["node-c"], waiting: [{ name: "node-b", digest: "sha256:" + "0".repeat(64) }], waitingSeconds: 10 });
    expect(json.nodes.expected).toBe(currentDigest());
    expect(problems(r.stderr)).toEqual([
      "tierguard: waiting up to 10s for the nodes' agents to report the policies applied",
      `tierguard: not programmed on every node within 10 s: waiting on 1 of 2 nodes (node-b) for 10 s; 1 node(s) not reported; expected policy digest ${currentDigest()}`,
      `  node-b: reports sha256:${"0".repeat(64)} since 2026-12-03T11:00:00.000Z`,
    ]);
    // Bounded: 10 s in polls of 2 s, never past the deadline; one Node list per poll and one before.
    expect([c.sleeps, nodeLists()]).toEqual([[2000, 2000, 2000, 2000, 2000], 6]);
  });

  test("every reporting node catches up: exit 0, the text says so", async () => {
    kube = await startFakeKube({ objects: [nodeObj("node-a", agentMarks("old")), nodeObj("node-b", agentMarks("old")), nodeObj("node-c")] });
    const dir = policiesRepo([["first", manyPolicies(["a"])]]);
    const c = clock((n) => (n === 1 ? agentCatchesUp("node-a") : n === 2 ? agentCatchesUp("node-b") : undefined));
    const r = await run(syncArgs(kube, "v1", "--wait-programmed", "1m").filter((a) => a !== "--output" && a !== "json"), dir, c);
    expect([r.code, c.sleeps]).toEqual([0, [2000, 2000]]);
    expect(r.stdout).toContain("Nodes: programmed on every node (2/2); 1 node(s) not reported.\n");
  });

  test("no node runs an agent (Felix enforces): nothing to wait for, exit 0, no sleep", async () => {
    kube = await startFakeKube({ objects: [nodeObj("node-a"), nodeObj("node-b")] });
    const dir = policiesRepo([["first", manyPolicies(["a"])]]);
    const c = clock();
    const r = await run(syncArgs(kube, "v1", "--wait-programmed", "30s"), dir, c);
    expect([r.code, c.sleeps, JSON.parse(r.stdout).nodes.state]).toEqual([0, [], "none"]);
    expect(problems(r.stderr).at(-1)).toBe("tierguard: nodes: no node reports a tierguard agent (2 node(s)): nothing to say about nodes");
  });

  test("a malformed duration, or a dry run, is a usage error (exit 2) before the cluster is touched", async () => {
    kube = await startFakeKube();
    const dir = policiesRepo([["first", manyPolicies(["a"])]]);
    const bad = await run(syncArgs(kube, "v1", "--wait-programmed", "soon"), dir, clock());
    expect([bad.code, problems(bad.stderr)]).toEqual([2, ['tierguard: --wait-programmed must be a duration such as 30s, 5m or 250ms, not "soon"']]);
    const dry = await run(syncArgs(kube, "v1", "--wait-programmed", "5s", "--dry-run"), dir, clock());
    expect([dry.code, problems(dry.stderr)]).toEqual([2, ["tierguard: --wait-programmed waits for applied policies to reach the nodes; a --dry-run applies none"]]);
    expect(kube.requests).toEqual([]);
  });
});
