import { afterAll, afterEach, describe, expect, test } from "@jest/globals";
import { MANAGED_LABEL, PR_LABEL } from "../../src/reconcile/index.js";
import { manyPolicies } from "../reconcile/helpers.js";
import { startFakeKube, type FakeKube } from "../support/fake-kube/index.js";
import { cleanupDirs, expectNoGap, expectPermitted, gitRepo, config, names, policiesRepo, specs, syncArgs, tg, world, writeRequests } from "./scenarios-helpers.js";

/**
 * Issue 11's promotion scenarios through `tierguard sync|stage|unstage` and the real Kubernetes client against the
 * fake API server: the write order, the no-gap property at every state the server recorded, staging, two pull
 * requests on one policy, and idempotence counted in the requests the server saw.
 */
let kube: FakeKube;
afterEach(async () => {
  expectPermitted(kube);
  await kube.stop();
});
afterAll(cleanupDirs);

const V1 = manyPolicies(["a", "b", "c"]);
const V2 = manyPolicies(["a", "b", "d"], { action: "Deny" });
const policyStates = (k: FakeKube) => k.states.filter((s) => s.resource.startsWith("projectcalico.org/")).map((s) => `${s.verb} ${s.resource.split("/")[2]} ${s.name}`);

describe("scenarios: promotion against the fake API server", () => {
  test("an initial promotion writes the tier first, then each policy; a second sync sends no write request at all", async () => {
    kube = await startFakeKube();
    const dir = policiesRepo([["Merge pull request #7 from acme/first", V1]]);
    const r = await tg(syncArgs(kube, "v1"), dir);
    expect([r.code, r.problems, r.json.converged, r.json.transitional]).toEqual([0, [], true, []]);
    expect(policyStates(kube)).toEqual(["patch tiers security", "patch networkpolicies a", "patch networkpolicies b", "patch networkpolicies c"]);
    expect(r.json.writes.length).toBe(4);
    expectNoGap(kube, new Map());
    kube.resetRecords();
    const again = await tg(syncArgs(kube, "v1"), dir);
    expect([again.code, again.json]).toEqual([0, { plan: [], writes: [], converged: true, transitional: [] }]);
    expect(writeRequests(kube)).toEqual([]);
    expect(kube.states).toEqual([]);
  });

  test("a change: updates in place, the new policy, the deletion last; every policy kept is present at every state", async () => {
    kube = await startFakeKube();
    const dir = policiesRepo([["first", V1], ["Tighten (#9)", V2]]);
    await tg(syncArgs(kube, "v1"), dir);
    const before = world(kube.store.all());
    kube.resetRecords();
    const r = await tg(syncArgs(kube, "v2"), dir);
    expect(r.code).toBe(0);
    // Git changed a and b: an update, not drift.
    expect(r.stderr).not.toContain('"drift"');
    expect(policyStates(kube)).toEqual(["update networkpolicies a", "update networkpolicies b", "patch networkpolicies d", "delete networkpolicies c"]);
    // One API write per change: what the sync reports is what the server saw.
    expect(writeRequests(kube).filter((w) => !w.includes("/events "))).toEqual([
      "PUT /apis/projectcalico.org/v3/namespaces/shop/networkpolicies/a 200",
      "PUT /apis/projectcalico.org/v3/namespaces/shop/networkpolicies/b 200",
      "PATCH /apis/projectcalico.org/v3/namespaces/shop/networkpolicies/d 201",
      "DELETE /apis/projectcalico.org/v3/namespaces/shop/networkpolicies/c 200",
    ]);
    expectNoGap(kube, before);
    expect(kube.absentIn({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", namespace: "shop", name: "a" })).toEqual([]);
  });

  test("deletions: policies in reverse, then their tier, last", async () => {
    kube = await startFakeKube();
    const other = manyPolicies(["x"], { tier: "platform" }).replace(/^/, "");
    const dir = policiesRepo([["first", `${V1}---\n${other}`], ["drop platform", V1]]);
    await tg(syncArgs(kube, "v1"), dir);
    const before = world(kube.store.all());
    kube.resetRecords();
    const r = await tg(syncArgs(kube, "v2"), dir);
    expect([r.code, r.json.writes]).toEqual([0, [
      { verb: "delete", kind: "NetworkPolicy", namespace: "shop", name: "x" },
      { verb: "delete", kind: "Tier", namespace: null, name: "platform" },
    ]]);
    expectNoGap(kube, before);
    expect(names(world(kube.store.all()).values())).toEqual(["NetworkPolicy shop/a", "NetworkPolicy shop/b", "NetworkPolicy shop/c", "Tier security"]);
  });

  test("stage a pull request's changes as Staged* previews (a deletion as stagedAction Delete), enforced untouched; unstage removes exactly them", async () => {
    kube = await startFakeKube();
    const dir = policiesRepo([["first", V1], ["pr", V2]]);
    await tg(syncArgs(kube, "v1"), dir);
    const enforced = specs(kube);
    const staged = await tg(["stage", "--kubeconfig", kube.kubeconfigPath, "--repo", ".", "--base", "v1", "--head", "v2", "--pr", "12", "--output", "json"], dir);
    expect([staged.code, staged.json.converged]).toEqual([0, true]);
    const previews = [...world(kube.store.all()).values()].filter((o) => o.metadata.labels?.[PR_LABEL] === "12");
    expect(names(previews)).toEqual(["StagedNetworkPolicy shop/a-pr12", "StagedNetworkPolicy shop/b-pr12", "StagedNetworkPolicy shop/c-pr12", "StagedNetworkPolicy shop/d-pr12"]);
    expect(previews.map((o) => (o.spec as { stagedAction?: string }).stagedAction)).toEqual(["Set", "Set", "Delete", "Set"]);
    const c = previews.find((o) => o.metadata.name === "c-pr12")!;
    expect(Object.keys(c.spec as object).filter((k) => k !== "stagedAction")).toEqual(["tier"]);
    for (const [k, v] of enforced) expect([k, specs(kube).get(k)]).toEqual([k, v]);
    const un = await tg(["unstage", "--kubeconfig", kube.kubeconfigPath, "--pr", "12", "--output", "json"], dir);
    expect([un.code, un.json.writes.map((w: { verb: string; name: string }) => `${w.verb} ${w.name}`)]).toEqual([0, ["delete a-pr12", "delete b-pr12", "delete c-pr12", "delete d-pr12"]]);
    expect(specs(kube)).toEqual(enforced);
  });

  test("on merge, each preview goes only once the policy it previewed is enforced (checked at every state)", async () => {
    kube = await startFakeKube();
    const dir = policiesRepo([["first", V1], ["Merge pull request #12 from acme/tighten", V2]]);
    await tg(syncArgs(kube, "v1"), dir);
    await tg(["stage", "--kubeconfig", kube.kubeconfigPath, "--repo", ".", "--base", "v1", "--head", "v2", "--pr", "12"], dir);
    const before = world(kube.store.all());
    kube.resetRecords();
    const r = await tg(syncArgs(kube, "v2"), dir);
    expect(r.code).toBe(0);
    expect(r.json.writes.map((w: { verb: string; kind: string; name: string }) => `${w.verb} ${w.kind} ${w.name}`)).toEqual([
      "update NetworkPolicy a", "update NetworkPolicy b", "create NetworkPolicy d",
      "delete StagedNetworkPolicy a-pr12", "delete StagedNetworkPolicy b-pr12", "delete StagedNetworkPolicy c-pr12", "delete StagedNetworkPolicy d-pr12", "delete NetworkPolicy c",
    ]);
    expectNoGap(kube, before);
    expect([...world(kube.store.all()).values()].filter((o) => o.metadata.labels?.[PR_LABEL])).toEqual([]);
  });

  test("a staged policy of the repository becoming enforced: the enforced object exists before its staged twin goes", async () => {
    kube = await startFakeKube();
    const enforcedX = manyPolicies(["x"]);
    const stagedX = enforcedX.replace("kind: NetworkPolicy", "kind: StagedNetworkPolicy");
    const dir = policiesRepo([["staged", stagedX], ["enforce x", enforcedX]]);
    expect((await tg(syncArgs(kube, "v1"), dir)).code).toBe(0);
    const before = world(kube.store.all());
    expect(before.has("StagedNetworkPolicy/shop/x")).toBe(true);
    kube.resetRecords();
    const r = await tg(syncArgs(kube, "v2"), dir);
    expect([r.code, r.json.writes.map((w: { verb: string; kind: string }) => `${w.verb} ${w.kind}`)]).toEqual([0, ["create NetworkPolicy", "delete StagedNetworkPolicy"]]);
    expectNoGap(kube, before);
  });

  test("two open pull requests on one policy get one staged copy each, both labelled; the second is told it shares", async () => {
    kube = await startFakeKube();
    const dir = gitRepo([
      ["first", { "tierguard.yaml": config(), "policies/policies.yaml": V1 }],
      ["pr 12", { "policies/policies.yaml": V1.replace('app == "a"', 'app == "a2"') }],
    ]);
    const git = (...a: string[]) => require0(dir, a);
    git("checkout", "-q", "-b", "pr13", "v1");
    require0(dir, ["-c", "user.name=B", "-c", "user.email=b@x", "commit", "-q", "--allow-empty", "-m", "pr 13"]);
    writeAndCommit(dir, V1.replace('app == "a"', 'app == "a3"'));
    await tg(syncArgs(kube, "v1"), dir);
    const s12 = await tg(["stage", "--kubeconfig", kube.kubeconfigPath, "--repo", ".", "--base", "v1", "--head", "v2", "--pr", "12", "--output", "json"], dir);
    const s13 = await tg(["stage", "--kubeconfig", kube.kubeconfigPath, "--repo", ".", "--base", "v1", "--head", "pr13", "--pr", "13", "--output", "json"], dir);
    expect([s12.code, s13.code, s12.json.shared, s13.json.shared]).toEqual([0, 0, [], [{ policy: "NetworkPolicy/shop/a", pullRequests: [12] }]]);
    const previews = [...world(kube.store.all()).values()].filter((o) => o.metadata.labels?.[PR_LABEL]);
    expect(previews.map((o) => [o.metadata.name, o.metadata.labels?.[PR_LABEL], o.metadata.labels?.[MANAGED_LABEL], (o.spec as { selector: string }).selector])).toEqual([
      ["a-pr12", "12", "tierguard", 'app == "a2"'],
      ["a-pr13", "13", "tierguard", 'app == "a3"'],
    ]);
    await tg(["unstage", "--kubeconfig", kube.kubeconfigPath, "--pr", "12"], dir);
    expect([...world(kube.store.all()).values()].filter((o) => o.metadata.labels?.[PR_LABEL]).map((o) => o.metadata.name)).toEqual(["a-pr13"]);
  });
});

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
function require0(dir: string, args: string[]): string {
  return execFileSync("git", ["-C", dir, "-c", "user.name=Alice", "-c", "user.email=a@x", ...args], { stdio: "pipe" }).toString();
}
function writeAndCommit(dir: string, text: string): void {
  writeFileSync(join(dir, "policies", "policies.yaml"), text);
  require0(dir, ["commit", "-q", "-am", "pr 13 change"]);
}
