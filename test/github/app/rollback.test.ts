import { afterAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { parseCommand } from "../../../src/github/app/commands.js";
import { revertFiles, stillToRevert } from "../../../src/github/app/rollback-plan.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, authMocks, issueCommentEvent, NAME, OWNER, pullResponse, recorder, REPO_PATH, testApp, useStrictNock } from "../../helpers/probot-app.js";

/**
 * `/tierguard rollback`: on a merged pull request, a revert pull request built through the Git Data API, checked
 * against real git: the nock GitHub builds the tree, commit and branch the App asks for in the test repository, so
 * the test reads the result with git. An open pull request has nothing to roll back; only writers may ask.
 */
useStrictNock();
const repo = templateRepo();
const git = (...args: string[]) => execFileSync("git", ["-C", repo.dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" }).trim();
const before = repo.commit("base");
const merged = repo.commit("drop the currency service, add a policy, touch the README", (d) => {
  edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, "");
  writeFileSync(join(d, "application/partners.yaml"), "apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: { name: partners, namespace: boutique }\nspec: { nets: [192.0.2.0/24] }\n");
  edit(d, "README.md", /^/, "Edited.\n");
});
const later = repo.commit("a later change to another policy", (d) => edit(d, "application/cartservice.yaml", /^/, "# reviewed again\n"));
afterAll(() => repo.cleanup());

/** The merge commit with its parent (serveGitData's commits carry none), and its tree. */
function serveMergeCommit(scope: nock.Scope): void {
  const tree = git("rev-parse", `${merged}^{tree}`);
  const entries = git("ls-tree", "-r", "--long", merged).split("\n").map((rec) => {
    const [meta, path] = rec.split("\t");
    const [mode, type, sha, size] = meta.split(/ +/);
    return { path, mode, type, sha, size: Number(size) };
  });
  scope.get(`${REPO_PATH}/git/commits/${merged}`).reply(200, { sha: merged, tree: { sha: tree }, parents: [{ sha: before }] }).persist();
  scope.get(`${REPO_PATH}/git/trees/${tree}`).query({ recursive: "1" }).reply(200, { sha: tree, truncated: false, tree: entries }).persist();
}

function permission(scope: nock.Scope, login: string, level: string): nock.Scope {
  return scope.get(`${REPO_PATH}/collaborators/${login}/permission`).reply(200, { permission: level, role_name: level, user: { login } });
}

/** Git Data writes, done for real in the test repository. */
function gitWrites(scope: nock.Scope) {
  const trees = recorder();
  const commits = recorder();
  const refs = recorder();
  const pulls = recorder();
  scope
    .post(`${REPO_PATH}/git/trees`, trees.take)
    .reply(201, (_uri, body: any) => {
      const index = join(repo.dir, ".git", "rollback-index");
      const env = { ...process.env, GIT_INDEX_FILE: index };
      execFileSync("git", ["-C", repo.dir, "read-tree", body.base_tree], { env });
      for (const e of body.tree) {
        if (e.sha === null) execFileSync("git", ["-C", repo.dir, "update-index", "--force-remove", e.path], { env });
        else execFileSync("git", ["-C", repo.dir, "update-index", "--add", "--cacheinfo", `${e.mode},${e.sha},${e.path}`], { env });
      }
      return { sha: execFileSync("git", ["-C", repo.dir, "write-tree"], { env, encoding: "utf8" }).trim() };
    })
    .post(`${REPO_PATH}/git/commits`, commits.take)
    .reply(201, (_uri, body: any) => ({ sha: git("commit-tree", body.tree, "-p", body.parents[0], "-m", body.message) }))
    .post(`${REPO_PATH}/git/refs`, refs.take)
    .reply(201, (_uri, body: any) => (git("update-ref", body.ref, body.sha), { ref: body.ref, object: { sha: body.sha } }))
    .post(`${REPO_PATH}/pulls`, pulls.take)
    .reply(201, { number: 12, html_url: `https://github.com/${OWNER}/${NAME}/pull/12` });
  return { trees, commits, refs, pulls };
}

describe("/tierguard rollback", () => {
  test("on a merged pull request: a revert pull request restoring its policy files as they were before the merge", async () => {
    const t = await testApp();
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head: merged, base: before, state: "closed", merged: true, mergeCommit: merged }))
      .get(REPO_PATH)
      .reply(200, { default_branch: "main" })
      .get(/\/repos\/acme\/policies\/git\/ref\/heads(%2F|\/)main$/)
      .reply(200, { ref: "refs/heads/main", object: { sha: later } })
      .post(`${REPO_PATH}/issues/7/comments`, replies.take)
      .reply(201, { id: 900 });
    permission(scope, "carol", "write");
    serveMergeCommit(scope);
    serveGitData(scope, repo, OWNER, NAME, [before, later]);
    const w = gitWrites(scope);
    await t.deliver("issue_comment", issueCommentEvent({ id: 800, login: "carol", body: "/tierguard rollback" }));

    expect(w.trees.bodies).toEqual([
      {
        base_tree: git("rev-parse", `${later}^{tree}`),
        tree: [
          { path: "application/frontend.yaml", mode: "100644", type: "blob", sha: git("rev-parse", `${before}:application/frontend.yaml`) },
          { path: "application/partners.yaml", mode: "100644", type: "blob", sha: null },
        ],
      },
    ]);
    const revert = w.refs.bodies[0].sha as string;
    expect(w.refs.bodies).toEqual([{ ref: "refs/heads/tierguard/rollback-7", sha: revert }]);
    expect(w.commits.bodies[0].parents).toEqual([later]);
    // What the branch holds, read with git: the PR's policy changes undone, its README edit and the later change kept.
    expect(git("diff", "--name-status", later, revert).split("\n")).toEqual(["M\tapplication/frontend.yaml", "D\tapplication/partners.yaml"]);
    expect(git("show", `${revert}:application/frontend.yaml`)).toBe(git("show", `${before}:application/frontend.yaml`));
    expect(git("show", `${revert}:README.md`).startsWith("Edited.")).toBe(true);
    expect(git("show", `${revert}:application/cartservice.yaml`).startsWith("# reviewed again")).toBe(true);

    expect(w.pulls.bodies).toHaveLength(1);
    const pr = w.pulls.bodies[0];
    expect([pr.title, pr.head, pr.base]).toEqual(["Roll back #7", "tierguard/rollback-7", "main"]);
    expect(pr.body).toContain(`This reverts the policy changes of #7 (merge commit ${merged})`);
    expect(pr.body).toContain("- `application/frontend.yaml`: restored\n- `application/partners.yaml`: deleted (#7 added it)");
    expect(replies.bodies.map((b) => b.body)).toEqual([
      "@carol: opened #12 to roll back #7: it restores 2 policy file(s) to their content before the merge. tierguard reviews it like any other pull request; merging it is what changes the clusters.",
    ]);
    expect(scope.isDone()).toBe(true);
  });

  test("on an open pull request there is nothing to roll back, and nothing is written", async () => {
    const t = await testApp();
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head: merged, base: before }))
      .post(`${REPO_PATH}/issues/7/comments`, replies.take)
      .reply(201, { id: 901 });
    permission(scope, "carol", "admin");
    await t.deliver("issue_comment", issueCommentEvent({ id: 801, login: "carol", body: "/tierguard rollback" }));
    expect(replies.bodies.map((b) => b.body)).toEqual([
      "@carol: there is nothing to roll back: #7 is open, so none of its changes reached the default branch. `/tierguard rollback` works on a merged pull request.",
    ]);
    expect(t.logs.find((l) => l.msg === "rollback: the pull request is not merged; nothing to roll back")).toMatchObject({ pr: 7, state: "open" });
    expect(scope.isDone()).toBe(true);
  });

  test("a user without write access is refused before anything is read", async () => {
    const t = await testApp();
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false }).post(`${REPO_PATH}/issues/7/comments`, replies.take).reply(201, { id: 902 });
    permission(scope, "mallory", "read");
    await t.deliver("issue_comment", issueCommentEvent({ id: 802, login: "mallory", body: "/tierguard rollback" }));
    expect(replies.bodies.map((b) => b.body)).toEqual(["@mallory: sorry, tierguard takes commands only from people with write access to this repository (yours: read). Ask a maintainer to run it."]);
    expect(scope.isDone()).toBe(true);
  });

  test("parsing: no arguments", () => {
    expect(parseCommand("/tierguard Rollback")).toEqual({ kind: "rollback" });
    expect(parseCommand("/tierguard rollback #7")).toEqual({ kind: "invalid", reason: "`/tierguard rollback` takes no arguments" });
  });

  test.each([
    ["changed", { a: "1" }, { a: "2" }, [{ path: "a", sha: "1" }]],
    ["added by the PR: deleted", {}, { a: "2" }, [{ path: "a", sha: null }]],
    ["deleted by the PR: restored", { a: "1" }, {}, [{ path: "a", sha: "1" }]],
    ["unchanged and unreviewed files are left", { a: "1", "README.md": "x" }, { a: "1", "README.md": "y" }, []],
  ])("revert files: %s", (_what, parent, after, expected) => {
    const files = revertFiles(new Map(Object.entries(parent)), new Map(Object.entries(after)), (p) => p !== "README.md");
    expect(files).toEqual(expected);
  });

  test("a head that already holds the old content leaves nothing to revert", () => {
    const files = [{ path: "a", sha: "1" }, { path: "b", sha: null }];
    expect(stillToRevert(files, new Map([["a", "1"]]))).toEqual([]);
    expect(stillToRevert(files, new Map([["a", "2"], ["b", "3"]]))).toEqual(files);
  });
});
