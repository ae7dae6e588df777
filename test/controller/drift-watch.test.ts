import { afterEach, describe, expect, test } from "@jest/globals";
import { rmSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { useLocalNock } from "../helpers/local-nock.js";
import { controllerWiring } from "../../src/cli/controller-wiring.js";
import type { ControllerConfig, DriftWatchFactory } from "../../src/controller/index.js";
import { ControllerMetrics, kubeClusterPort, loadKubeConfig, parseControllerConfig, RestartableWatch } from "../../src/controller/index.js";
import { controllerGitHubApi } from "../../src/github/controller-client.js";
import { DEFAULT_CALICO_VERSION } from "../../src/policy/version.js";
import type { ClusterObject } from "../../src/reconcile/index.js";
import { edit, serveGitData, type LocalRepo } from "../helpers/github-repo.js";
import { smallRepo } from "./small-repo.js";
import { startFakeKube, type FakeKube } from "../support/fake-kube/index.js";

/**
 * Drift, live: the controller's wiring with its drift watches (RestartableWatch over the real client) against the
 * fake API server. A hand edit and a hand deletion are reported at once (log line naming the field, Warning Event,
 * the drift counter) and a restore is asked of the loop; report-only never asks and its resync leaves the edit;
 * tierguard's own writes (a promotion that updates and deletes) are not drift.
 */
const API = "https://api.github.com";
const [OWNER, NAME] = ["acme", "policies"];
const CHECKOUT = { group: "projectcalico.org", version: "v3", plural: "networkpolicies", namespace: "boutique", name: "checkoutservice" };

let repo: LocalRepo;
let kube: FakeKube;
let abort: AbortController;
const lines: Array<Record<string, unknown>> = [];
const at = (level: string) => (o: Record<string, unknown> | string, msg?: string) => void lines.push({ level, ...(typeof o === "string" ? { msg: o } : o), msg });
const log = { info: at("info"), warn: at("warn"), error: at("error") };

useLocalNock();
afterEach(async () => {
  abort?.abort();
  repo?.cleanup();
  await kube?.stop();
  lines.length = 0;
});

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

async function wire(commits: string[], drift: "report" | "restore") {
  kube = await startFakeKube({ calico: "crd" });
  serveGitData(nock(API), repo, OWNER, NAME, commits);
  const config = { environment: "production", repo: { owner: OWNER, repo: NAME }, calicoVersion: DEFAULT_CALICO_VERSION, drift } as ControllerConfig;
  const api = await controllerGitHubApi({ auth: { kind: "token", token: "t" }, baseUrl: API, repo: config.repo, log });
  const kc = loadKubeConfig({ kubeconfig: kube.kubeconfigPath });
  // Every event the watches deliver, so the test waits for the watch rather than for time.
  const seen: string[] = [];
  const watch: DriftWatchFactory = (kind, h, labelSelector) =>
    new RestartableWatch(kc, kind, {
      add: (o) => h.add?.(o),
      update: (o) => (h.update?.(o), void seen.push(`update ${o.metadata.name} ${o.metadata.resourceVersion}`)),
      delete: (o) => (h.delete?.(o), void seen.push(`delete ${o.metadata.name}`)),
    }, { labelSelector });
  const metrics = new ControllerMetrics();
  const wiring = controllerWiring({ config, log, port: kubeClusterPort(kc, { log }), api, watch, metrics, driftDebounceMs: 0, now: () => Date.parse("2026-12-03T12:00:00Z") });
  const restores: number[] = [];
  abort = new AbortController();
  const start = () => wiring.start!({ signal: abort.signal, requestRestore: () => void restores.push(Date.now()) });
  return { wiring, seen, metrics, restores, start };
}

const live = (): ClusterObject => kube.store.get(kube.store.resource(CHECKOUT.group, CHECKOUT.version, CHECKOUT.plural)!, CHECKOUT.namespace, CHECKOUT.name) as ClusterObject;
const handEdit = (spec: Record<string, unknown>) => kube.store.patch(kube.store.resource(CHECKOUT.group, CHECKOUT.version, CHECKOUT.plural)!, CHECKOUT.namespace, CHECKOUT.name, "application/merge-patch+json", { spec });
const driftLines = () => lines.filter((l) => l.drift !== undefined);
const driftEvents = () => kube.store.all().filter((o) => o.kind === "Event" && (o as { reason?: string }).reason === "Drift");
/** Lets the 0 ms debounce timer of an event already handled fire (a timer queued before this one runs before it). */
const settle = () => new Promise((r) => setTimeout(r, 20));

describe("drift watch", () => {
  test("a hand edit is reported at once naming the field (log, Event, metric) and a restore is asked; the restore is not drift", async () => {
    repo = smallRepo();
    const c1 = repo.commit("policies");
    const { wiring, seen, metrics, restores, start } = await wire([c1], "restore");
    expect((await wiring.actions.promote({ ref: c1, environment: "production", pull: 1 })).converged).toBe(true);
    await start();
    const edited = handEdit({ order: 150 });
    await until(() => driftLines().length === 1 && restores.length === 1, "the drift report and the restore request");
    expect(driftLines()[0]).toMatchObject({ level: "warn", drift: "edited", kind: "NetworkPolicy", namespace: "boutique", name: "checkoutservice", path: "spec.order", expected: 100, actual: 150, mode: "restore" });
    expect(driftLines()[0].msg).toBe('NetworkPolicy boutique/checkoutservice was edited in the cluster: spec.order is 150, Git says 100; restoring Git\'s version');
    await until(() => driftEvents().length === 1, "the Drift event");
    expect(driftEvents()[0]).toMatchObject({ type: "Warning", involvedObject: { kind: "NetworkPolicy", namespace: "boutique", name: "checkoutservice" } });
    expect(await metrics.text()).toContain('tierguard_controller_drift_total{environment="production"} 1');
    expect(seen).toContain(`update checkoutservice ${edited.metadata.resourceVersion}`);

    const restored = await wiring.actions.restore!({ ref: c1, branch: "main" });
    expect([restored.converged, restored.writes!.map((w) => `${w.verb} ${w.kind}`)]).toEqual([true, ["update NetworkPolicy"]]);
    expect((live().spec as { order: number }).order).toBe(100);
    await until(() => seen.includes(`update checkoutservice ${live().metadata.resourceVersion}`), "the restore's watch event");
    await settle();
    expect([driftLines().length, restores.length]).toEqual([1, 1]);
  });

  test("a hand deletion is drift; tierguard's own update and deletion (a new commit) are not", async () => {
    repo = smallRepo();
    const c1 = repo.commit("policies");
    const c2 = repo.commit("change", (dir) => {
      edit(dir, "application/checkoutservice.yaml", "          - 5050", "          - 5051");
      rmSync(join(dir, "application/adservice.yaml"));
    });
    const { wiring, seen, restores, start } = await wire([c1, c2], "restore");
    await wiring.actions.promote({ ref: c1, environment: "production", pull: 1 });
    await start();
    const own = await wiring.actions.promote({ ref: c2, environment: "production", pull: 2 });
    expect([own.converged, own.writes!.map((w) => `${w.verb} ${w.kind}`).sort()]).toEqual([true, ["delete NetworkPolicy", "update NetworkPolicy"]]);
    await until(() => seen.includes("delete adservice") && seen.includes(`update checkoutservice ${live().metadata.resourceVersion}`), "tierguard's own writes on the watch");
    await settle();
    expect([driftLines(), restores]).toEqual([[], []]);

    kube.store.delete(kube.store.resource(CHECKOUT.group, CHECKOUT.version, CHECKOUT.plural)!, CHECKOUT.namespace, CHECKOUT.name);
    await until(() => restores.length === 1, "the restore request");
    expect(driftLines()).toEqual([expect.objectContaining({ drift: "deleted", name: "checkoutservice", path: null })]);
    expect(driftLines()[0].msg).toBe("NetworkPolicy boutique/checkoutservice was deleted from the cluster; Git still defines it; restoring Git's version");
  });

  test("report only: reported, no restore asked, and the periodic resync leaves the edit", async () => {
    repo = smallRepo();
    const c1 = repo.commit("policies");
    const { wiring, restores, start } = await wire([c1], "report");
    await wiring.actions.promote({ ref: c1, environment: "production", pull: 1 });
    await start();
    handEdit({ order: 150 });
    await until(() => driftLines().length === 1, "the drift report");
    expect(driftLines()[0]).toMatchObject({ drift: "edited", path: "spec.order", mode: "report" });
    await settle();
    expect(restores).toEqual([]);
    const resync = await wiring.actions.syncDefaultBranch({ ref: c1, branch: "main" });
    expect([resync.converged, resync.writes, resync.drift]).toEqual([true, [], 1]);
    expect((live().spec as { order: number }).order).toBe(150);
  });

  test("--drift is report or restore (default restore)", () => {
    const base = { environment: "production", repo: "acme/policies" };
    const env = { GITHUB_TOKEN: "t" };
    expect(parseControllerConfig(base, env, () => "").config?.drift).toBe("restore");
    expect(parseControllerConfig({ ...base, drift: "report" }, env, () => "").config?.drift).toBe("report");
    expect(parseControllerConfig(base, { ...env, TIERGUARD_DRIFT: "report" }, () => "").config?.drift).toBe("report");
    expect(parseControllerConfig({ ...base, drift: "fix" }, env, () => "").problems).toEqual(['--drift must be report or restore, not "fix"']);
  });
});
