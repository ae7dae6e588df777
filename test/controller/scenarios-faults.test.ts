import { afterAll, afterEach, describe, expect, test } from "@jest/globals";
import type { ClusterPortFactory } from "../../src/cli/sync.js";
import type { ClusterPort } from "../../src/controller/index.js";
import { manyPolicies } from "../reconcile/helpers.js";
import { startFakeKube, type FakeKube, type FakeKubeOptions } from "../support/fake-kube/index.js";
import { cleanupDirs, expectNoGap, expectPermitted, fastKube, policiesRepo, specs, syncArgs, tg, world, writeRequests } from "./scenarios-helpers.js";

/**
 * Faults on writes through `tierguard sync` and the real client against the fake API server: a run killed
 * part-way and run again, 409 (re-read, write again), 429 (Retry-After honoured: the sleep is injected), 5xx
 * (bounded tries, then the run restores what it changed), the 3.32 tiered-RBAC webhook refusing a write (its
 * message reported, the run's changes restored), and calico#12841 (server-side apply of a new object answers
 * NotFound: create falls back to POST).
 */
let kube: FakeKube;
afterEach(async () => {
  expectPermitted(kube);
  await kube.stop();
});
afterAll(cleanupDirs);

const V1 = manyPolicies(["a", "b", "c"]);
const V2 = manyPolicies(["a", "b", "d"], { action: "Deny" });
const NP = "/apis/projectcalico.org/v3/namespaces/shop/networkpolicies";
const apiWrites = (k: FakeKube) => writeRequests(k).filter((w) => !w.includes("/events "));

async function atV1(opts: FakeKubeOptions = {}): Promise<{ dir: string; before: Map<string, string> }> {
  kube = await startFakeKube(opts);
  const dir = policiesRepo([["first", V1], ["Tighten (#9)", V2]]);
  expect((await tg(syncArgs(kube, "v1"), dir)).code).toBe(0);
  const before = specs(kube);
  kube.resetRecords();
  return { dir, before };
}

/** The real adapter, but the process "dies" after `n` writes: that write and every call after it never happen. */
function killedAfter(n: number): ClusterPortFactory {
  return async (file, opts) => {
    const port: ClusterPort = await fastKube()(file, opts);
    let writes = 0;
    const dead = () => Promise.reject(new Error("killed: the process died"));
    const write = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => (...a: A): Promise<R> => (++writes > n ? dead() : fn(...a));
    return {
      discover: () => (writes >= n ? dead() : port.discover()),
      list: (...a) => (writes >= n ? dead() : port.list(...a)),
      get: (...a) => (writes >= n ? dead() : port.get(...a)),
      create: write((o) => port.create(o)),
      update: write((o) => port.update(o)),
      delete: write((r) => port.delete(r)),
      event: (e) => (writes >= n ? Promise.resolve() : port.event(e)),
    };
  };
}

describe("scenarios: faults on writes against the fake API server", () => {
  test("killed after two writes, then run again: the promotion finishes, no gap at any state, then nothing to do", async () => {
    const { dir } = await atV1();
    const before = world(kube.store.all());
    const killed = await tg(syncArgs(kube, "v2"), dir, killedAfter(2));
    expect(killed.code).toBe(1);
    expect(apiWrites(kube)).toEqual([`PUT ${NP}/a 200`, `PUT ${NP}/b 200`]);
    const rerun = await tg(syncArgs(kube, "v2"), dir);
    expect([rerun.code, rerun.json.writes.map((w: { verb: string; name: string }) => `${w.verb} ${w.name}`)]).toEqual([0, ["create d", "delete c"]]);
    expectNoGap(kube, before);
    kube.resetRecords();
    expect((await tg(syncArgs(kube, "v2"), dir)).json.writes).toEqual([]);
    expect(writeRequests(kube)).toEqual([]);
  });

  test("a 409 on an update: re-read, written again with the fresh resourceVersion, converged", async () => {
    const { dir } = await atV1();
    kube.faults.add({ method: "PUT", path: `${NP}/a`, code: 409 });
    const r = await tg(syncArgs(kube, "v2"), dir, fastKube());
    expect([r.code, r.json.converged]).toEqual([0, true]);
    expect(kube.requests.filter((q) => q.path === `${NP}/a`).map((q) => `${q.method} ${q.status}`)).toEqual(["PUT 409", "GET 200", "PUT 200"]);
  });

  test("a 429 with Retry-After: waits what the server asked (injected sleep), then the write goes through", async () => {
    const { dir } = await atV1();
    kube.faults.add({ method: "PATCH", path: `${NP}/d`, code: 429, retryAfter: 7 });
    const sleeps: number[] = [];
    const r = await tg(syncArgs(kube, "v2"), dir, fastKube(sleeps));
    expect([r.code, sleeps]).toEqual([0, [7000]]);
    expect(apiWrites(kube)).toEqual([`PUT ${NP}/a 200`, `PUT ${NP}/b 200`, `PATCH ${NP}/d 429`, `PATCH ${NP}/d 201`, `DELETE ${NP}/c 200`]);
  });

  test("5xx without end: five tries with doubling backoff, then the run restores what it changed; the cluster ends as before", async () => {
    const { dir, before } = await atV1();
    kube.faults.add({ method: "PATCH", path: `${NP}/d`, code: 503, times: 50 });
    const sleeps: number[] = [];
    const r = await tg(syncArgs(kube, "v2"), dir, fastKube(sleeps));
    expect([r.code, r.json.converged, sleeps]).toEqual([1, false, [5000, 10000, 20000, 40000]]);
    expect(r.problems).toEqual(["failed: create NetworkPolicy shop/d: 503 ServiceUnavailable: the server is currently unable to handle the request; every change of this run was restored"]);
    expect(apiWrites(kube)).toEqual([`PUT ${NP}/a 200`, `PUT ${NP}/b 200`, ...Array(5).fill(`PATCH ${NP}/d 503`), `PUT ${NP}/b 200`, `PUT ${NP}/a 200`]);
    expect(specs(kube)).toEqual(before);
  });

  test("the tiered-RBAC webhook (3.32+) refuses a write: exit 1 with its message; what the run changed is restored", async () => {
    const { dir, before } = await atV1();
    kube.faults.webhookDenied({ method: "PUT", path: `${NP}/b` });
    const r = await tg(syncArgs(kube, "v2"), dir, fastKube());
    expect(r.code).toBe(1);
    expect(r.problems).toEqual([
      'failed: update NetworkPolicy shop/b: 403 Forbidden: admission webhook "tiered-rbac.projectcalico.org" denied the request: user "system:serviceaccount:tierguard:tierguard" cannot write policies in tier "security": requires get on tiers.projectcalico.org "security"; every change of this run was restored',
    ]);
    expect(apiWrites(kube)).toEqual([`PUT ${NP}/a 200`, `PUT ${NP}/b 403`, `PUT ${NP}/a 200`]);
    expect(specs(kube)).toEqual(before);
  });

  test("calico#12841: server-side apply of a new object answers NotFound; the create falls back to POST and the sync converges", async () => {
    kube = await startFakeKube({ ssaCreateNotFound: true });
    const dir = policiesRepo([["first", V1]]);
    const r = await tg(syncArgs(kube, "v1"), dir);
    expect([r.code, r.json.converged]).toEqual([0, true]);
    // One NotFound, then this port creates plainly.
    expect(apiWrites(kube)).toEqual(["PATCH /apis/projectcalico.org/v3/tiers/security 404", "POST /apis/projectcalico.org/v3/tiers 201", `POST ${NP} 201`, `POST ${NP} 201`, `POST ${NP} 201`]);
    kube.resetRecords();
    expect([(await tg(syncArgs(kube, "v1"), dir)).json.writes, writeRequests(kube)]).toEqual([[], []]);
  });
});
