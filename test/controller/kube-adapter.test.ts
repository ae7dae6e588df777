import { afterEach, describe, expect, test } from "@jest/globals";
import { spawn } from "node:child_process";
import * as k8s from "@kubernetes/client-node";
import { ensureDist, REPO_ROOT } from "../helpers/dist.js";
import { KubeError, kubeClusterPort, loadKubeConfig, retryDelay, type KubePortOptions } from "../../src/controller/index.js";
import type { ClusterObject } from "../../src/reconcile/index.js";
import { startFakeKube, type FakeKube, type FakeKubeOptions } from "../support/fake-kube/index.js";

/** The ClusterPort over the real client, against the fake API server. */
let kube: FakeKube | undefined;
afterEach(async () => {
  await kube?.stop();
  kube = undefined;
});

async function start(opts: FakeKubeOptions = {}, port: KubePortOptions = {}) {
  kube = await startFakeKube(opts);
  const delays: number[] = [];
  const warnings: string[] = [];
  const log = { info: () => {}, error: () => {}, warn: (o: unknown, m?: string) => void warnings.push(`${m ?? ""} ${JSON.stringify(o)}`) };
  const kc = loadKubeConfig({ kubeconfig: kube.kubeconfigPath });
  const cluster = kubeClusterPort(kc, { log, now: () => Date.UTC(2026, 0, 2), retry: { sleep: async (ms) => void delays.push(ms) }, ...port });
  return { kube, kc, cluster, delays, warnings };
}

const gnp = (name: string, spec: Record<string, unknown> = { order: 10, selector: "all()" }): ClusterObject => ({
  apiVersion: "projectcalico.org/v3",
  kind: "GlobalNetworkPolicy",
  metadata: { name, labels: { "app.kubernetes.io/managed-by": "tierguard" } },
  spec,
});
const knp: ClusterObject = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "allow-web", namespace: "shop" },
  spec: { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { app: "lb" } } }, { namespaceSelector: { matchLabels: { team: "edge" } } }], ports: [{ port: 443, protocol: "TCP" }] }] },
};

async function rejection(p: Promise<unknown>): Promise<KubeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KubeError);
    return e as KubeError;
  }
  throw new Error("expected a KubeError");
}

describe("kubeClusterPort: reads and writes", () => {
  test("create is a server-side apply with fieldManager tierguard; get, list (labelSelector), update with resourceVersion, delete", async () => {
    const { kube, cluster } = await start();
    const created = await cluster.create({ ...gnp("a"), metadata: { ...gnp("a").metadata, resourceVersion: "999" } });
    expect(created).toMatchObject({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "a" }, spec: { order: 10 } });
    expect(kube.requests.at(-1)).toMatchObject({ method: "PATCH", path: "/apis/projectcalico.org/v3/globalnetworkpolicies/a", contentType: "application/apply-patch+yaml", status: 201 });
    expect(kube.requests.at(-1)!.query).toContain("fieldManager=tierguard");
    await cluster.create(gnp("b"));
    kube.seed({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "unmanaged" }, spec: {} });
    expect((await cluster.list("GlobalNetworkPolicy", "app.kubernetes.io/managed-by=tierguard")).map((o) => o.metadata.name)).toEqual(["a", "b"]);
    const live = (await cluster.get({ kind: "GlobalNetworkPolicy", name: "a" }))!;
    const updated = await cluster.update({ ...live, spec: { ...live.spec, order: 20 } });
    expect(updated.spec.order).toBe(20);
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(live.metadata.resourceVersion));
    await cluster.delete({ kind: "GlobalNetworkPolicy", name: "a" });
    expect(await cluster.get({ kind: "GlobalNetworkPolicy", name: "a" })).toBeUndefined();
    await expect(cluster.delete({ kind: "GlobalNetworkPolicy", name: "a" })).resolves.toBeUndefined();
    expect(kube.requests.at(-1)).toMatchObject({ method: "DELETE", status: 404 });
    expect(kube.writes()).toEqual([
      "PATCH /apis/projectcalico.org/v3/globalnetworkpolicies/a",
      "PATCH /apis/projectcalico.org/v3/globalnetworkpolicies/b",
      "PUT /apis/projectcalico.org/v3/globalnetworkpolicies/a",
      "DELETE /apis/projectcalico.org/v3/globalnetworkpolicies/a",
      "DELETE /apis/projectcalico.org/v3/globalnetworkpolicies/a",
    ]);
  });

  test("a Kubernetes NetworkPolicy's ingress `from` survives the round trip (the typed model's `_from` would drop it)", async () => {
    const { kube, kc, cluster } = await start();
    await cluster.create(knp);
    const stored = kube.store.get(kube.store.resource("networking.k8s.io", "v1", "networkpolicies")!, "shop", "allow-web")!;
    expect(stored.spec.ingress[0].from).toEqual(knp.spec.ingress && (knp.spec.ingress as { from: unknown }[])[0].from);
    const read = (await cluster.get({ kind: "KubernetesNetworkPolicy", namespace: "shop", name: "allow-web" }))!;
    expect(read.spec).toEqual(knp.spec);
    const listed = await cluster.list("KubernetesNetworkPolicy");
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", spec: knp.spec });
    await cluster.update({ ...read, spec: { ...read.spec, policyTypes: ["Ingress", "Egress"] } });
    expect(kube.store.get(kube.store.resource("networking.k8s.io", "v1", "networkpolicies")!, "shop", "allow-web")!.spec.ingress[0].from).toHaveLength(2);
    // The pitfall this avoids: the same plain object through KubernetesObjectApi loses `from` on the way out.
    await k8s.KubernetesObjectApi.makeApiClient(kc).create({ ...knp, metadata: { name: "typed", namespace: "shop" } } as k8s.KubernetesObject);
    expect(kube.store.get(kube.store.resource("networking.k8s.io", "v1", "networkpolicies")!, "shop", "typed")!.spec.ingress[0].from).toBeUndefined();
  });

  test("calico#12841: apply of a new object answers NotFound, so create falls back to POST, and later creates POST directly", async () => {
    const { kube, cluster, warnings } = await start({ ssaCreateNotFound: true });
    await expect(cluster.create(gnp("a"))).resolves.toMatchObject({ metadata: { name: "a" } });
    await cluster.create(gnp("b"));
    expect(kube.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "PATCH /apis/projectcalico.org/v3/globalnetworkpolicies/a 404",
      "POST /apis/projectcalico.org/v3/globalnetworkpolicies 201",
      "POST /apis/projectcalico.org/v3/globalnetworkpolicies 201",
    ]);
    expect(warnings.join("\n")).toContain("calico#12841");
    expect(await rejection(cluster.create(gnp("a")))).toMatchObject({ status: 409, reason: "AlreadyExists" });
  });

  test("create never takes over an unmanaged look-alike: apply without force is a 409 Conflict and the object is unchanged", async () => {
    const { kube, cluster } = await start();
    kube.seed({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "a", labels: { owner: "ops" } }, spec: { order: 5, selector: "all()" } });
    const err = await rejection(cluster.create(gnp("a")));
    expect(err).toMatchObject({ status: 409, reason: "Conflict" });
    expect(err.message).toContain(".spec.order");
    expect(kube.store.get(kube.store.resource("projectcalico.org", "v3", "globalnetworkpolicies")!, undefined, "a")!.metadata.labels).toEqual({ owner: "ops" });
    expect(kube.states).toEqual([]);
  });

  test("409 Conflict on a stale update comes back at once (not retried); update without resourceVersion is refused", async () => {
    const { kube, cluster, delays } = await start();
    const first = await cluster.create(gnp("a"));
    await cluster.update({ ...first, spec: { order: 1 } });
    kube.resetRecords();
    const err = await rejection(cluster.update({ ...first, spec: { order: 2 } }));
    expect(err).toMatchObject({ status: 409, reason: "Conflict" });
    expect(err.message).toContain('globalnetworkpolicies.projectcalico.org "a"');
    expect(kube.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(await rejection(cluster.update(gnp("a")))).toMatchObject({ status: 422, reason: "Invalid" });
  });

  test("calls share one kept-alive TLS connection (client 1.4 alone opens one per request)", async () => {
    // In a process of its own: jest shares node's http module between the files of a worker, and an HTTP
    // interceptor another file left behind (nock's) opens a socket per request whatever the agent.
    await ensureDist();
    const { kube } = await start();
    const script = `
      import * as k8s from "@kubernetes/client-node";
      import { kubeClusterPort, loadKubeConfig } from "./dist/controller/index.js";
      const kc = loadKubeConfig({ kubeconfig: process.argv[1] });
      if (process.argv[2] === "adapter") {
        const cluster = kubeClusterPort(kc);
        const gnp = (name) => ({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name }, spec: { order: 10, selector: "all()" } });
        for (let i = 0; i < 10; i++) await cluster.create(gnp("p" + i));
        await cluster.list("GlobalNetworkPolicy");
        cluster.close();
      } else {
        const plain = kc.makeApiClient(k8s.CustomObjectsApi);
        for (let i = 0; i < 3; i++) await plain.listClusterCustomObject({ group: "projectcalico.org", version: "v3", plural: "tiers" });
      }
    `;
    const run = (mode: string) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, ["--input-type=module", "-e", script, kube.kubeconfigPath, mode], { cwd: REPO_ROOT, stdio: "inherit" }).on("close", resolve));
    expect(await run("adapter")).toBe(0);
    expect(kube.connections).toBe(1);
    expect(await run("plain")).toBe(0);
    expect(kube.connections).toBe(4);
  }, 30_000);

  test("a namespaced kind without a namespace, and a kind tierguard does not manage, are refused before any request", async () => {
    const { kube, cluster } = await start();
    expect(await rejection(cluster.get({ kind: "NetworkPolicy", name: "x" }))).toMatchObject({ status: 400, reason: "BadRequest" });
    expect(await rejection(cluster.create({ ...gnp("x"), kind: "Pod", apiVersion: "v1" }))).toMatchObject({ status: 400 });
    expect(kube.requests).toEqual([]);
  });
});

describe("kubeClusterPort: errors and retries", () => {
  const path = "/apis/projectcalico.org/v3/globalnetworkpolicies";

  test("429 waits the Retry-After; 5xx backs off 5 s doubling; both then succeed", async () => {
    const { kube, cluster, delays } = await start();
    kube.faults.add({ method: "GET", path, code: 429, retryAfter: 7 }).add({ method: "GET", path, code: 500, times: 2 }).add({ method: "GET", path, code: 503 });
    await expect(cluster.list("GlobalNetworkPolicy")).resolves.toEqual([]);
    expect(delays).toEqual([7_000, 10_000, 20_000, 40_000]);
    expect(kube.requests.map((r) => r.status)).toEqual([429, 500, 500, 503, 200]);
  });

  test("5 tries at most: a server answering 503 every time fails with the 503 after 4 waits", async () => {
    const { kube, cluster, delays } = await start();
    kube.faults.add({ method: "POST", path, code: 503, times: 10 }).add({ method: "PATCH", path: `${path}/a`, code: 404 });
    const err = await rejection(cluster.create(gnp("a")));
    expect(err).toMatchObject({ status: 503, reason: "ServiceUnavailable" });
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(kube.requests.filter((r) => r.method === "POST")).toHaveLength(5);
  });

  test("the backoff is capped at 3 minutes, Retry-After too", () => {
    const policy = { baseMs: 5_000, capMs: 180_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(policy, n, new KubeError(500, "x")))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 180_000]);
    expect(retryDelay(policy, 1, new KubeError(429, "x", "TooManyRequests", 600))).toBe(180_000);
    expect(retryDelay(policy, 3, new KubeError(503, "x", "ServiceUnavailable", 2))).toBe(2_000);
  });

  test("the tiered-RBAC admission webhook's refusal is a 403 carrying its message, not retried", async () => {
    const { kube, cluster, delays } = await start();
    kube.faults.webhookDenied({ method: "PATCH", path: `${path}/security.a`, tier: "security" });
    const err = await rejection(cluster.create(gnp("security.a")));
    expect(err).toMatchObject({ status: 403, reason: "Forbidden" });
    expect(err.message).toContain('admission webhook "tiered-rbac.projectcalico.org" denied the request');
    expect(err.message).toContain('tier "security"');
    expect(delays).toEqual([]);
  });

  test("a wrong token is 401 Unauthorized", async () => {
    kube = await startFakeKube({ token: "right" });
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kube.kubeconfig.replace("token: right", "token: wrong"));
    expect(await rejection(kubeClusterPort(kc).list("Tier"))).toMatchObject({ status: 401, reason: "Unauthorized" });
  });
});

describe("kubeClusterPort: discovery, Events, kubeconfig", () => {
  test.each([
    ["aggregated", undefined, "aggregated", 9],
    ["crd", undefined, "crd", 9],
    ["crd", ["Tier", "GlobalNetworkPolicy", "NetworkPolicy"], "crd", 4],
    ["absent", undefined, "absent", 1],
  ] as const)("calico %s (kinds %j): discovered as %s with %i managed kinds", async (calico, calicoKinds, mode, n) => {
    const { cluster } = await start({ calico, calicoKinds });
    const d = await cluster.discover();
    expect(d.calico).toBe(mode);
    expect(d.kinds).toHaveLength(n);
    expect(d.kinds).toContain("KubernetesNetworkPolicy");
    if (calicoKinds) expect(d.kinds).toEqual(["Tier", "GlobalNetworkPolicy", "NetworkPolicy", "KubernetesNetworkPolicy"]);
  });

  test("an APIService without a service (the local one Kubernetes makes for a CRD group) is the CRD mode", async () => {
    const { kube, cluster } = await start({ calico: "crd" });
    kube.seed({ apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", metadata: { name: "v3.projectcalico.org" }, spec: { group: "projectcalico.org", version: "v3", service: null } });
    expect((await cluster.discover()).calico).toBe("crd");
  });

  test("event() writes a core v1 Event about the object; a refused Event is logged, never thrown", async () => {
    const { kube, cluster, warnings } = await start();
    await cluster.event({ regarding: { kind: "NetworkPolicy", namespace: "shop", name: "default.allow" }, type: "Warning", reason: "Drift", message: "spec.ingress[0] changed by hand", namespace: "shop" });
    const events = kube.store.list(kube.store.resource("", "v1", "events")!);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ reason: "Drift", type: "Warning", message: "spec.ingress[0] changed by hand", involvedObject: { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", namespace: "shop", name: "default.allow" }, firstTimestamp: "2026-01-02T00:00:00.000Z", source: { component: "tierguard" } });
    expect(events[0].metadata.name).toMatch(/^default\.allow\.[0-9a-f]+$/);
    kube.faults.add({ method: "POST", path: "/api/v1/namespaces/tierguard/events", code: 403 });
    await expect(cluster.event({ regarding: { kind: "Tier", name: "security" }, type: "Normal", reason: "Promoted", message: "m", namespace: "tierguard" })).resolves.toBeUndefined();
    expect(warnings.at(-1)).toContain('"status":403');
    await cluster.event({ regarding: { kind: "NetworkPolicy", namespace: "shop", name: "default.allow" }, type: "Normal", reason: "Restored", message: "m", namespace: "shop" });
    const names = kube.store.list(kube.store.resource("", "v1", "events")!).map((e) => e.metadata.name);
    expect(new Set(names).size).toBe(2); // same object, same millisecond: distinct names
  });

  test("loadKubeConfig: a kubeconfig file's context works; outside a cluster without one it says why", async () => {
    const { kube } = await start();
    const kc = loadKubeConfig({ kubeconfig: kube.kubeconfigPath });
    expect(kc.getCurrentCluster()?.server).toBe(kube.url);
    const env = { ...process.env };
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      expect(() => loadKubeConfig()).toThrow("not running in a cluster (KUBERNETES_SERVICE_HOST is unset) and no --kubeconfig given");
    } finally {
      process.env = env;
    }
  });
});
