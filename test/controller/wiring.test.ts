import { afterEach, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { useLocalNock } from "../helpers/local-nock.js";
import { controllerWiring } from "../../src/cli/controller-wiring.js";
import type { ControllerConfig } from "../../src/controller/index.js";
import { kubeClusterPort, loadKubeConfig } from "../../src/controller/index.js";
import { controllerGitHubApi } from "../../src/github/controller-client.js";
import { DEFAULT_CALICO_VERSION } from "../../src/policy/version.js";
import { MANAGED_LABEL, policyDigest, PR_LABEL } from "../../src/reconcile/index.js";
import { edit, serveGitData, templateRepo, type LocalRepo } from "../helpers/github-repo.js";
import { startFakeKube, type FakeKube, type KubeObject } from "../support/fake-kube/index.js";
import { expectPermitted } from "./scenarios-helpers.js";
import { smallRepo } from "./small-repo.js";

/**
 * The controller as it runs: the wiring `tierguard controller` uses, with the real Kubernetes adapter against the
 * fake API server and the repository (the bundled template, with its flow snapshot and inventory) read through the
 * GitHub API that nock serves. Promote, promote again (nothing to do), stage a pull request, clean it up.
 */
const API = "https://api.github.com";
const [OWNER, NAME] = ["acme", "policies"];

let repo: LocalRepo;
let kube: FakeKube;
const lines: Array<Record<string, unknown>> = [];
const log = {
  info: (o: Record<string, unknown> | string, msg?: string) => void lines.push({ level: "info", ...(typeof o === "string" ? { msg: o } : o), msg }),
  warn: (o: Record<string, unknown> | string, msg?: string) => void lines.push({ level: "warn", ...(typeof o === "string" ? { msg: o } : o), msg }),
  error: (o: Record<string, unknown> | string, msg?: string) => void lines.push({ level: "error", ...(typeof o === "string" ? { msg: o } : o), msg }),
};

useLocalNock();
afterEach(async () => {
  if (kube) expectPermitted(kube);
  repo?.cleanup();
  await kube?.stop();
  lines.length = 0;
});

async function wire(commits: string[], calico: "crd" | "aggregated" | "absent" = "crd") {
  kube = await startFakeKube({ calico });
  serveGitData(nock(API), repo, OWNER, NAME, commits);
  const config = { environment: "production", repo: { owner: OWNER, repo: NAME }, calicoVersion: DEFAULT_CALICO_VERSION } as ControllerConfig;
  const api = await controllerGitHubApi({ auth: { kind: "token", token: "t" }, baseUrl: API, repo: config.repo, log });
  const port = kubeClusterPort(loadKubeConfig({ kubeconfig: kube.kubeconfigPath }), { log });
  return controllerWiring({ config, log, port, api, now: () => Date.parse("2026-12-03T12:00:00Z") });
}

const managed = () => (kube.states.at(-1)?.objects ?? []).filter((o) => o.metadata.labels?.[MANAGED_LABEL] === "tierguard");

describe("the controller's wiring", () => {
  test("promote applies the template with the transitional check over its snapshot; a second promote writes nothing", async () => {
    repo = templateRepo();
    const c1 = repo.commit("policies");
    const wiring = await wire([c1]);
    await expect(wiring.probeCluster()).resolves.toBeUndefined();
    const first = await wiring.actions.promote({ ref: c1, environment: "production", pull: 1 });
    expect(first).toMatchObject({ converged: true });
    expect(first.writes!.length).toBeGreaterThan(10);
    expect(managed().length).toBe(first.writes!.length);
    const checked = lines.find((l) => l.transitional === "checked");
    expect(checked).toMatchObject({ records: expect.any(Number), tuples: expect.any(Number) });
    expect(checked!.records as number).toBeGreaterThan(0);
    const again = await wiring.actions.promote({ ref: c1, environment: "production", pull: 1 });
    expect([again.converged, again.writes]).toEqual([true, []]);
  });

  test("stage previews a pull request's change as staged copies labelled with it; cleanup removes exactly them", async () => {
    repo = templateRepo();
    const c1 = repo.commit("policies");
    const c2 = repo.commit("pr", (dir) => edit(dir, "application/checkoutservice.yaml", "          - 8080", "          - 8081"));
    const wiring = await wire([c1, c2]);
    await wiring.actions.promote({ ref: c1, environment: "production", pull: 1 });
    const enforced = JSON.stringify(managed().filter((o) => !o.metadata.labels?.[PR_LABEL]));
    const staged = await wiring.actions.stage({ pull: 2, base: c1, head: c2 });
    expect(staged.converged).toBe(true);
    const previews = managed().filter((o) => o.metadata.labels?.[PR_LABEL] === "2");
    expect(previews.map((o) => o.kind)).toEqual(["StagedNetworkPolicy"]);
    expect(JSON.stringify(managed().filter((o) => !o.metadata.labels?.[PR_LABEL]))).toBe(enforced);
    const cleaned = await wiring.actions.cleanup({ pull: 2 });
    expect([cleaned.converged, cleaned.writes!.map((w) => w.verb)]).toEqual([true, ["delete"]]);
    expect(managed().filter((o) => o.metadata.labels?.[PR_LABEL])).toEqual([]);
  });

  test("after a promotion the nodes are compared: a stale agent is waited for, then programmed; a node without an agent is not reported", async () => {
    repo = smallRepo();
    const c1 = repo.commit("policies");
    const wiring = await wire([c1]);
    const nodes = kube.store.resource("", "v1", "nodes")!;
    kube.seed({ apiVersion: "v1", kind: "Node", metadata: { name: "node-a", annotations: { "tierguard.dev/ruleset-hash": "f00d", "tierguard.dev/policy-digest": "sha256:before" } } }, { apiVersion: "v1", kind: "Node", metadata: { name: "node-b" } });
    const promoted = await wiring.actions.promote({ ref: c1, environment: "production", pull: 1 });
    expect(promoted.nodes).toMatchObject({ state: "waiting", programmed: [], waiting: [{ name: "node-a", digest: "sha256:before" }], notReported: ["node-b"] });
    // The agent on node-a catches up: it reports the digest of the managed objects it compiled from.
    const expected = policyDigest(managed());
    expect(promoted.nodes!.expected).toBe(expected);
    const a = structuredClone(kube.store.get(nodes, undefined, "node-a")!) as KubeObject;
    a.metadata.annotations!["tierguard.dev/policy-digest"] = expected;
    kube.store.update(nodes, undefined, "node-a", a);
    expect(await wiring.nodes!()).toMatchObject({ state: "programmed", summary: "programmed on every node (1/1); 1 node(s) not reported" });
    // Nothing waits any more: the periodic pass reads no Node until the next action.
    kube.resetRecords();
    expect(await wiring.nodes!()).toBeUndefined();
    expect(kube.requests).toEqual([]);
  });

  test("a cluster without Calico's v3 API is not ready", async () => {
    repo = templateRepo();
    const c1 = repo.commit("policies");
    const wiring = await wire([c1], "absent");
    await expect(wiring.probeCluster()).rejects.toThrow("the cluster serves no projectcalico.org/v3 API");
  });
});
