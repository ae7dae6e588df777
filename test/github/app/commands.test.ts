import { afterAll, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { ackMarker, findAck } from "../../../src/github/app/ack.js";
import { COMMAND_HELP, parseCommand } from "../../../src/github/app/commands.js";
import type { GitHubReviewRequest, GitHubReviewResult } from "../../../src/github/review-run.js";
import { defaultConfig } from "../../../src/review/config.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, authMocks, BOT, CommentStore, issueComment, issueCommentEvent, NAME, OWNER, pullResponse, recorder, REPO_PATH, testApp, useStrictNock } from "../../helpers/probot-app.js";
import { impact, review as reviewFixture } from "../../report/fixtures.js";

/**
 * Comment commands: parsing, who may run them, and what each does on GitHub. The acknowledgement scheme is tested
 * both as a pure function over comments and through the App.
 */
useStrictNock();
const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("drop the currency service", (d) =>
  edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, ""),
);
afterAll(() => repo.cleanup());

const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);

describe("parsing commands", () => {
  test.each([
    ["/tierguard recheck", { kind: "recheck" }],
    ["  /TierGuard   Recheck  \n\nplease, the snapshot was refreshed", { kind: "recheck" }],
    ["/tierguard ack-impact", { kind: "ack-impact" }],
    ["/tierguard explain boutique/frontend -> boutique/cartservice:7070", { kind: "explain", from: "boutique/frontend", to: "boutique/cartservice", port: 7070, protocol: 6, protocolText: "TCP" }],
    ["/tierguard explain 10.0.0.1 → boutique/redis-cart:6379/tcp", { kind: "explain", from: "10.0.0.1", to: "boutique/redis-cart", port: 6379, protocol: 6, protocolText: "TCP" }],
    ["/tierguard explain boutique/frontend->[fd00::53]:53/UDP", { kind: "explain", from: "boutique/frontend", to: "fd00::53", port: 53, protocol: 17, protocolText: "UDP" }],
    ["/tierguard explain a/b -> 8.8.8.8:53/17", { kind: "explain", from: "a/b", to: "8.8.8.8", port: 53, protocol: 17, protocolText: "UDP" }],
  ])("%j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  test.each([
    ["/tierguard", "no command given"],
    ["/tierguard deploy now", "unknown command `deploy`"],
    ["/tierguard recheck everything", "`/tierguard recheck` takes no arguments"],
    ["/tierguard explain boutique/frontend", "explain needs `<from> -> <to>:<port>`"],
    ["/tierguard explain boutique/frontend -> boutique/cart", "explain needs `<from> -> <to>:<port>`, with the destination's port"],
    ["/tierguard explain boutique/frontend -> boutique/cart:70000", "port 70000 is not 1-65535"],
    ["/tierguard explain boutique/frontend -> boutique/cart:80/http", "`http` is not a protocol name or number"],
    ["/tierguard explain a/b -> c/d:80/ICMP", "ICMP has no ports; explain takes TCP, UDP or SCTP connections"],
  ])("%j is refused: %s", (body, reason) => {
    expect(parseCommand(body)).toEqual({ kind: "invalid", reason });
  });

  test.each(["LGTM", "", "please run /tierguard recheck", "`/tierguard recheck`", "/tierguardrecheck"])("%j is not a command", (body) => {
    expect(parseCommand(body)).toBeUndefined();
  });
});

describe("acknowledgements recorded in comments", () => {
  const ack = (id: number, login: string, body = "/tierguard ack-impact") => issueComment({ id, login, body });
  const reply = (id: number, sha: string, comment: number, by: string, login = BOT) => issueComment({ id, login, body: `${ackMarker({ sha, comment, by })}\n@${by} acknowledged` });

  test.each([
    ["the App's reply for this head, the comment still standing", [ack(1, "carol"), reply(2, SHA_A, 1, "carol")], { sha: SHA_A, comment: 1, by: "carol" }],
    ["the newest of two", [ack(1, "carol"), reply(2, SHA_A, 1, "carol"), ack(3, "dave"), reply(4, SHA_A, 3, "dave")], { sha: SHA_A, comment: 3, by: "dave" }],
    ["an acknowledgement of another head does not carry over", [ack(1, "carol"), reply(2, SHA_B, 1, "carol")], undefined],
    ["a marker typed by someone else is not a record", [ack(1, "mallory"), reply(2, SHA_A, 1, "mallory", "mallory")], undefined],
    ["a deleted acknowledgement is withdrawn", [reply(2, SHA_A, 1, "carol")], undefined],
    ["an edited acknowledgement is withdrawn", [ack(1, "carol", "never mind"), reply(2, SHA_A, 1, "carol")], undefined],
    ["a record naming someone else's comment does not count", [ack(1, "mallory"), reply(2, SHA_A, 1, "carol")], undefined],
  ])("%s", (_what, comments, expected) => {
    expect(findAck(comments, { bot: BOT, headSha: SHA_A })).toEqual(expected);
  });
});

function stubRunner() {
  const calls: GitHubReviewRequest[] = [];
  return {
    calls,
    runReview: async (req: GitHubReviewRequest): Promise<GitHubReviewResult> => {
      calls.push(req);
      const review = reviewFixture({ base: { rev: "main", commit: req.base.sha }, head: { rev: "feature", commit: req.head.sha }, impact: impact(), ...(req.acknowledgedBy ? { impactAcknowledged: { by: req.acknowledgedBy } } : {}) });
      return { review, config: defaultConfig(), files: {} as GitHubReviewResult["files"] };
    },
  };
}

function permission(scope: nock.Scope, login: string, level: string, role = level, times = 1): nock.Scope {
  return scope.get(`${REPO_PATH}/collaborators/${login}/permission`).times(times).reply(200, { permission: level, role_name: role, user: { login } });
}

describe("commands through the App", () => {
  test("recheck from a user with write access reviews the head again", async () => {
    const s = stubRunner();
    const t = await testApp({ runReview: s.runReview });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const comments = new CommentStore();
    const created = recorder();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .twice()
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/check-runs`, created.take)
      .reply(201, { id: 91 })
      .patch(`${REPO_PATH}/check-runs/91`)
      .reply(200, { id: 91 });
    permission(scope, "carol", "write", "maintain");
    comments.list(scope, 2);
    comments.create(scope);
    await t.deliver("issue_comment", issueCommentEvent({ id: 300, login: "carol", body: "/tierguard recheck" }));
    expect(s.calls.map((c) => c.head.sha)).toEqual([head]);
    expect(created.bodies.map((b) => b.output.summary)).toEqual(["Queued: /tierguard recheck by @carol."]);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("a user without write access is refused politely, and nothing runs", async () => {
    const s = stubRunner();
    const t = await testApp({ runReview: s.runReview });
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false }).post(`${REPO_PATH}/issues/7/comments`, replies.take).reply(201, { id: 301 });
    permission(scope, "mallory", "read", "triage");
    await t.deliver("issue_comment", issueCommentEvent({ id: 302, login: "mallory", body: "/tierguard ack-impact" }));
    expect(replies.bodies).toEqual([{ body: "@mallory: sorry, tierguard takes commands only from people with write access to this repository (yours: triage). Ask a maintainer to run it." }]);
    expect(s.calls).toEqual([]);
    expect(t.logs.find((l) => l.msg === "refusing a command: the user has no write access")).toMatchObject({ repo: `${OWNER}/${NAME}`, pr: 7, user: "mallory", permission: "read" });
    expect(scope.isDone()).toBe(true);
  });

  test("someone GitHub does not know as a collaborator (404) is refused too", async () => {
    const t = await testApp({ runReview: stubRunner().runReview });
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false })
      .get(`${REPO_PATH}/collaborators/stranger/permission`)
      .reply(404, { message: "Not Found" })
      .post(`${REPO_PATH}/issues/7/comments`, replies.take)
      .reply(201, { id: 303 });
    await t.deliver("issue_comment", issueCommentEvent({ id: 304, login: "stranger", body: "/tierguard recheck" }));
    expect(replies.bodies.map((b) => b.body)).toEqual(["@stranger: sorry, tierguard takes commands only from people with write access to this repository (yours: none). Ask a maintainer to run it."]);
    expect(scope.isDone()).toBe(true);
  });

  test("an unknown command gets the help; a bot's command and a plain comment are ignored", async () => {
    const t = await testApp({ runReview: stubRunner().runReview });
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false }).post(`${REPO_PATH}/issues/7/comments`, replies.take).reply(201, { id: 305 });
    permission(scope, "carol", "admin");
    await t.deliver("issue_comment", issueCommentEvent({ id: 306, login: "carol", body: "/tierguard approve" }));
    await t.deliver("issue_comment", issueCommentEvent({ id: 307, login: "renovate[bot]", body: "/tierguard recheck" }));
    await t.deliver("issue_comment", issueCommentEvent({ id: 308, login: "carol", body: "Looks good to me" }));
    expect(replies.bodies).toEqual([{ body: `@carol: unknown command \`approve\`.\n\n${COMMAND_HELP}` }]);
    expect(t.logs.find((l) => l.msg === "ignoring a tierguard command written by a bot")).toMatchObject({ user: "renovate[bot]", comment: 307 });
    expect(scope.isDone()).toBe(true);
  });

  test("explain answers with the trace at head, endpoints from the inventory", async () => {
    const t = await testApp({ runReview: stubRunner().runReview });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/issues/7/comments`, replies.take)
      .reply(201, { id: 309 });
    permission(scope, "carol", "write");
    await t.deliver("issue_comment", issueCommentEvent({ id: 310, login: "carol", body: "/tierguard explain boutique/frontend -> boutique/currencyservice:7000" }));
    const body: string = replies.bodies[0].body;
    expect(body.split("\n").slice(0, 4)).toEqual([
      `@carol: **tierguard explain** at \`${head.slice(0, 7)}\` (the pull request's head): \`boutique/frontend -> boutique/currencyservice:7000/TCP\``,
      "",
      "```text",
      expect.stringMatching(/^boutique\/frontend-[a-z0-9]+-[a-z0-9]+ -> boutique\/currencyservice-[a-z0-9]+-[a-z0-9]+:7000\/TCP$/),
    ]);
    expect(body).toContain("Verdict: DENY");
    expect(body).toContain("decided by: 2|application|np:boutique/frontend|deny|-1");
    expect(body.trimEnd().endsWith("```")).toBe(true);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("explain resolves endpoints from the flow snapshot's records when tierguard.yaml names no inventory", async () => {
    const noInventory = repo.commit("no inventory", (d) => edit(d, "tierguard.yaml", /^inventory: .*\n/m, ""));
    const t = await testApp({ runReview: stubRunner().runReview });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [noInventory]);
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head: noInventory, base: noInventory }))
      .post(`${REPO_PATH}/issues/7/comments`, replies.take)
      .reply(201, { id: 311 });
    permission(scope, "carol", "write");
    await t.deliver("issue_comment", issueCommentEvent({ id: 312, login: "carol", body: "/tierguard explain boutique/frontend -> boutique/cartservice:7070" }));
    const body: string = replies.bodies[0].body;
    expect(body).toMatch(/\nboutique\/frontend-\S+ \(labels from the flow snapshot, line \d+\) -> boutique\/cartservice-\S+ \(labels from the flow snapshot, line \d+\):7070\/TCP\n/);
    expect(body).toContain("Verdict: ALLOW");
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("explain of an endpoint nobody knows says so", async () => {
    const t = await testApp({ runReview: stubRunner().runReview });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const replies = recorder();
    const scope = authMocks(nock(API), { identity: false })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/issues/7/comments`, replies.take)
      .reply(201, { id: 313 });
    permission(scope, "carol", "write");
    await t.deliver("issue_comment", issueCommentEvent({ id: 314, login: "carol", body: "/tierguard explain boutique/ghost -> boutique/cartservice:7070" }));
    expect(replies.bodies.map((b) => b.body)).toEqual([
      "@carol: tierguard could not resolve `boutique/ghost`: no pod boutique/ghost in the inventory; no record of the flow snapshot names it either. Name a pod of the inventory as `namespace/pod` (or its workload's name prefix), or an IP address.",
    ]);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("ack-impact: bound to the head whose finished review the user saw; the re-run shows who acknowledged", async () => {
    const s = stubRunner();
    const t = await testApp({ runReview: s.runReview });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const command = { id: 320, login: "carol", body: "/tierguard ack-impact", createdAt: "2025-06-01T11:30:00Z" };
    const comments = new CommentStore([command]);
    const patched = recorder();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .twice()
      .reply(200, pullResponse({ head, base }))
      .get(`${REPO_PATH}/commits/${head}/check-runs`)
      .query({ check_name: "tierguard", app_id: "1", filter: "latest" })
      .reply(200, { total_count: 1, check_runs: [{ id: 90, status: "completed", conclusion: "failure", completed_at: "2025-06-01T11:20:00Z" }] })
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 92 })
      .patch(`${REPO_PATH}/check-runs/92`, patched.take)
      .reply(200, { id: 92 });
    permission(scope, "carol", "write", "write", 2); // at the command, and again when the review reads the record
    comments.create(scope, 2); // the App's reply, then the review comment
    comments.list(scope, 2);
    await t.deliver("issue_comment", issueCommentEvent(command));
    const reply = comments.bodies()[0];
    expect(reply).toBe(
      `<!-- tierguard:ack sha=${head} comment=320 by=carol -->\n@carol acknowledged the newly denied flows of \`${head.slice(0, 7)}\` ([comment](https://github.com/${OWNER}/${NAME}/pull/7#issuecomment-320)) as intended. The review runs again; a new push needs a new acknowledgement, and deleting the comment withdraws it.`,
    );
    expect(s.calls.map((c) => [c.head.sha, c.acknowledgedBy])).toEqual([[head, "carol"]]);
    expect(patched.bodies[0].output.summary.split("\n")[0]).toBe("**Newly denied flows acknowledged by @carol** (`/tierguard ack-impact` on this head commit).");
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("ack-impact before the head's review finished is not recorded: the user is asked to read it first", async () => {
    const s = stubRunner();
    const t = await testApp({ runReview: s.runReview });
    const replies = recorder();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .get(`${REPO_PATH}/commits/${head}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ id: 93, status: "in_progress", conclusion: null, completed_at: null }] })
      .post(`${REPO_PATH}/issues/7/comments`, replies.take)
      .reply(201, { id: 321 });
    permission(scope, "carol", "write");
    await t.deliver("issue_comment", issueCommentEvent({ id: 322, login: "carol", body: "/tierguard ack-impact", createdAt: "2025-06-01T11:30:00Z" }));
    expect(replies.bodies.map((b) => b.body)).toEqual([
      `@carol: the head commit is \`${head.slice(0, 7)}\` and its review had not finished when you commented, so your acknowledgement cannot apply to it. Read the review of \`${head.slice(0, 7)}\`, then comment \`/tierguard ack-impact\` again.`,
    ]);
    expect(s.calls).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  test("an acknowledgement by someone who lost write access no longer counts", async () => {
    const s = stubRunner();
    const t = await testApp({ runReview: s.runReview });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const comments = new CommentStore([
      { id: 330, login: "dave", body: "/tierguard ack-impact" },
      { id: 331, login: BOT, body: `${ackMarker({ sha: head, comment: 330, by: "dave" })}\n@dave acknowledged` },
    ]);
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .twice()
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 94 })
      .patch(`${REPO_PATH}/check-runs/94`)
      .reply(200, { id: 94 });
    permission(scope, "carol", "write");
    permission(scope, "dave", "read");
    comments.list(scope, 2);
    comments.create(scope);
    await t.deliver("issue_comment", issueCommentEvent({ id: 332, login: "carol", body: "/tierguard recheck" }));
    expect(s.calls.map((c) => c.acknowledgedBy)).toEqual([undefined]);
    expect(t.logs.find((l) => l.msg === "ignoring the acknowledgement: its author no longer has write access")).toMatchObject({ by: "dave", permission: "read" });
    expect(scope.isDone() && git.isDone()).toBe(true);
  });
});
