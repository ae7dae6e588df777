import { afterEach, describe, expect, test } from "@jest/globals";
import * as k8s from "@kubernetes/client-node";
import { RestartableWatch, type KubeError } from "../../src/controller/index.js";
import type { ClusterObject } from "../../src/reconcile/index.js";
import { startFakeKube, type FakeKube } from "../support/fake-kube/index.js";

/**
 * The restartable watch against the fake API server: it restarts after a killed connection, after injected 500s
 * (jittered exponential backoff, asserted through the injected sleep), relists on 410 (event or HTTP), and reports
 * what changed while it was away.
 */
let kube: FakeKube | undefined;
let watch: RestartableWatch | undefined;
afterEach(async () => {
  watch?.stop();
  await kube?.stop();
  kube = watch = undefined;
});

const PATH = "/apis/projectcalico.org/v3/globalnetworkpolicies";
const gnp = (name: string, order = 1) => ({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name }, spec: { order } });

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

/** A sleep the test releases by hand, so it can change the cluster while the watch is down. */
function gate() {
  const waits: number[] = [];
  let release: () => void = () => undefined;
  const sleep = (ms: number) => {
    waits.push(ms);
    return new Promise<void>((ok) => (release = ok));
  };
  return { waits, sleep, release: () => release() };
}

async function start(opts: { sleep?: (ms: number) => Promise<void>; random?: () => number } = {}) {
  kube = await startFakeKube({ calico: "crd" });
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kube.kubeconfig);
  const seen: string[] = [];
  const errors: { status: number; wait: number }[] = [];
  const on = (verb: string) => (o: ClusterObject) => void seen.push(`${verb} ${o.metadata.name}`);
  watch = new RestartableWatch(kc, "GlobalNetworkPolicy", { add: on("add"), update: on("update"), delete: on("delete"), error: (e: KubeError, wait) => void errors.push({ status: e.status, wait }) }, { baseMs: 1000, capMs: 8000, random: () => 0.5, ...opts });
  const store = kube.store;
  const def = store.resource("projectcalico.org", "v3", "globalnetworkpolicies")!;
  const ops = {
    create: (name: string) => store.create(def, undefined, gnp(name)),
    remove: (name: string) => store.delete(def, undefined, name),
    bump: (name: string) => store.patch(def, undefined, name, "application/merge-patch+json", { spec: { order: 2 } }),
  };
  return { kube, watch, seen, errors, ops };
}

const watchesOpen = () => kube!.watches.on("globalnetworkpolicies");

describe("RestartableWatch", () => {
  test("lists, then reports add, update and delete from the watch; the cache follows", async () => {
    const { watch, seen, ops } = await start();
    ops.create("a");
    await watch.start();
    await until(() => watchesOpen() === 1, "the watch");
    ops.create("b");
    ops.bump("a");
    ops.remove("b");
    await until(() => seen.length === 4, "four changes");
    expect(seen).toEqual(["add a", "add b", "update a", "delete b"]);
    expect(watch.list().map((o) => [o.kind, o.metadata.name, o.spec.order])).toEqual([["GlobalNetworkPolicy", "a", 2]]);
  });

  test("a killed connection is an error: it waits a jittered backoff and watches again from where it was (no relist)", async () => {
    const g = gate();
    const { kube, watch, seen, errors, ops } = await start({ sleep: g.sleep });
    await watch.start();
    await until(() => watchesOpen() === 1, "the watch");
    kube.watches.killAll();
    await until(() => errors.length === 1, "the error");
    expect(errors).toEqual([{ status: 0, wait: 750 }]);
    ops.create("while-down");
    g.release();
    await until(() => seen.length === 1, "the change made while down");
    expect(seen).toEqual(["add while-down"]);
    expect(watch.lists).toBe(1);
  });

  test("500 on the watch twice: backoff doubles (jittered 50–100%), then it recovers; a clean server-side end re-watches at once", async () => {
    const { kube, watch, seen, errors, ops } = await start({ sleep: async () => undefined, random: () => 0 });
    kube.faults.add({ path: PATH, code: 500, watch: true, times: 2 });
    await watch.start();
    await until(() => watchesOpen() === 1, "the watch after two failures");
    expect(errors).toEqual([
      { status: 500, wait: 500 },
      { status: 500, wait: 1000 },
    ]);
    kube.watches.endAll();
    await until(() => kube.requests.filter((r) => r.watch && r.status === 200).length === 2 && watchesOpen() === 1, "the re-watch");
    ops.create("a");
    await until(() => seen.length === 1, "the add");
    expect(errors).toHaveLength(2);
    expect(watch.lists).toBe(1);
  });

  test("410 as an ERROR event (history compacted while it was down): it relists and reports what changed meanwhile", async () => {
    const g = gate();
    const { kube, watch, seen, errors, ops } = await start({ sleep: g.sleep });
    ops.create("kept");
    ops.create("removed");
    await watch.start();
    await until(() => watchesOpen() === 1, "the watch");
    kube.watches.killAll();
    await until(() => errors.length === 1, "the error");
    ops.remove("removed");
    ops.create("added");
    ops.bump("kept");
    kube.store.compact();
    g.release();
    await until(() => seen.length === 5 && watchesOpen() === 1, "the relist's changes and the new watch");
    expect(seen).toEqual(["add kept", "add removed", "delete removed", "add added", "update kept"]);
    expect(watch.lists).toBe(2);
    expect(errors).toHaveLength(1);
    expect(kube.requests.filter((r) => r.watch).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  test("410 as an HTTP answer to the watch: relist at once, no backoff, no error reported", async () => {
    const { kube, watch, errors } = await start({ sleep: async () => undefined });
    await watch.start();
    await until(() => watchesOpen() === 1, "the watch");
    kube.faults.add({ path: PATH, code: 410, watch: true });
    kube.watches.endAll();
    await until(() => watch.lists === 2 && watchesOpen() === 1, "the relist and new watch");
    expect(errors).toEqual([]);
  });

  test("bookmarks keep its resourceVersion current: after a compaction a restart needs no relist", async () => {
    const { kube, watch, ops } = await start({ sleep: async () => undefined });
    ops.create("a");
    await watch.start();
    await until(() => watchesOpen() === 1, "the watch");
    const def = kube.store.resource("", "v1", "namespaces")!;
    kube.store.create(def, undefined, { metadata: { name: "other-resource-moved-the-clock" } });
    kube.watches.bookmark();
    await until(() => watch.resourceVersion === kube.store.resourceVersion, "the bookmark");
    kube.store.compact();
    kube.watches.endAll();
    await until(() => kube.requests.filter((r) => r.watch).length === 2 && watchesOpen() === 1, "the re-watch");
    expect(watch.lists).toBe(1);
    expect(kube.requests.filter((r) => r.watch).at(-1)!.query).toContain(`resourceVersion=${kube.store.resourceVersion}`);
  });
});
