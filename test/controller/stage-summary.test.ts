import { afterEach, describe, expect, test } from "@jest/globals";
import { rmSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { useLocalNock } from "../helpers/local-nock.js";
import { controllerWiring } from "../../src/cli/controller-wiring.js";
import { kubeClusterPort, loadKubeConfig, stageSummary, type ControllerConfig } from "../../src/controller/index.js";
import { controllerGitHubApi } from "../../src/github/controller-client.js";
import { SILENT_LOG } from "../../src/contracts/index.js";
import { DEFAULT_CALICO_VERSION } from "../../src/policy/version.js";
import { edit, serveGitData, type LocalRepo } from "../helpers/github-repo.js";
import { smallRepo } from "./small-repo.js";
import { startFakeKube, type FakeKube } from "../support/fake-kube/index.js";

/**
 * The stage's deployment status (which the App mirrors into the pull request) names the other open pull requests
 * that stage the same policy, and each staged deletion, which open-source Calico's dataplane ignores.
 */
const API = "https://api.github.com";
let repo: LocalRepo;
let kube: FakeKube;
useLocalNock();
afterEach(async () => {
  repo?.cleanup();
  await kube?.stop();
});

describe("the stage's status", () => {
  test("two open pull requests on one policy: the second's status names the first; a staged deletion is said to have no live evidence", async () => {
    repo = smallRepo();
    const c1 = repo.commit("policies");
    const pr5 = repo.commit("pr 5", (d) => edit(d, "application/checkoutservice.yaml", "          - 5050", "          - 5051"));
    repo.commit("back", (d) => edit(d, "application/checkoutservice.yaml", "          - 5051", "          - 5050"));
    const pr7 = repo.commit("pr 7", (d) => {
      edit(d, "application/checkoutservice.yaml", "          - 5050", "          - 5052");
      rmSync(join(d, "application/adservice.yaml"));
    });
    kube = await startFakeKube({ calico: "crd" });
    serveGitData(nock(API), repo, "acme", "policies", [c1, pr5, pr7]);
    const config = { environment: "production", repo: { owner: "acme", repo: "policies" }, calicoVersion: DEFAULT_CALICO_VERSION } as ControllerConfig;
    const api = await controllerGitHubApi({ auth: { kind: "token", token: "t" }, baseUrl: API, repo: config.repo, log: SILENT_LOG });
    const wiring = controllerWiring({ config, log: SILENT_LOG, port: kubeClusterPort(loadKubeConfig({ kubeconfig: kube.kubeconfigPath })), api });
    await wiring.actions.promote({ ref: c1, environment: "production", pull: 1 });
    const first = await wiring.actions.stage({ pull: 5, base: c1, head: pr5 });
    expect(first).toMatchObject({ converged: true, summary: "#5: 1 preview write(s)" });
    const second = await wiring.actions.stage({ pull: 7, base: c1, head: pr7 });
    expect(second.converged).toBe(true);
    expect(second.summary).toBe(
      "#7: 2 preview write(s); boutique/checkoutservice also staged by #5 (one copy each); staged deletion of boutique/adservice: no live evidence on open-source Calico (ignores stagedAction: Delete)",
    );
  });

  test("the parts, most useful first; a cluster-wide policy keeps its bare name", () => {
    const planned = [{ write: { verb: "create", object: { spec: { tier: "security", stagedAction: "Delete" }, metadata: { name: "security.default-deny-pr3", annotations: { "tierguard.dev/previews": "GlobalNetworkPolicy//security.default-deny" } } } } }];
    expect(stageSummary(3, { writes: [{ verb: "create", kind: "StagedGlobalNetworkPolicy", namespace: null, name: "x" }], shared: [{ policy: "GlobalNetworkPolicy//security.default-deny", pullRequests: [1, 2] }], planned: planned as never })).toBe(
      "#3: 1 preview write(s); security.default-deny also staged by #1, #2 (one copy each); staged deletion of security.default-deny: no live evidence on open-source Calico (ignores stagedAction: Delete)",
    );
  });
});
