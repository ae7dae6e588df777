import { afterAll, afterEach, beforeAll, describe, expect, test } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reviewPullRequest } from "../../src/github/review-run.js";
import { SILENT_LOG } from "../../src/github/api.js";
import { DEFAULT_SNAPSHOT_LIMITS, fetchSnapshot, SnapshotError } from "../../src/github/snapshot.js";
import { runReviewPipeline, type PipelineInput } from "../../src/run/review.js";
import { checkRunOutput, renderReviewCommentParts } from "../../src/report/review/index.js";
import { edit, serveGitData, templateRepo } from "../helpers/github-repo.js";

const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("drop the currency service", (d) =>
  edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, ""),
);
// Octokit logs each 404 (the expected team misses) with console.error: captured here, not printed.
const octokitErrors: string[] = [];
const api = new Octokit({ auth: "test-token", request: { retries: 0 }, log: { debug: () => undefined, info: () => undefined, warn: (m: string) => void octokitErrors.push(m), error: (m: string) => void octokitErrors.push(m) } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  repo.cleanup();
  nock.enableNetConnect();
  // nock patches Node's http for the whole worker: left active, a later file's real requests (edge.test's 100 MB
  // upload to its own server) would pass through nock, which buffers a request's body before sending any of it.
  nock.restore();
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
    expect(octokitErrors.filter((m) => / - 404 /.test(m)).map((m) => m.split(" - ")[0]).sort()).toEqual(
      ["secops", "platform"].flatMap((t) => [`GET /orgs/acme/teams/${t}/memberships/alice`]).concat(["app-devs", "secops", "platform"].map((t) => `GET /orgs/acme/teams/${t}/memberships/carol`)).sort(),
    );
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

/** A second repository whose branches the tests move (the first one's history is shared by the tests above). */
function branchingRepo() {
  const r = templateRepo();
  const git = (...args: string[]) => execFileSync("git", ["-C", r.dir, ...args], { encoding: "utf8" }).trim();
  return { ...r, git };
}

const ACME = { owner: "acme", repo: "policies" };

describe("the merge base: what the pull request changes, as GitHub's diff", () => {
  test("main moved on (a security policy and tierguard.yaml changed): nothing of it is blamed on the pull request", async () => {
    const r = branchingRepo();
    try {
      const fork = r.commit("base");
      const head = r.commit("tighten frontend", (d) => edit(d, "application/frontend.yaml", "order: 100", "order: 101"));
      r.git("checkout", "-q", "-b", "main-moved", fork);
      const tip = r.commit("main moves on", (d) => {
        edit(d, "security/allow-dns.yaml", "order: 30", "order: 31");
        edit(d, "tierguard.yaml", /^flows: .*\n^inventory: .*\n/m, "");
        edit(d, "tierguard.yaml", "newlyAllowed: warning", "newlyAllowed: notice");
      });
      const scope = nock("https://api.github.com");
      serveGitData(scope, r, "acme", "policies", [fork, tip, head]);
      const { review, config, files } = await reviewPullRequest({ api, repo: ACME, base: { ref: "main", sha: tip }, head: { ref: "pr", sha: head }, author: "alice", approvals: [], teams: "unverifiable", log: SILENT_LOG });
      expect(files.base.commit).toBe(fork);
      expect(review.base.commit).toBe(fork);
      expect(review.changes.map((c) => (c.head ?? c.base)!.source.file)).toEqual(["application/frontend.yaml"]);
      expect(review.findings.filter((f) => f.file === "security/allow-dns.yaml" || f.file === "tierguard.yaml" || f.code.startsWith("ownership/"))).toEqual([]);
      // The configuration is the base tip's: its impact levels, and no snapshot (the tip names none).
      expect(config.impact.newlyAllowed).toBe("notice");
      expect(config.flows).toEqual([]);
    } finally {
      r.cleanup();
    }
  });
});

describe("large blobs: read in GitHub's raw media type, streamed to the file under the size limit", () => {
  const sha = "a".repeat(40);
  test.each([8, 20])("a %i MB snapshot in the base revision", async (mb) => {
    const bytes = Buffer.alloc(mb * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32BE(i, i);
    nock("https://api.github.com").get(`/repos/acme/policies/git/blobs/${sha}`).matchHeader("accept", "application/vnd.github.raw").reply(200, bytes, { "content-type": "application/vnd.github.raw" });
    const dir = mkdtempSync(join(tmpdir(), "tg-blob-"));
    try {
      const file = await fetchSnapshot(api, ACME, [{ path: "flows/big.jsonl", sha, size: bytes.length }], "flows/big.jsonl", join(dir, "f"), DEFAULT_SNAPSHOT_LIMITS);
      expect(file.display).toBe("flows/big.jsonl (base revision)");
      expect(createHash("sha256").update(readFileSync(file.path)).digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a blob larger than its tree entry said stops at the limit", async () => {
    nock("https://api.github.com").get(`/repos/acme/policies/git/blobs/${sha}`).reply(200, Buffer.alloc(3 << 20), { "content-type": "application/vnd.github.raw" });
    const dir = mkdtempSync(join(tmpdir(), "tg-blob-"));
    try {
      await expect(fetchSnapshot(api, ACME, [{ path: "f", sha, size: 10 }], "f", join(dir, "f"), { maxBytes: 1 << 20, timeoutMs: 5000 })).rejects.toThrow(new SnapshotError(`it is larger than the limit of ${1 << 20} bytes`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a snapshot URL: its credentials are shown nowhere; one that cannot be fetched is a problem of the review", () => {
  const CREDENTIAL = "AKIAEXAMPLE7Q";
  const SIGNATURE = "5e1f0c0ffee0ddba11";
  const url = `https://snapshots.example.com/prod/flows.jsonl.gz?X-Amz-Credential=${CREDENTIAL}%2F20250601&X-Amz-Signature=${SIGNATURE}`;
  const shown = "https://snapshots.example.com/prod/flows.jsonl.gz (query omitted)";
  const r = branchingRepo();
  const fork = r.commit("snapshot from a pre-signed URL", (d) => edit(d, "tierguard.yaml", /^flows: .*$/m, `flows: "${url}"`));
  const head = r.commit("tighten frontend", (d) => edit(d, "application/frontend.yaml", "order: 100", "order: 101"));
  afterAll(() => r.cleanup());

  async function review(snapshot: (s: nock.Interceptor) => nock.Scope) {
    serveGitData(nock("https://api.github.com"), r, "acme", "policies", [fork, head]);
    snapshot(nock("https://snapshots.example.com").get("/prod/flows.jsonl.gz").query(true));
    let input: PipelineInput | undefined;
    const result = await reviewPullRequest({
      api,
      repo: ACME,
      base: { ref: "main", sha: fork },
      head: { ref: "pr", sha: head },
      author: "alice",
      approvals: [],
      teams: "unverifiable",
      log: SILENT_LOG,
      runPipeline: (i) => ((input = i), runReviewPipeline(i)),
    });
    const output = checkRunOutput(result.review);
    const written = [output.title, output.summary, output.text ?? "", ...output.annotations.map((a) => a.message), ...renderReviewCommentParts(result.review)].join("\n");
    return { result, input: input!, written };
  }

  test("fetched: the review shows scheme, host and path, never the query", async () => {
    const { result, written } = await review((s) => s.reply(200, readFileSync("policies-template/flows/snapshot.jsonl.gz")));
    expect(result.review.impact?.sources).toEqual([shown]);
    expect(written).toContain(shown);
    for (const secret of [CREDENTIAL, SIGNATURE, "X-Amz"]) expect(written).not.toContain(secret);
  }, 20_000);

  test.each([
    ["unreachable", (s: nock.Interceptor) => s.replyWithError({ code: "ECONNREFUSED", message: `connect ECONNREFUSED (${url})` }), "could not connect (ECONNREFUSED)"],
    ["404", (s: nock.Interceptor) => s.reply(404, "no such key"), "HTTP 404 Not Found"],
  ])("%s: an `unavailable` snapshot problem reaches the pipeline, no internal error, no credential", async (_what, snapshot, reason) => {
    const { input, written } = await review(snapshot);
    expect(input.snapshotProblems).toEqual([{ kind: "unavailable", source: shown, reason }]);
    expect(input.flows).toEqual([]);
    expect(written).not.toMatch(/internal error/i);
    for (const secret of [CREDENTIAL, SIGNATURE, "X-Amz"]) expect(written).not.toContain(secret);
  });
});
