import { afterAll, afterEach, beforeAll, describe, expect, test } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { reviewPullRequest } from "../../src/github/review-run.js";
import { SILENT_LOG } from "../../src/github/api.js";
import { edit, serveGitData, templateRepo } from "../helpers/github-repo.js";

const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("drop the currency service", (d) =>
  edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, ""),
);
const api = new Octokit({ auth: "test-token", request: { retries: 0 } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  repo.cleanup();
  nock.enableNetConnect();
});

function github() {
  const scope = nock("https://api.github.com");
  serveGitData(scope, repo, "acme", "policies", [base, head]);
  return scope;
}

describe("the review through the GitHub API", () => {
  test("reads both revisions and the base snapshot, resolves teams, and finds the breakage", async () => {
    const scope = github()
      .get("/repos/acme/policies/pulls/7/reviews")
      .query(true)
      .reply(200, [{ user: { login: "carol" }, state: "APPROVED" }])
      .get(/\/orgs\/acme\/teams\/[a-z-]+\/memberships\/alice/)
      .times(3)
      .reply((uri) => (uri.includes("/app-devs/") ? [200, { state: "active" }] : [404, { message: "Not Found" }]))
      .get(/\/orgs\/acme\/teams\/[a-z-]+\/memberships\/carol/)
      .times(3)
      .reply(404, { message: "Not Found" });
    const { review, config } = await reviewPullRequest({
      api,
      repo: { owner: "acme", repo: "policies" },
      pull: 7,
      base: { ref: "main", sha: base },
      head: { ref: "pr", sha: head },
      author: "alice",
      teams: "api",
      log: SILENT_LOG,
    });
    expect(config.tiers.get("application")?.owners).toContain("acme/app-devs");
    expect(review.impact?.totals.records).toBe(19766);
    expect(review.impact?.newlyDenied.map((f) => f.port)).toEqual([7000]);
    expect(review.findings.some((f) => f.code === "impact/newly-denied" && f.file === "application/frontend.yaml")).toBe(true);
    expect(review.findings.filter((f) => f.code.startsWith("ownership/"))).toEqual([]);
    expect(review.head.commit).toBe(head);
    scope.persist(false);
  });

  test("without access to teams, ownership by team is unverifiable, never silently passed", async () => {
    const changed = repo.commit("touch security", (d) => edit(d, "security/allow-dns.yaml", "order: 30", "order: 31"));
    const scope = nock("https://api.github.com");
    serveGitData(scope, repo, "acme", "policies", [base, changed]);
    const { review } = await reviewPullRequest({
      api,
      repo: { owner: "acme", repo: "policies" },
      base: { ref: "main", sha: base },
      head: { ref: "pr", sha: changed },
      author: "alice",
      approvals: [],
      teams: "unverifiable",
      log: SILENT_LOG,
    });
    const own = review.findings.filter((f) => f.code.startsWith("ownership/"));
    expect(own.map((f) => [f.code, f.severity, f.file])).toEqual([["ownership/teams-unverifiable", "error", "security/allow-dns.yaml"]]);
    expect(own[0].message).toMatch(/could not check whether the author belongs to those teams/);
    expect(review.notes.join("\n")).toMatch(/Team memberships could not be read/);
  });
});
