import { afterAll, afterEach, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import type { GitHubApi } from "../../../src/github/api.js";
import { withTeamsClient } from "../../../src/github/action/client.js";
import { readContext } from "../../../src/github/action/event.js";
import { STEP_SUMMARY_LIMIT_BYTES, jobSummary } from "../../../src/github/action/summary.js";
import { input, Workflow } from "../../../src/github/action/workflow.js";
import { listIssueComments, reviewCommentPartOf, upsertComment } from "../../../src/github/app/comment.js";
import type { AppLog } from "../../../src/github/app/log.js";
import { GITHUB_COMMENT_LIMIT, renderReviewCommentParts, reviewCommentPart } from "../../../src/report/review/index.js";
import { huge } from "../../report/fixtures.js";
import { capture, parseOutputs, pullRequestPayload } from "./helpers.js";

/** The Action's parts one by one: the runner's file formats, the event, the teams routing, the summary budget, the comment upsert. */
const dir = mkdtempSync(join(tmpdir(), "tg-action-parts-"));
const api = new Octokit({ auth: "t", request: { retries: 0 }, log: { debug() {}, info() {}, warn() {}, error() {} } }) as unknown as GitHubApi;

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  nock.enableNetConnect();
  nock.restore();
});

describe("the runner's side of a step", () => {
  test("inputs: INPUT_ + upper case, spaces as underscores, hyphens kept, trimmed", () => {
    const env = { "INPUT_FAIL-ON": " warning\n", INPUT_MY_INPUT: "x" };
    expect([input(env, "fail-on"), input(env, "my input"), input(env, "absent")]).toEqual(["warning", "x", ""]);
  });

  test("outputs are delimited blocks the runner parses back, whatever the value holds", () => {
    const file = join(dir, "output");
    writeFileSync(file, "");
    const w = new Workflow({ GITHUB_OUTPUT: file }, () => {});
    w.output("errors", "3");
    w.output("odd", "a=b\nerrors<<EOF\nEOF");
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^errors<<ghadelimiter_[0-9a-f-]{36}\n3\nghadelimiter_[0-9a-f-]{36}\n/);
    expect(parseOutputs(text)).toEqual({ errors: "3", odd: "a=b\nerrors<<EOF\nEOF" });
  });

  test("annotations escape what would end or forge a command", () => {
    const out = capture();
    const w = new Workflow({}, out.write);
    w.error("100% broken\r\n::error::forged");
    w.annotate("warning", "m", { title: "a: b, c", file: "x,y.yaml", line: 3 });
    w.mask("s3cr%t");
    expect(out.text()).toBe("::error::100%25 broken%0D%0A::error::forged\n::warning title=a%3A b%2C c,file=x%2Cy.yaml,line=3::m\n::add-mask::s3cr%25t\n");
  });

  test("no summary file (a local run): nothing written, and the caller is told", () => {
    expect(new Workflow({}, () => {}).summary("# hi")).toBe(false);
    const file = join(dir, "summary");
    writeFileSync(file, "before\n");
    expect(new Workflow({ GITHUB_STEP_SUMMARY: file }, () => {}).summary("# hi")).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("before\n# hi\n");
  });
});

describe("the event", () => {
  const event = (name: string, headRepo?: string) => {
    const path = join(dir, `${name}-${(headRepo ?? "same").replace("/", "_")}.json`);
    writeFileSync(path, JSON.stringify(pullRequestPayload({ number: 9, author: "bob", base: "b".repeat(40), head: "c".repeat(40), headRepo })));
    return readContext({ GITHUB_EVENT_PATH: path, GITHUB_EVENT_NAME: name, GITHUB_REPOSITORY: "acme/policies" }, "/work");
  };
  const rows = [
    { name: "pull_request", headRepo: undefined, fork: false, readOnly: false },
    { name: "pull_request", headRepo: "mallory/policies", fork: true, readOnly: true },
    // pull_request_target runs in the base repository with its token and secrets, even for a fork.
    { name: "pull_request_target", headRepo: "mallory/policies", fork: true, readOnly: false },
    { name: "pull_request_review", headRepo: "mallory/policies", fork: true, readOnly: true },
  ];
  test.each(rows)("$name from $headRepo: fork $fork, read-only token $readOnly", (row) => {
    const ctx = event(row.name, row.headRepo);
    expect([ctx.pull?.fork, ctx.readOnlyToken]).toEqual([row.fork, row.readOnly]);
    expect(ctx.pull).toMatchObject({ pull: 9, author: "bob", base: { ref: "main", sha: "b".repeat(40) }, head: { ref: "change", sha: "c".repeat(40) } });
    expect([ctx.apiUrl, ctx.serverUrl, ctx.workspace]).toEqual(["https://api.github.com", "https://github.com", "/work"]);
  });
});

describe("team memberships through the teams token", () => {
  test("only organization-team reads go to the teams client", async () => {
    const calls: string[] = [];
    const fake = (who: string): GitHubApi => ({
      request: async (route) => (calls.push(`${who} ${route}`), { status: 200, data: {} as never, headers: {} }),
      paginate: async (route) => (calls.push(`${who} ${route}`), []),
    });
    const routed = withTeamsClient(fake("main"), fake("teams"));
    await routed.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", {});
    await routed.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {});
    await routed.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {});
    await routed.request("GET /orgs/{org}/members", {});
    expect(calls).toEqual([
      "teams GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
      "main GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
      "main GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      "main GET /orgs/{org}/members",
    ]);
  });
});

describe("the job summary", () => {
  test("fits the 1 MiB step-summary limit, says it was cut, and keeps the next step", () => {
    const full = jobSummary(huge, [], {}, Number.MAX_SAFE_INTEGER);
    const limit = 200_000;
    expect(Buffer.byteLength(full)).toBeGreaterThan(limit);
    const cut = jobSummary(huge, ["a note"], {}, limit);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(limit);
    expect(cut.startsWith("> **tierguard Action:** a note\n\n### ")).toBe(true);
    expect(cut).toContain("The report was cut to fit the job summary's 1 MiB limit");
    expect(cut.trimEnd().split("\n").pop()).toMatch(/^\*\*Next step:\*\* /);
    expect(STEP_SUMMARY_LIMIT_BYTES).toBe(1024 * 1024);
  });
});

/**
 * The Action reuses the App's upsert (src/github/app/comment.ts) with the workflow token's identity; this pins the
 * contract it relies on for a review long enough to need several comments.
 */
describe("the review comment upsert the Action uses", () => {
  const base = "/repos/acme/policies";
  const repo = { owner: "acme", repo: "policies" };
  const bot = { login: "github-actions[bot]", type: "Bot" };
  const silent: AppLog = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent };
  const upsert = async (parts: string[]) => {
    const existing = await listIssueComments(api, repo, 5);
    return upsertComment({ api, repo, issue: 5, existing, bot: "GitHub-Actions[bot]", partOf: reviewCommentPartOf, parts, log: silent });
  };
  const parts = renderReviewCommentParts(huge, {}, GITHUB_COMMENT_LIMIT);

  test("the huge review really is several parts", () => {
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((p) => reviewCommentPart(p))).toEqual(parts.map((_, i) => ({ part: i + 1, of: parts.length })));
  });

  test("first run: every part created, in order", async () => {
    const created: string[] = [];
    const scope = nock("https://api.github.com").get(`${base}/issues/5/comments`).query({ per_page: "100" }).reply(200, []);
    for (let i = 0; i < parts.length; i++) {
      scope.post(`${base}/issues/5/comments`, (b: { body: string }) => (created.push(b.body), true)).reply(201, { id: 10 + i, html_url: `u${10 + i}` });
    }
    const result = await upsert(parts);
    expect(result).toEqual({ created: parts.map((_, i) => 10 + i), updated: [], unchanged: [], deleted: [] });
    expect(created).toEqual(parts);
  });

  test("fewer parts later: unchanged part kept, changed part edited, leftovers deleted, others' comments untouched", async () => {
    const now = [parts[0].replace("finding F0000X", "finding F0000X (edited)"), parts[1]];
    expect(now[0]).not.toBe(parts[0]);
    const existing = [
      { id: 1, body: "an unrelated comment", html_url: "u1", user: { login: "carol", type: "User" } },
      ...parts.map((body, i) => ({ id: 10 + i, body, html_url: `u${10 + i}`, user: bot })),
      { id: 99, body: parts[0], html_url: "u99", user: { login: "mallory", type: "User" } },
    ];
    const scope = nock("https://api.github.com")
      .get(`${base}/issues/5/comments`)
      .query({ per_page: "100" })
      .reply(200, existing)
      .patch(`${base}/issues/comments/10`, { body: now[0] })
      .reply(200, { id: 10, html_url: "u10" });
    for (let i = 2; i < parts.length; i++) scope.delete(`${base}/issues/comments/${10 + i}`).reply(204);
    const result = await upsert(now);
    expect(result).toEqual({ created: [], updated: [10], unchanged: [11], deleted: parts.slice(2).map((_, i) => 12 + i) });
  });
});
