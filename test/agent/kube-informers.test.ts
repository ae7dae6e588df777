import { afterEach, describe, expect, test } from "@jest/globals";
import * as k8s from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { NodeAgent } from "../../src/agent/daemon.js";
import type { CommandRunner } from "../../src/agent/exec.js";
import { apiPath, InformerSource, type ObjectInformer, type WatchedResource } from "../../src/agent/informer-source.js";
import { NODE_APPLIED_AT_ANNOTATION, NODE_POLICY_DIGEST_ANNOTATION, NODE_RULESET_HASH_ANNOTATION as NODE_HASH_ANNOTATION } from "../../src/contracts/index.js";
import { digestingInformerSource, kubeInformerFactory, kubeServed, nodeHashReporter } from "../../src/agent/kube-informers.js";
import { clusterDigest, kubeClusterPort, loadKubeConfig } from "../../src/controller/index.js";
import { desiredObjects } from "../../src/reconcile/index.js";
import { DEFAULT_PROVENANCE, manyPolicies, resources } from "../reconcile/helpers.js";
import { DEFAULT_CALICO_VERSION } from "../../src/policy/version.js";
import { DOCS, KUBERNETES } from "../dataplane/fixtures.js";
import { startFakeKube, type FakeKube, type KubeObject } from "../support/fake-kube/index.js";

/**
 * The agent's informers and Node annotation over the real client, against the fake API server: the cluster's pods,
 * namespaces, service accounts and policies reach the compiler as plain JSON (a NetworkPolicy's `from` intact), a
 * change triggers a recompile, an informer that fails restarts itself, and the enforced hash lands on the Node.
 */
let kube: FakeKube | undefined;
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) s();
  await kube?.stop();
  kube = undefined;
});

const inventory = (DOCS[0] as { items: KubeObject[] }).items.map((o) => ({ ...o, apiVersion: "v1" }));
const policies = parseAllDocuments(KUBERNETES).map((d) => d.toJSON() as KubeObject);

/** Objects as the controller writes them: tierguard's label and spec hash (shop's web pods run on node-a). */
const managed = (names: string[], namespace = "shop") =>
  desiredObjects(resources(manyPolicies(names).replaceAll("namespace: shop", `namespace: ${namespace}`)), { model: "v3.32", provenance: DEFAULT_PROVENANCE }).map((d) => d.object as unknown as KubeObject);

async function start(extra: KubeObject[] = [], clusterNetworkPolicy = false) {
  kube = await startFakeKube({ calico: "crd", clusterNetworkPolicy, objects: [...inventory, ...policies, ...extra, { apiVersion: "v1", kind: "Node", metadata: { name: "node-a" } }] });
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kube.kubeconfig);
  return { kube, kc };
}

/** A recording nft that keeps the last loaded table (as daemon.test.ts's). */
function kernel() {
  let table = "";
  const run: CommandRunner = async (command, args, input) => {
    if (command === "nft" && args[0] === "-f") table = input ?? "";
    if (command === "nft" && args[0] === "list" && args[1] === "table") return table ? { code: 0, stdout: table, stderr: "" } : { code: 1, stdout: "", stderr: "No such file or directory" };
    if (command === "nft" && args[0] === "-j") return { code: 1, stdout: "", stderr: "" };
    return { code: 0, stdout: "", stderr: "" };
  };
  return { run, table: () => table };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe("agent informers on the real client", () => {
  test("InformerSource over kubeInformerFactory: the snapshot holds the cluster's pods and policies; the agent applies and annotates its Node", async () => {
    const { kube, kc } = await start();
    const source = new InformerSource(kubeInformerFactory(kc), "node-a", DEFAULT_CALICO_VERSION);
    stops.push(() => source.stop());
    let changes = 0;
    await source.start(() => changes++);
    const snap = await source.snapshot();
    if ("error" in snap) throw new Error(snap.error);
    expect([...snap.localPods].sort()).toEqual(["shop/api-1", "shop/web-1"]);
    expect(snap.resources.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual(["KubernetesNetworkPolicy/shop/api-ingress", "NetworkPolicy/shop/default-allow-late"]);
    const k = kernel();
    const logs: string[] = [];
    const report = nodeHashReporter(kc, "node-a", { now: () => Date.UTC(2026, 0, 2), log: (l) => void logs.push(l) });
    const agent = new NodeAgent(source, { node: "node-a", table: "tierguard", run: k.run, conntrack: false, minIntervalMs: 1000, resyncMs: 60_000, retryMs: 5000, log: (l) => void logs.push(l), onApplied: report });
    expect(await agent.sync()).toBe(true);
    // The Kubernetes policy's `from` (an ipBlock with an except) reached the compiler: dropped, it would allow all.
    expect(k.table()).toContain("172.16.0.0/16");
    const node = kube.store.get(kube.store.resource("", "v1", "nodes")!, undefined, "node-a")!;
    expect(node.metadata.annotations).toEqual({ [NODE_HASH_ANNOTATION]: agent.status().hash, "tierguard.dev/ruleset-applied-at": "2026-01-02T00:00:00.000Z" });
    expect(kube.requests.filter((r) => r.method === "PATCH")).toMatchObject([{ path: "/api/v1/nodes/node-a", contentType: "application/merge-patch+json", status: 200 }]);
    // A new pod on this node is a change, and the next snapshot sees it.
    const before = changes;
    kube.store.create(kube.store.resource("", "v1", "pods")!, "shop", { metadata: { name: "web-2", namespace: "shop", labels: { app: "web" } }, spec: { nodeName: "node-a", containers: [{ name: "c" }] }, status: { podIP: "10.0.1.11" } });
    await until(() => changes > before, "the change");
    const next = await source.snapshot();
    expect("error" in next ? next.error : [...next.localPods].sort()).toEqual(["shop/api-1", "shop/web-1", "shop/web-2"]);
  });

  describe("ClusterNetworkPolicy, watched only where the cluster serves it", () => {
    const cnp: KubeObject = {
      apiVersion: "policy.networking.k8s.io/v1alpha2",
      kind: "ClusterNetworkPolicy",
      metadata: { name: "protect-api" },
      spec: { tier: "Admin", priority: 10, subject: { namespaces: {} }, ingress: [{ name: "no-web", action: "Deny", from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "web" } } } }] }] },
    };
    const cnpPath = "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies";

    test("served: the informer lists it and the snapshot holds it, so the agent enforces what the controller applied", async () => {
      const { kc } = await start([cnp], true);
      const source = new InformerSource(kubeInformerFactory(kc), "node-a", DEFAULT_CALICO_VERSION, kubeServed(kc));
      stops.push(() => source.stop());
      await source.start(() => undefined);
      const snap = await source.snapshot();
      if ("error" in snap) throw new Error(snap.error);
      expect(snap.resources.filter((r) => r.kind === "ClusterNetworkPolicy").map((r) => r.metadata.name)).toEqual(["protect-api"]);
      expect(kube!.requests.some((r) => r.method === "GET" && r.path.startsWith(cnpPath))).toBe(true);
    });

    test("not served: the source starts without it and never lists or watches the kind (a failing watch would stop every apply)", async () => {
      const { kc } = await start();
      const source = new InformerSource(kubeInformerFactory(kc), "node-a", DEFAULT_CALICO_VERSION, kubeServed(kc));
      stops.push(() => source.stop());
      await source.start(() => undefined);
      const snap = await source.snapshot();
      expect("error" in snap ? snap.error : snap.resources.length).toBe(2);
      expect(kube!.requests.filter((r) => r.path.startsWith(cnpPath))).toEqual([]);
      expect(kube!.requests.some((r) => r.path === "/apis/policy.networking.k8s.io/v1alpha2")).toBe(true);
    });
  });

  test("the agent reports the policy digest the controller computes; a policy that changes nothing on this node still updates it", async () => {
    // The fixture's policies are unmanaged (no tierguard label): in the cluster, but in neither digest.
    const { kube, kc } = await start(managed(["web"]));
    const source = digestingInformerSource(kubeInformerFactory(kc), "node-a", DEFAULT_CALICO_VERSION);
    stops.push(() => source.stop());
    let changes = 0;
    await source.start(() => changes++);
    const k = kernel();
    let loads = 0;
    const run: CommandRunner = (command, args, input) => ((loads += command === "nft" && args[0] === "-f" ? 1 : 0), k.run(command, args, input));
    const report = nodeHashReporter(kc, "node-a", { now: () => Date.UTC(2026, 0, 2), digest: () => source.digest });
    const agent = new NodeAgent(source, { node: "node-a", table: "tierguard", run, conntrack: false, minIntervalMs: 1000, resyncMs: 60_000, retryMs: 5000, log: () => undefined, onApplied: report });
    expect(await agent.sync()).toBe(true);
    const controller = kubeClusterPort(loadKubeConfig({ kubeconfig: kube.kubeconfigPath }));
    const nodeNow = () => kube.store.get(kube.store.resource("", "v1", "nodes")!, undefined, "node-a")!.metadata.annotations!;
    const first = await clusterDigest(controller);
    expect(nodeNow()).toEqual({ [NODE_HASH_ANNOTATION]: agent.status().hash, [NODE_POLICY_DIGEST_ANNOTATION]: first, [NODE_APPLIED_AT_ANNOTATION]: "2026-01-02T00:00:00.000Z" });
    // A managed policy in a namespace with no pod on this node: the ruleset stays the same, the digest does not.
    const table = k.table();
    const before = changes;
    kube.seed(...managed(["elsewhere"], "billing").filter((o) => o.kind !== "Tier"));
    await until(() => changes > before, "the new policy");
    expect(await agent.sync()).toBe(true);
    expect([k.table() === table, loads]).toEqual([true, 1]);
    const second = await clusterDigest(controller);
    expect(second).not.toBe(first);
    expect(nodeNow()[NODE_POLICY_DIGEST_ANNOTATION]).toBe(second);
    // A resync with nothing new patches nothing (the reporter sends only a changed pair).
    const patches = kube.requests.filter((r) => r.method === "PATCH").length;
    expect(await agent.sync()).toBe(true);
    expect(kube.requests.filter((r) => r.method === "PATCH").length).toBe(patches);
  });

  test("an informer whose list fails reports the error once, restarts after a jittered backoff, and recovers", async () => {
    const { kube, kc } = await start();
    const timers: { fn: () => void; ms: number }[] = [];
    const logs: string[] = [];
    const factory = kubeInformerFactory(kc, { baseMs: 1000, random: () => 0, setTimer: (fn, ms) => timers.push({ fn, ms }), log: (l) => void logs.push(l) });
    kube.faults.add({ method: "GET", path: "/apis/projectcalico.org/v3/tiers", code: 500, times: 2 });
    const informers = new Map<string, ObjectInformer>();
    const source = new InformerSource((r: WatchedResource) => {
      const inf = factory(r);
      informers.set(apiPath(r), inf);
      return inf;
    }, "node-a", DEFAULT_CALICO_VERSION);
    stops.push(() => source.stop());
    await source.start(() => undefined);
    const first = await source.snapshot();
    expect("error" in first && first.error).toBe("/apis/projectcalico.org/v3/tiers: HTTP 500 InternalError: Internal error occurred: injected fault");
    expect(timers.map((t) => t.ms)).toEqual([500]);
    timers.shift()!.fn();
    await until(() => timers.length === 1, "the second failure");
    expect(timers[0].ms).toBe(1000);
    timers.shift()!.fn();
    await until(() => kube.watches.on("tiers") === 1, "the tiers watch");
    kube.seed({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } });
    await until(() => informers.get("/apis/projectcalico.org/v3/tiers")!.list().length === 1, "the tier");
    expect(logs[0]).toBe("watch /apis/projectcalico.org/v3/tiers failed (HTTP 500 InternalError: Internal error occurred: injected fault); restarting in 500 ms");
  });

  test("a killed watch restarts too (the client's informer alone would stop for good)", async () => {
    const { kube, kc } = await start();
    const timers: { fn: () => void; ms: number }[] = [];
    const inf = kubeInformerFactory(kc, { random: () => 1, setTimer: (fn, ms) => timers.push({ fn, ms }) })({ group: "", version: "v1", plural: "namespaces", kind: "Namespace" });
    stops.push(() => void inf.stop());
    await inf.start();
    await until(() => kube.watches.on("namespaces") === 1, "the watch");
    kube.watches.killAll();
    await until(() => timers.length === 1, "the restart timer");
    expect(timers[0].ms).toBe(1000);
    timers[0].fn();
    await until(() => kube.watches.on("namespaces") === 1, "the new watch");
    kube.store.create(kube.store.resource("", "v1", "namespaces")!, undefined, { metadata: { name: "late" } });
    await until(() => inf.list().some((o) => (o as KubeObject).metadata.name === "late"), "the new namespace");
  });

  test("the Node reporter logs a failure (absent node: 404) and never throws", async () => {
    const { kc } = await start();
    const logs: string[] = [];
    await expect(nodeHashReporter(kc, "no-such-node", { log: (l) => void logs.push(l) })("abc")).resolves.toBeUndefined();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toBe('warning: could not annotate node no-such-node with ruleset abc: HTTP 404 NotFound: nodes "no-such-node" not found');
  });
});
