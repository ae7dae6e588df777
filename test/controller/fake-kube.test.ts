import { afterEach, describe, expect, test } from "@jest/globals";
import * as k8s from "@kubernetes/client-node";
import { startFakeKube, type FakeKube, type FakeKubeOptions } from "../support/fake-kube/index.js";

/**
 * The fake API server, proved with the real @kubernetes/client-node: what a controller and an agent use behaves as
 * a real server's does (status codes, Status reasons, resourceVersions, watch events), and the fake records every
 * request and state.
 */
let kube: FakeKube | undefined;
afterEach(async () => {
  await kube?.stop();
  kube = undefined;
});

async function start(opts: FakeKubeOptions = {}) {
  kube = await startFakeKube(opts);
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kube.kubeconfig);
  return { kube, kc, custom: kc.makeApiClient(k8s.CustomObjectsApi), core: kc.makeApiClient(k8s.CoreV1Api) };
}

const G = { group: "projectcalico.org", version: "v3" };
const gnp = (name: string, labels: Record<string, string> = {}, order = 10) => ({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name, labels }, spec: { order, selector: "all()" } });
const np = (ns: string, name: string) => ({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec: { tier: "default", selector: "app == 'web'" } });

/** The status and Status body of a failed call. */
async function failure(p: Promise<unknown>): Promise<{ code: number; reason?: string; message?: string; headers: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    const ex = e as k8s.ApiException<unknown>;
    const body = typeof ex.body === "string" && ex.body ? JSON.parse(ex.body) : (ex.body as { reason?: string; message?: string } | undefined);
    return { code: ex.code, reason: body?.reason, message: body?.message, headers: ex.headers };
  }
  throw new Error("expected a failure");
}

/** Collects watch events until `until` says stop (or the stream ends). */
function collect(kc: k8s.KubeConfig, path: string, query: Record<string, string | number | boolean | undefined>) {
  const events: { type: string; object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string } }[] = [];
  let ended: (err: unknown) => void = () => undefined;
  const done = new Promise<unknown>((ok) => (ended = ok));
  const started = new k8s.Watch(kc).watch(path, query, (type, object) => events.push({ type, object }), (err) => ended(err));
  return { events, done, started };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe("fake API server with the real client", () => {
  test("auth: the kubeconfig's token works; a wrong token is 401 Unauthorized", async () => {
    const { kube, custom } = await start();
    await expect(custom.listClusterCustomObject({ ...G, plural: "globalnetworkpolicies" })).resolves.toMatchObject({ kind: "GlobalNetworkPolicyList", items: [] });
    const bad = new k8s.KubeConfig();
    bad.loadFromString(kube.kubeconfig.replace("token: fake-token", "token: wrong"));
    const f = await failure(bad.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ ...G, plural: "globalnetworkpolicies" }));
    expect(f.code).toBe(401);
    expect(kube.requests.at(-1)).toMatchObject({ method: "GET", path: "/apis/projectcalico.org/v3/globalnetworkpolicies", status: 401 });
  });

  test("create, get, list with labelSelector (=, !=, key, !key, in, notin) and the list's resourceVersion", async () => {
    const { kube, custom } = await start();
    const created = (await custom.createClusterCustomObject({ ...G, plural: "globalnetworkpolicies", body: gnp("a", { team: "x", env: "prod" }) })) as { metadata: { resourceVersion: string; uid: string } };
    expect(created.metadata.uid).toMatch(/-/);
    await custom.createClusterCustomObject({ ...G, plural: "globalnetworkpolicies", body: gnp("b", { team: "y" }) });
    await custom.createClusterCustomObject({ ...G, plural: "globalnetworkpolicies", body: gnp("c") });
    const names = async (labelSelector: string) => ((await custom.listClusterCustomObject({ ...G, plural: "globalnetworkpolicies", labelSelector })) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
    expect(await names("team=x")).toEqual(["a"]);
    expect(await names("team!=x")).toEqual(["b", "c"]);
    expect(await names("team")).toEqual(["a", "b"]);
    expect(await names("!team")).toEqual(["c"]);
    expect(await names("team in (x, y),env")).toEqual(["a"]);
    expect(await names("team notin (x)")).toEqual(["b", "c"]);
    const list = (await custom.listClusterCustomObject({ ...G, plural: "globalnetworkpolicies" })) as { metadata: { resourceVersion: string } };
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(await custom.getClusterCustomObject({ ...G, plural: "globalnetworkpolicies", name: "a" })).toMatchObject({ kind: "GlobalNetworkPolicy", spec: { order: 10 } });
    expect(kube.states.map((s) => `${s.verb} ${s.name}`)).toEqual(["create a", "create b", "create c"]);
    expect(kube.absentIn({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", name: "b" })).toEqual([0]);
    expect(kube.absentIn({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", name: "a" })).toEqual([]);
    expect(kube.states.map((s) => s.objects.filter((o) => o.kind === "GlobalNetworkPolicy").map((o) => o.metadata.name))).toEqual([["a"], ["a", "b"], ["a", "b", "c"]]);
  });

  test("409 AlreadyExists on create, 409 Conflict on a stale update, 404 NotFound on get and delete of an absent object", async () => {
    const { custom } = await start();
    const body = np("shop", "web");
    const first = (await custom.createNamespacedCustomObject({ ...G, namespace: "shop", plural: "networkpolicies", body })) as { metadata: { resourceVersion: string } };
    expect(await failure(custom.createNamespacedCustomObject({ ...G, namespace: "shop", plural: "networkpolicies", body }))).toMatchObject({ code: 409, reason: "AlreadyExists", message: 'networkpolicies.projectcalico.org "web" already exists' });
    const updated = (await custom.replaceNamespacedCustomObject({ ...G, namespace: "shop", plural: "networkpolicies", name: "web", body: { ...body, metadata: { ...body.metadata, resourceVersion: first.metadata.resourceVersion }, spec: { ...body.spec, order: 5 } } })) as { metadata: { resourceVersion: string } };
    expect(updated.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
    const stale = await failure(custom.replaceNamespacedCustomObject({ ...G, namespace: "shop", plural: "networkpolicies", name: "web", body: { ...body, metadata: { ...body.metadata, resourceVersion: first.metadata.resourceVersion } } }));
    expect(stale).toMatchObject({ code: 409, reason: "Conflict" });
    expect(stale.message).toContain("the object has been modified");
    expect(await failure(custom.getNamespacedCustomObject({ ...G, namespace: "shop", plural: "networkpolicies", name: "nope" }))).toMatchObject({ code: 404, reason: "NotFound", message: 'networkpolicies.projectcalico.org "nope" not found' });
    await custom.deleteNamespacedCustomObject({ ...G, namespace: "shop", plural: "networkpolicies", name: "web" });
    expect(await failure(custom.deleteNamespacedCustomObject({ ...G, namespace: "shop", plural: "networkpolicies", name: "web" }))).toMatchObject({ code: 404, reason: "NotFound" });
  });

  test("patches: merge patch, JSON patch, server-side apply (create-if-absent, fieldManager required, pruning), each with its content type", async () => {
    const { kube, custom } = await start();
    const path = { ...G, plural: "globalnetworkpolicies", name: "p" };
    const apply = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply);
    const created = await custom.patchClusterCustomObject({ ...path, body: { ...gnp("p"), spec: { order: 1, selector: "all()", types: ["Ingress"] } }, fieldManager: "tierguard" }, apply);
    expect(created).toMatchObject({ metadata: { name: "p" }, spec: { order: 1, types: ["Ingress"] } });
    const applied = await custom.patchClusterCustomObject({ ...path, body: { ...gnp("p"), spec: { order: 2, selector: "all()" } }, fieldManager: "tierguard" }, apply);
    expect((applied as { spec: unknown }).spec).toEqual({ order: 2, selector: "all()" });
    expect(await failure(custom.patchClusterCustomObject({ ...path, body: gnp("p") }, apply))).toMatchObject({ code: 400, reason: "BadRequest" });
    const merged = await custom.patchClusterCustomObject({ ...path, body: { metadata: { labels: { a: "b" } }, spec: { selector: null } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    expect(merged).toMatchObject({ metadata: { labels: { a: "b" } }, spec: { order: 2 } });
    expect((merged as { spec: Record<string, unknown> }).spec.selector).toBeUndefined();
    const patched = await custom.patchClusterCustomObject({ ...path, body: [{ op: "replace", path: "/spec/order", value: 7 }, { op: "add", path: "/spec/types", value: ["Egress"] }] });
    expect((patched as { spec: unknown }).spec).toEqual({ order: 7, types: ["Egress"] });
    expect(await failure(custom.patchClusterCustomObject({ ...path, body: [{ op: "test", path: "/spec/order", value: 1 }] }))).toMatchObject({ code: 422, reason: "Invalid" });
    expect(kube.requests.filter((r) => r.method === "PATCH").map((r) => `${r.contentType} ${r.status}`)).toEqual([
      "application/apply-patch+yaml 201",
      "application/apply-patch+yaml 200",
      "application/apply-patch+yaml 400",
      "application/merge-patch+json 200",
      "application/json-patch+json 200",
      "application/json-patch+json 422",
    ]);
  });

  test("ssaCreateNotFound reproduces calico#12841: apply of an absent Calico object is 404 NotFound; of an existing one it works", async () => {
    const { custom } = await start({ ssaCreateNotFound: true });
    const apply = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply);
    const path = { ...G, plural: "globalnetworkpolicies", name: "p", fieldManager: "tierguard" };
    expect(await failure(custom.patchClusterCustomObject({ ...path, body: gnp("p") }, apply))).toMatchObject({ code: 404, reason: "NotFound" });
    await custom.createClusterCustomObject({ ...G, plural: "globalnetworkpolicies", body: gnp("p") });
    await expect(custom.patchClusterCustomObject({ ...path, body: gnp("p", { team: "x" }) }, apply)).resolves.toMatchObject({ metadata: { labels: { team: "x" } }, spec: { order: 10 } });
  });

  test("apply over an object another manager wrote: 409 Conflict naming each field it would change, unless force", async () => {
    const { kube, custom } = await start();
    const apply = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply);
    await custom.createClusterCustomObject({ ...G, plural: "globalnetworkpolicies", body: gnp("p", { owner: "ops" }, 5) });
    const path = { ...G, plural: "globalnetworkpolicies", name: "p", fieldManager: "tierguard" };
    const f = await failure(custom.patchClusterCustomObject({ ...path, body: gnp("p", { owner: "tierguard" }, 10) }, apply));
    expect(f).toMatchObject({ code: 409, reason: "Conflict", message: 'Apply failed with 2 conflicts: conflict with "before-first-apply": .spec.order, conflict with "before-first-apply": .metadata.labels.owner' });
    expect(kube.states).toHaveLength(1);
    await expect(custom.patchClusterCustomObject({ ...path, force: true, body: gnp("p", {}, 10) }, apply)).resolves.toMatchObject({ spec: { order: 10 } });
  });

  test("faults: 429 with Retry-After, 500 twice then success, the tiered-RBAC webhook's 403 with its message", async () => {
    const { kube, custom } = await start();
    const plural = "globalnetworkpolicies";
    kube.faults.add({ method: "GET", path: `/apis/projectcalico.org/v3/${plural}`, code: 429, retryAfter: 7 });
    const tooMany = await failure(custom.listClusterCustomObject({ ...G, plural }));
    expect(tooMany).toMatchObject({ code: 429, reason: "TooManyRequests" });
    expect(tooMany.headers["retry-after"]).toBe("7");
    kube.faults.add({ path: /globalnetworkpolicies$/, code: 500, times: 2 });
    expect((await failure(custom.listClusterCustomObject({ ...G, plural }))).code).toBe(500);
    expect((await failure(custom.listClusterCustomObject({ ...G, plural }))).reason).toBe("InternalError");
    await expect(custom.listClusterCustomObject({ ...G, plural })).resolves.toMatchObject({ items: [] });
    kube.faults.webhookDenied({ method: "POST", path: `/apis/projectcalico.org/v3/${plural}`, tier: "security" });
    const denied = await failure(custom.createClusterCustomObject({ ...G, plural, body: gnp("security.p") }));
    expect(denied).toMatchObject({ code: 403, reason: "Forbidden" });
    expect(denied.message).toMatch(/^admission webhook "tiered-rbac.projectcalico.org" denied the request: .*tier "security"/);
    expect(kube.faults.pending).toBe(0);
    expect(kube.states).toEqual([]);
  });

  test("faults: injected 401, 404 and 409 answer with their Status; a fault on a path leaves other methods and watches alone", async () => {
    const { kube, custom } = await start();
    const plural = "globalnetworkpolicies";
    await custom.createClusterCustomObject({ ...G, plural, body: gnp("a") });
    kube.faults.add({ method: "GET", path: `/apis/projectcalico.org/v3/${plural}/a`, code: 401 }).add({ method: "GET", path: `/apis/projectcalico.org/v3/${plural}/a`, code: 404 }).add({ method: "PUT", path: `/apis/projectcalico.org/v3/${plural}/a`, code: 409 });
    expect(await failure(custom.getClusterCustomObject({ ...G, plural, name: "a" }))).toMatchObject({ code: 401 });
    expect(await failure(custom.getClusterCustomObject({ ...G, plural, name: "a" }))).toMatchObject({ code: 404, reason: "NotFound" });
    const live = (await custom.getClusterCustomObject({ ...G, plural, name: "a" })) as ReturnType<typeof gnp>;
    await expect(custom.deleteClusterCustomObject({ ...G, plural, name: "b" }).catch((e) => (e as k8s.ApiException<unknown>).code)).resolves.toBe(404);
    expect(await failure(custom.replaceClusterCustomObject({ ...G, plural, name: "a", body: live }))).toMatchObject({ code: 409, reason: "Conflict" });
    await expect(custom.replaceClusterCustomObject({ ...G, plural, name: "a", body: live })).resolves.toMatchObject({ metadata: { name: "a" } });
    expect(kube.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 201", "GET 401", "GET 404", "GET 200", "DELETE 404", "PUT 409", "PUT 200"]);
  });

  test("watch: history from a resourceVersion, live events, label-selector transitions, bookmarks, server-side end", async () => {
    const { kube, kc, custom } = await start({ watchTimeoutMs: 60_000 });
    const plural = "globalnetworkpolicies";
    const a = (await custom.createClusterCustomObject({ ...G, plural, body: gnp("a", { sel: "yes" }) })) as { metadata: { resourceVersion: string } };
    await custom.createClusterCustomObject({ ...G, plural, body: gnp("b", { sel: "yes" }) });
    const w = collect(kc, `/apis/projectcalico.org/v3/${plural}`, { resourceVersion: a.metadata.resourceVersion, allowWatchBookmarks: true, labelSelector: "sel=yes" });
    await w.started;
    await until(() => kube.watches.on(plural) === 1 && w.events.length === 1, "the history event");
    await custom.patchClusterCustomObject({ ...G, plural, name: "a", body: { metadata: { labels: { sel: "no" } } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    await custom.deleteClusterCustomObject({ ...G, plural, name: "b" });
    kube.watches.bookmark();
    await until(() => w.events.length === 4, "four events");
    kube.watches.endAll();
    expect(await w.done).toBeNull();
    expect(w.events.map((e) => `${e.type} ${e.object.metadata?.name ?? ""}`)).toEqual(["ADDED b", "DELETED a", "DELETED b", "BOOKMARK "]);
    expect(w.events[3].object.metadata?.resourceVersion).toBe(kube.store.resourceVersion);
  });

  test("watch from a compacted resourceVersion: an ERROR event with a 410 Expired Status, then the end; an injected 410 is an HTTP error", async () => {
    const { kube, kc, custom } = await start();
    const plural = "globalnetworkpolicies";
    const old = (await custom.createClusterCustomObject({ ...G, plural, body: gnp("a") })) as { metadata: { resourceVersion: string } };
    await custom.createClusterCustomObject({ ...G, plural, body: gnp("b") });
    kube.store.compact();
    const w = collect(kc, `/apis/projectcalico.org/v3/${plural}`, { resourceVersion: old.metadata.resourceVersion });
    expect(await w.done).toBeNull();
    expect(w.events).toEqual([{ type: "ERROR", object: expect.objectContaining({ kind: "Status", code: 410, reason: "Expired" }) }]);
    kube.faults.add({ path: `/apis/projectcalico.org/v3/${plural}`, code: 410, watch: true });
    const h = collect(kc, `/apis/projectcalico.org/v3/${plural}`, { resourceVersion: kube.store.resourceVersion });
    expect(await h.done).toMatchObject({ statusCode: 410 });
  });

  test("watch without a resourceVersion starts with an ADDED per object; the informer lists, watches and sees changes", async () => {
    const { kube, kc, custom } = await start();
    const plural = "globalnetworkpolicies";
    await custom.createClusterCustomObject({ ...G, plural, body: gnp("a") });
    const w = collect(kc, `/apis/projectcalico.org/v3/${plural}`, {});
    await until(() => w.events.length === 1, "the initial ADDED");
    expect(w.events[0]).toMatchObject({ type: "ADDED", object: { metadata: { name: "a" } } });
    kube.watches.endAll();
    await w.done;
    const inf = k8s.makeInformer(kc, `/apis/projectcalico.org/v3/${plural}`, () => custom.listClusterCustomObject({ ...G, plural }) as never);
    const seen: string[] = [];
    inf.on("add", (o) => seen.push(`add ${o.metadata?.name}`));
    inf.on("delete", (o) => seen.push(`delete ${o.metadata?.name}`));
    await inf.start();
    await until(() => kube.watches.on(plural) === 1, "the informer's watch");
    await custom.deleteClusterCustomObject({ ...G, plural, name: "a" });
    await until(() => seen.length === 2, "the delete");
    await inf.stop();
    expect(seen).toEqual(["add a", "delete a"]);
  });

  test.each([
    ["aggregated", true, false, 200],
    ["crd", false, true, 200],
    ["absent", false, false, 404],
  ] as const)("calico %s: APIService %s, CRDs %s, the group's discovery answers %i", async (calico, apiService, crds, groupStatus) => {
    const { kube, custom } = await start({ calico });
    const svc = custom.getClusterCustomObject({ group: "apiregistration.k8s.io", version: "v1", plural: "apiservices", name: "v3.projectcalico.org" });
    if (apiService) await expect(svc).resolves.toMatchObject({ spec: { group: "projectcalico.org", version: "v3" } });
    else expect((await failure(svc)).code).toBe(404);
    const list = (await custom.listClusterCustomObject({ group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions" })) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((i) => i.metadata.name).includes("globalnetworkpolicies.projectcalico.org")).toBe(crds);
    const apis = new k8s.KubeConfig();
    apis.loadFromString(kube.kubeconfig);
    const groups = await apis.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.some((g) => g.name === "projectcalico.org")).toBe(groupStatus === 200);
    const resources = apis.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ ...G, plural: "tiers" });
    if (groupStatus === 200) await expect(resources).resolves.toMatchObject({ items: [] });
    else expect(await failure(resources)).toMatchObject({ code: 404, reason: "NotFound" });
  });

  test("core v1: a node's annotation by merge patch, a namespaced Event (core and events.k8s.io); records states per write", async () => {
    const { kube, core } = await start({ objects: [{ apiVersion: "v1", kind: "Node", metadata: { name: "n1" } }] });
    const node = await core.patchNode({ name: "n1", body: { metadata: { annotations: { "tierguard.dev/ruleset": "abc" } } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    expect(node.metadata?.annotations).toEqual({ "tierguard.dev/ruleset": "abc" });
    await core.createNamespacedEvent({ namespace: "tierguard", body: { metadata: { name: "e1", namespace: "tierguard" }, involvedObject: { kind: "Node", name: "n1" }, reason: "Applied", message: "m", type: "Normal" } });
    const events = kube.store.list(kube.store.resource("", "v1", "events")!);
    expect(events.map((e) => e.reason)).toEqual(["Applied"]);
    expect(kube.store.resource("events.k8s.io", "v1", "events")).toBeDefined();
    expect(kube.states.map((s) => `${s.verb} ${s.resource} ${s.name}`)).toEqual(["patch /v1/nodes n1", "create /v1/events e1"]);
    expect(kube.writes()).toEqual(["PATCH /api/v1/nodes/n1", "POST /api/v1/namespaces/tierguard/events"]);
  });
});
