import { afterAll, describe, expect, test } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import nock from "nock";
import { parseCommand } from "../../../src/github/app/commands.js";
import { RECOMMENDATION_MARKER } from "../../../src/github/recommend-body.js";
import { DEFAULT_CALICO_VERSION, DEFAULT_LOAD_LIMITS, loadBundle } from "../../../src/policy/index.js";
import { serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, authMocks, issueCommentEvent, recorder, REPO_PATH, testApp, useStrictNock } from "../../helpers/probot-app.js";

/**
 * `/tierguard recommend <namespace>`: learnt on the default branch from the snapshot tierguard.yaml names (the
 * bundled template, served through the mocked Git Data API), proven by replay, delivered as a pull request on a
 * branch: the tree, the commit, the ref and the pull request as GitHub receives them, then the reply.
 */
useStrictNock();
const repo = templateRepo();
// The template's first 3,000 flow records: the same traffic, learnt in a fraction of the time.
const main = repo.commit("main", (dir) => {
  const path = join(dir, "flows/snapshot.jsonl.gz");
  writeFileSync(path, gzipSync(gunzipSync(readFileSync(path)).toString("utf8").split("\n").slice(0, 3000).join("\n") + "\n"));
});
afterAll(() => repo.cleanup());

const BRANCH = "tierguard/recommend/boutique";

function onIssue(body: string, login = "carol"): any {
  const p = issueCommentEvent({ id: 700, login, body }, 31);
  delete p.issue.pull_request;
  return p;
}

function permission(scope: nock.Scope, login: string, level: string): nock.Scope {
  return scope.get(`${REPO_PATH}/collaborators/${login}/permission`).reply(200, { permission: level, role_name: level, user: { login } });
}

/** The repository and its default branch, then the git data of main (persisted). */
function repository(scope: nock.Scope): nock.Scope {
  scope.get(REPO_PATH).reply(200, { default_branch: "main", full_name: "acme/policies" });
  scope.get(`${REPO_PATH}/branches/main`).reply(200, { name: "main", commit: { sha: main } });
  return serveGitData(scope, repo, "acme", "policies", [main]);
}

describe("parsing /tierguard recommend", () => {
  test.each([
    ["/tierguard recommend boutique", { kind: "recommend", namespaces: ["boutique"] }],
    ["/tierguard Recommend shop boutique shop", { kind: "recommend", namespaces: ["boutique", "shop"] }],
    ["/tierguard recommend", { kind: "invalid", reason: "recommend needs a namespace: `/tierguard recommend <namespace>`" }],
    ["/tierguard recommend Shop_1", { kind: "invalid", reason: '`Shop_1` is not a namespace name (lower-case letters, digits and "-", at most 63)' }],
    [`/tierguard recommend ${Array.from({ length: 21 }, (_, i) => `ns${i}`).join(" ")}`, { kind: "invalid", reason: "recommend takes at most 20 namespaces at once" }],
  ])("%j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe("/tierguard recommend through the App", () => {
  test("on an issue, from a user with write access: a branch, a commit with the recommended file, and a pull request whose body carries the proof", async () => {
    const t = await testApp();
    const trees = recorder();
    const commits = recorder();
    const refs = recorder();
    const pulls = recorder();
    const replies = recorder();
    const scope = repository(authMocks(nock(API), { identity: false }));
    permission(scope, "carol", "write");
    scope
      .post(`${REPO_PATH}/git/trees`, trees.take)
      .reply(201, { sha: "f".repeat(40) })
      .get(`${REPO_PATH}/git/ref/${encodeURIComponent(`heads/${BRANCH}`)}`)
      .reply(404, { message: "Not Found" })
      .post(`${REPO_PATH}/git/commits`, commits.take)
      .reply(201, { sha: "c".repeat(40) })
      .post(`${REPO_PATH}/git/refs`, refs.take)
      .reply(201, { ref: `refs/heads/${BRANCH}` })
      .get(`${REPO_PATH}/pulls`)
      .query({ head: `acme:${BRANCH}`, state: "open", per_page: "10" })
      .reply(200, [])
      .post(`${REPO_PATH}/pulls`, pulls.take)
      .reply(201, { number: 42, html_url: "https://github.com/acme/policies/pull/42" })
      .post(`${REPO_PATH}/issues/31/comments`, replies.take)
      .reply(201, { id: 701 });
    await t.deliver("issue_comment", onIssue("/tierguard recommend boutique"));

    const tree = trees.bodies[0];
    expect(tree.tree.map((e: any) => [e.path, e.mode, e.type])).toEqual([["namespace-isolation/boutique-isolation.yaml", "100644", "blob"]]);
    const yaml: string = tree.tree[0].content;
    expect(yaml).toContain("kind: StagedNetworkPolicy");
    expect(yaml).toContain("Proof: replaying");
    // The file tierguard writes loads back through tierguard's own loader without an error.
    const loaded = loadBundle([{ file: "x.yaml", text: yaml }], { version: DEFAULT_CALICO_VERSION, limits: DEFAULT_LOAD_LIMITS, defaultNamespace: "default" });
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(commits.bodies[0].parents).toEqual([main]);
    expect(commits.bodies[0].tree).toBe("f".repeat(40));
    expect(refs.bodies[0]).toEqual({ ref: `refs/heads/${BRANCH}`, sha: "c".repeat(40) });
    const pr = pulls.bodies[0];
    expect([pr.head, pr.base, pr.title]).toEqual([BRANCH, "main", "tierguard: recommended isolation policies for boutique"]);
    expect(pr.body.startsWith(RECOMMENDATION_MARKER)).toBe(true);
    expect(pr.body).toMatch(/with this recommendation \*\*enforced\*\*: it denies \*\*0\*\* flow records that are allowed today/);
    expect(pr.body).toContain("Asked by @carol in #31.");
    expect(pr.body).toContain("the owners of tier `namespace-isolation` in tierguard.yaml approve it");
    expect(replies.bodies[0].body).toMatch(/^@carol: opened #42 with the recommended policies for `boutique` \(branch `tierguard\/recommend\/boutique`\)\. The replay of \d+ flow tuples with it enforced denies 0 records allowed today\./);
    expect(scope.isDone()).toBe(true);
  }, 30_000);

  test("asked again with nothing new: the branch already holds the files and the pull request the body, so nothing is written", async () => {
    const t = await testApp();
    const pulls = recorder();
    const replies = recorder();
    let body = "";
    // First run to learn the body the pull request would get.
    const first = repository(authMocks(nock(API), { identity: false }));
    permission(first, "carol", "write");
    first
      .post(`${REPO_PATH}/git/trees`).reply(201, { sha: "f".repeat(40) })
      .get(`${REPO_PATH}/git/ref/${encodeURIComponent(`heads/${BRANCH}`)}`).reply(404, {})
      .post(`${REPO_PATH}/git/commits`).reply(201, { sha: "c".repeat(40) })
      .post(`${REPO_PATH}/git/refs`).reply(201, {})
      .get(`${REPO_PATH}/pulls`).query(true).reply(200, [])
      .post(`${REPO_PATH}/pulls`, (b: any) => ((body = b.body), true)).reply(201, { number: 42, html_url: "u" })
      .post(`${REPO_PATH}/issues/31/comments`).reply(201, { id: 1 });
    await t.deliver("issue_comment", onIssue("/tierguard recommend boutique"));
    nock.cleanAll();

    const scope = repository(nock(API));
    permission(scope, "carol", "write");
    scope
      .post(`${REPO_PATH}/git/trees`).reply(201, { sha: "f".repeat(40) })
      .get(`${REPO_PATH}/git/ref/${encodeURIComponent(`heads/${BRANCH}`)}`).reply(200, { object: { sha: "c".repeat(40) } })
      .get(`${REPO_PATH}/git/commits/${"c".repeat(40)}`).reply(200, { sha: "c".repeat(40), tree: { sha: "f".repeat(40) }, parents: [{ sha: main }] })
      .get(`${REPO_PATH}/pulls`).query(true).reply(200, [{ number: 42, html_url: "https://github.com/acme/policies/pull/42", title: "tierguard: recommended isolation policies for boutique", body }])
      .post(`${REPO_PATH}/issues/31/comments`, replies.take).reply(201, { id: 2 });
    await t.deliver("issue_comment", onIssue("/tierguard recommend boutique"));
    expect(pulls.bodies).toEqual([]);
    expect(replies.bodies[0].body).toMatch(/^@carol: checked \(unchanged\) #42 /);
    expect(scope.isDone()).toBe(true);
  }, 30_000);

  test("asked again after the default branch moved: a new commit on the branch (forced), the pull request's body updated in place", async () => {
    const t = await testApp();
    const refs = recorder();
    const edits = recorder();
    const replies = recorder();
    const scope = repository(authMocks(nock(API), { identity: false }));
    permission(scope, "carol", "write");
    scope
      .post(`${REPO_PATH}/git/trees`).reply(201, { sha: "f".repeat(40) })
      .get(`${REPO_PATH}/git/ref/${encodeURIComponent(`heads/${BRANCH}`)}`).reply(200, { object: { sha: "d".repeat(40) } })
      .get(`${REPO_PATH}/git/commits/${"d".repeat(40)}`).reply(200, { sha: "d".repeat(40), tree: { sha: "e".repeat(40) }, parents: [{ sha: "0".repeat(40) }] })
      .post(`${REPO_PATH}/git/commits`).reply(201, { sha: "c".repeat(40) })
      .patch(`${REPO_PATH}/git/refs/${encodeURIComponent(`heads/${BRANCH}`)}`, refs.take).reply(200, {})
      .get(`${REPO_PATH}/pulls`).query(true).reply(200, [{ number: 42, html_url: "https://github.com/acme/policies/pull/42", title: "old", body: `${RECOMMENDATION_MARKER}\nold` }])
      .patch(`${REPO_PATH}/pulls/42`, edits.take).reply(200, {})
      .post(`${REPO_PATH}/issues/31/comments`, replies.take).reply(201, { id: 3 });
    await t.deliver("issue_comment", onIssue("/tierguard recommend boutique"));
    expect(refs.bodies).toEqual([{ sha: "c".repeat(40), force: true }]);
    expect(edits.bodies[0].body).toMatch(/it denies \*\*0\*\* flow records that are allowed today/);
    expect(replies.bodies[0].body).toMatch(/^@carol: updated #42 /);
  }, 30_000);

  test("a user without write access is refused, and nothing is read or written", async () => {
    const t = await testApp();
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false }).post(`${REPO_PATH}/issues/31/comments`, replies.take).reply(201, { id: 702 });
    permission(scope, "mallory", "read");
    await t.deliver("issue_comment", onIssue("/tierguard recommend boutique", "mallory"));
    expect(replies.bodies[0].body).toMatch(/^@mallory: sorry, tierguard takes commands only from people with write access/);
  });

  test("other commands on an issue are still ignored (they apply to pull requests)", async () => {
    const t = await testApp();
    await t.deliver("issue_comment", onIssue("/tierguard recheck"));
    expect(t.logs.some((l) => l.msg === "ignoring a tierguard command on an issue: commands other than recommend apply to pull requests")).toBe(true);
  });
});
