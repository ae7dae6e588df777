import { afterAll, afterEach, describe, expect, test } from "@jest/globals";
import { detectDrift, kubeClusterPort, loadKubeConfig } from "../../src/controller/index.js";
import { MANAGED_LABEL } from "../../src/reconcile/index.js";
import { DEFAULT_PROVENANCE, manyPolicies, resources } from "../reconcile/helpers.js";
import { startFakeKube, type CalicoMode, type FakeKube, type KubeObject } from "../support/fake-kube/index.js";
import { cleanupDirs, expectPermitted, names, policiesRepo, specs, syncArgs, tg, world, writeRequests } from "./scenarios-helpers.js";

/**
 * The cluster as it is found, through `tierguard sync` and the real client against the fake API server: drift by
 * hand (reported naming the field, Git's version restored), an unmanaged look-alike (left alone, exit 1; --adopt
 * takes it), both name models, and each way Calico serves projectcalico.org/v3 (aggregated API server, CRDs,
 * neither).
 */
let kube: FakeKube;
afterEach(async () => {
  expectPermitted(kube);
  await kube.stop();
});
afterAll(cleanupDirs);

const V1 = manyPolicies(["a", "b"]);
const NP = { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy" };
const def = () => kube.store.byKind(NP.apiVersion, NP.kind)!;

/** An edit by hand, as `kubectl edit` would make it (the store's own update: a new resourceVersion, a state). */
function editByHand(name: string, edit: (o: KubeObject) => void): void {
  const o = structuredClone(kube.store.get(def(), "shop", name)!) as KubeObject;
  edit(o);
  kube.store.update(def(), "shop", name, o);
}

const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.includes('"drift"')).map((l) => JSON.parse(l));

describe("scenarios: the cluster as found, against the fake API server", () => {
  test("drift: an edit by hand is reported naming the field and Git's version restored; a deletion by hand is created again", async () => {
    kube = await startFakeKube();
    const dir = policiesRepo([["first", V1]]);
    await tg(syncArgs(kube, "v1"), dir);
    const synced = specs(kube);
    editByHand("a", (o) => void ((o.spec as { ingress: Array<{ source: { selector: string } }> }).ingress[0].source.selector = "all()"));
    kube.store.delete(def(), "shop", "b");
    // The controller's check against the commit it last synced: both findings, each a Warning Event naming the field.
    const port = kubeClusterPort(loadKubeConfig({ kubeconfig: kube.kubeconfigPath }));
    const findings = await detectDrift(port, { resources: resources(V1), model: "v3.32", provenance: DEFAULT_PROVENANCE, environment: "prod", eventNamespace: "tierguard" });
    expect(findings.map((f) => [f.drift, f.ref.name, f.path ?? null])).toEqual([["edited", "a", "spec.ingress[0].source.selector"], ["deleted", "b", null]]);
    const events = kube.store.all().filter((o) => o.kind === "Event").map((o) => [o.reason, o.message]);
    expect(events.filter(([reason]) => reason === "Drift")).toEqual([
      ["Drift", 'NetworkPolicy shop/a was edited in the cluster: spec.ingress[0].source.selector is "all()", Git says "app == \\"web\\""'],
      ["Drift", "NetworkPolicy shop/b was deleted from the cluster; Git still defines it"],
    ]);
    kube.resetRecords();
    const r = await tg(syncArgs(kube, "v1"), dir);
    expect([r.code, r.json.writes.map((w: { verb: string; name: string }) => `${w.verb} ${w.name}`)]).toEqual([0, ["update a", "create b"]]);
    expect(warnings(r.stderr).map((l) => [l.level, l.drift, l.name, l.path, l.actual, l.msg])).toEqual([
      ["warn", "edited", "a", "spec.ingress[0].source.selector", "all()", 'NetworkPolicy shop/a was edited in the cluster: spec.ingress[0].source.selector is "all()", Git says "app == \\"web\\""; restoring Git\'s version'],
    ]);
    expect(specs(kube)).toEqual(synced);
  });

  test("an unmanaged look-alike is left alone (exit 1, nothing written); --adopt takes it over", async () => {
    const lookalike = { ...NP, metadata: { name: "b", namespace: "shop", labels: { owner: "ops" } }, spec: { tier: "security", selector: "all()" } };
    kube = await startFakeKube({ objects: [lookalike] });
    const dir = policiesRepo([["first", V1]]);
    const r = await tg(syncArgs(kube, "v1"), dir);
    expect([r.code, r.json.converged, r.json.writes]).toEqual([1, false, []]);
    expect(r.problems).toEqual(["conflict: NetworkPolicy shop/b is an object tierguard does not manage; tierguard never changes it (run with --adopt to take it over) (policies/policies.yaml:22)"]);
    expect(writeRequests(kube)).toEqual([]);
    expect(kube.store.get(def(), "shop", "b")!.metadata.labels).toEqual({ owner: "ops" });
    const adopted = await tg(syncArgs(kube, "v1", "--adopt"), dir);
    expect(adopted.code).toBe(0);
    expect(kube.store.get(def(), "shop", "b")!.metadata.labels?.[MANAGED_LABEL]).toBe("tierguard");
  });

  test("both name models: --calico-version 3.31 writes <tier>.<name>, 3.32+ plain names", async () => {
    kube = await startFakeKube();
    const dir = policiesRepo([["first", V1]]);
    expect((await tg(syncArgs(kube, "v1", "--calico-version", "3.31"), dir)).code).toBe(0);
    expect(names(world(kube.store.all()).values())).toEqual(["NetworkPolicy shop/security.a", "NetworkPolicy shop/security.b", "Tier security"]);
    kube.resetRecords();
    expect((await tg(syncArgs(kube, "v1", "--calico-version", "3.31"), dir)).json.writes).toEqual([]);
    expect(writeRequests(kube)).toEqual([]);
    await kube.stop();
    kube = await startFakeKube();
    expect((await tg(syncArgs(kube, "v1"), dir)).code).toBe(0);
    expect(names(world(kube.store.all()).values())).toEqual(["NetworkPolicy shop/a", "NetworkPolicy shop/b", "Tier security"]);
  });

  test.each<[CalicoMode]>([["aggregated"], ["crd"]])("Calico served as %s: the sync converges and a second one writes nothing", async (calico) => {
    kube = await startFakeKube({ calico });
    const dir = policiesRepo([["first", V1]]);
    const r = await tg(syncArgs(kube, "v1"), dir);
    expect([r.code, r.json.writes.length]).toEqual([0, 3]);
    kube.resetRecords();
    expect([(await tg(syncArgs(kube, "v1"), dir)).code, writeRequests(kube)]).toEqual([0, []]);
  });

  test("no projectcalico.org/v3 at all: exit 1 with a clear error, nothing written", async () => {
    kube = await startFakeKube({ calico: "absent" });
    const dir = policiesRepo([["first", V1]]);
    const r = await tg(syncArgs(kube, "v1"), dir);
    expect([r.code, r.json.converged, r.problems]).toEqual([1, false, ["cannot sync: the repository has Tier, NetworkPolicy but projectcalico.org/v3 is not served (neither the Calico API server nor the v3 CRDs)"]]);
    expect(writeRequests(kube)).toEqual([]);
  });
});
