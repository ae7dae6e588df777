import { afterAll, afterEach, beforeAll, describe, expect, test } from "@jest/globals";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import type { Log as SarifLog } from "sarif";
import { ACTIONS_BOT, EXIT, run } from "../../../src/github/action/run.js";
import { isTierguardComment } from "../../../src/report/review/index.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { capture, fakeRunner, NAME, OWNER, pullRequestPayload, TEAMS_TOKEN, TOKEN, type FakeRunner, type PullEvent } from "./helpers.js";

/**
 * The Action end to end in this process: run(env) with the environment a runner gives a step, the real
 * @octokit/rest client (retry and throttling plugins, throttling off) against nock, and the git data of a real
 * repository built from policies-template/. Strict: no network, every mock used, nothing else called.
 */
const API = "https://api.github.com";
const repo = templateRepo();
const restore = (d: string, file: string) => copyFileSync(join("policies-template", file), join(d, file));
const dropCurrency = (d: string) =>
  edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, "");

const base = repo.commit("base");
/** Breaks frontend → currencyservice:7000, in the application tier (alice owns it by name). */
const broken = repo.commit("drop the currency service", dropCurrency);
/** Touches the security tier only: owned by @acme/secops, which needs team memberships. */
const security = repo.commit("touch security", (d) => {
  restore(d, "application/frontend.yaml");
  edit(d, "security/allow-dns.yaml", "order: 30", "order: 31");
});
/** A base whose tierguard.yaml makes unverifiable teams a warning, and the same security change on top. */
const warnBase = repo.commit("unverifiable teams are warnings", (d) => {
  restore(d, "security/allow-dns.yaml");
  writeFileSync(join(d, "tierguard.yaml"), readFileSync(join(d, "tierguard.yaml"), "utf8") + "ownership:\n  unverifiableTeams: warning\n");
});
const warnHead = repo.commit("touch security again", (d) => edit(d, "security/allow-dns.yaml", "order: 30", "order: 31"));
/** tierguard.yaml kept at ci/tierguard.yaml (the config input), and the breaking change on top. */
const movedBase = repo.commit("config under ci/", (d) => {
  restore(d, "security/allow-dns.yaml");
  restore(d, "tierguard.yaml");
  mkdirSync(join(d, "ci"));
  renameSync(join(d, "tierguard.yaml"), join(d, "ci/tierguard.yaml"));
});
const movedHead = repo.commit("drop the currency service again", dropCurrency);

const runners: FakeRunner[] = [];

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  for (const r of runners.splice(0)) r.cleanup();
  expect(pending).toEqual([]);
});
afterAll(() => {
  repo.cleanup();
  nock.enableNetConnect();
  nock.restore();
});

interface Scenario {
  pull: Partial<PullEvent> & { base: string; head: string };
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
  eventName?: string;
  /** Puts files in the workspace before the run. */
  prepare?: (workspace: string) => void;
}

async function action(s: Scenario) {
  const runner = fakeRunner({ event: pullRequestPayload({ number: 7, author: "alice", ...s.pull }), eventName: s.eventName, inputs: s.inputs, env: s.env });
  runners.push(runner);
  s.prepare?.(runner.dir);
  const out = capture();
  const code = await run(runner.env, { stdout: out.write, throttle: false });
  return { code, runner, out, summary: runner.summary(), outputs: runner.outputs() };
}

/** The workflow token's scope: it must be the token every repository call carries. */
function github(commits: string[], origin = API) {
  const scope = nock(origin, { reqheaders: { authorization: `token ${TOKEN}` } });
  serveGitData(scope, repo, OWNER, NAME, commits);
  return scope.get(`/repos/${OWNER}/${NAME}/pulls/7/reviews`).query(true).reply(200, []);
}

/** Paths every interceptor of a scope answered, to assert what was NOT called. */
function requests(scope: nock.Scope): string[] {
  const seen: string[] = [];
  scope.on("request", (req: { method: string; path: string }) => seen.push(`${req.method} ${req.path}`));
  return seen;
}

describe("the Action on a pull request", () => {
  let firstBody = "";

  test("reviews through the API, reads teams with the teams token, writes the summary, outputs, SARIF and the comment", async () => {
    github([base, broken])
      .get("/user")
      .reply(403, { message: "Resource not accessible by integration" })
      .get(`/repos/${OWNER}/${NAME}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${OWNER}/${NAME}/issues/7/comments`, (body: { body: string }) => {
        firstBody = body.body;
        return true;
      })
      .reply(201, { id: 101, html_url: "https://github.com/acme/policies/pull/7#issuecomment-101", user: { login: ACTIONS_BOT } });
    const teams = nock(API, { reqheaders: { authorization: `token ${TEAMS_TOKEN}` } })
      .get(/^\/orgs\/acme\/teams\/(secops|platform|app-devs)\/memberships\/alice$/)
      .times(3)
      .reply((uri) => (uri.includes("/app-devs/") ? [200, { state: "active" }] : [404, { message: "Not Found" }]));

    const { code, summary, outputs, out, runner } = await action({
      pull: { base, head: broken },
      inputs: { "teams-token": TEAMS_TOKEN, comment: "true", "sarif-file": "reports/tierguard.sarif" },
    });

    expect(teams.isDone()).toBe(true);
    expect(code).toBe(EXIT.failed);
    // Two errors (the flow, and the template's policy test that expects it), one lint warning on what the pull
    // request touched (the template's two stale staged policies, untouched, are notices).
    expect(outputs).toEqual({ errors: "2", warnings: "1", notices: outputs.notices, findings: String(3 + Number(outputs.notices)), "newly-denied": "1", "newly-allowed": "0", verdict: "fail" });
    // The summary is the comment's report without its hidden marker.
    expect(summary).toMatch(/^### ❌ 2 errors, 1 warning · 1 flow newly denied, 0 newly allowed\n/);
    expect(summary).toContain("currencyservice");
    expect(summary).toContain(":7000/TCP");
    expect(summary).toContain(`https://github.com/${OWNER}/${NAME}/blob/${broken}/application/frontend.yaml#L`);
    expect(summary).not.toContain("<!-- tierguard:review -->");
    expect(summary).toContain("| Ownership | ✅ passed |");
    expect(summary).toContain('`test/failed` Policy test "frontend reaches the currency service" fails');
    // The comment: created, marker first, the same report.
    expect(isTierguardComment(firstBody)).toBe(true);
    expect(firstBody).toContain("1 flow newly denied");
    // SARIF 2.1.0 with the newly denied flow at the frontend policy.
    const sarif = JSON.parse(readFileSync(join(runner.dir, "reports/tierguard.sarif"), "utf8")) as SarifLog;
    expect([sarif.version, sarif.$schema, sarif.runs.length]).toEqual(["2.1.0", "https://json.schemastore.org/sarif-2.1.0.json", 1]);
    const driver = sarif.runs[0].tool.driver;
    expect(driver.name).toBe("tierguard");
    const denied = sarif.runs[0].results!.filter((r) => r.ruleId === "impact/newly-denied");
    expect(denied.map((r) => [r.level, r.locations![0].physicalLocation!.artifactLocation!.uri])).toEqual([["error", "application/frontend.yaml"]]);
    expect(driver.rules!.map((r) => r.id)).toContain("impact/newly-denied");
    expect(denied[0].ruleIndex).toBe(driver.rules!.findIndex((r) => r.id === "impact/newly-denied"));
    // The step's log: tokens masked, the failure as one error annotation.
    expect(out.commands("add-mask")).toEqual([TOKEN, TEAMS_TOKEN]);
    expect(out.commands("error")).toEqual(["tierguard: 2 errors, 1 warning (fail-on: error); the job summary says what to fix"]);
  });

  test("a second run with the same review leaves the comment alone", async () => {
    expect(firstBody).not.toBe("");
    nock(API, { reqheaders: { authorization: `token ${TEAMS_TOKEN}` } })
      .get(/^\/orgs\/acme\/teams\/(secops|platform|app-devs)\/memberships\/alice$/)
      .times(3)
      .reply((uri) => (uri.includes("/app-devs/") ? [200, { state: "active" }] : [404, { message: "Not Found" }]));
    github([base, broken])
      .get("/user")
      .reply(403, { message: "Resource not accessible by integration" })
      .get(`/repos/${OWNER}/${NAME}/issues/7/comments`)
      .query(true)
      .reply(200, [{ id: 101, body: firstBody, html_url: "https://github.com/acme/policies/pull/7#issuecomment-101", user: { login: ACTIONS_BOT, type: "Bot" } }]);
    const { code, out } = await action({ pull: { base, head: broken }, inputs: { comment: "true", "teams-token": TEAMS_TOKEN } });
    expect(code).toBe(EXIT.failed);
    expect(out.text()).toMatch(/comment as github-actions\[bot\] \(0 created, 0 updated, 1 unchanged, 0 deleted\)/);
  });

  test("a changed review updates our comment in place, never someone else's with the same marker", async () => {
    const old = "<!-- tierguard:review -->\n### ✅ an older review\n";
    const scope = github([base, broken])
      .get("/user")
      .reply(403, { message: "Resource not accessible by integration" })
      .get(`/repos/${OWNER}/${NAME}/issues/7/comments`)
      .query(true)
      .reply(200, [
        { id: 100, body: old, html_url: "u100", user: { login: "mallory", type: "User" } },
        { id: 101, body: old, html_url: "u101", user: { login: ACTIONS_BOT, type: "Bot" } },
      ])
      .patch(`/repos/${OWNER}/${NAME}/issues/comments/101`, (body: { body: string }) => isTierguardComment(body.body) && body.body.includes("1 flow newly denied"))
      .reply(200, { id: 101, html_url: "u101" });
    const seen = requests(scope);
    const { code } = await action({ pull: { base, head: broken }, inputs: { comment: "true" } });
    expect(code).toBe(EXIT.failed);
    expect(seen.filter((r) => /comments/.test(r) && !r.startsWith("GET"))).toEqual([`PATCH /repos/${OWNER}/${NAME}/issues/comments/101`]);
  });

  test("a token that cannot write comments is a warning in the summary, not a crash", async () => {
    github([base, broken])
      .get("/user")
      .reply(403, { message: "Resource not accessible by integration" })
      .get(`/repos/${OWNER}/${NAME}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${OWNER}/${NAME}/issues/7/comments`)
      .reply(403, { message: "Resource not accessible by integration" });
    const { code, summary, out, outputs } = await action({ pull: { base, head: broken }, inputs: { comment: "true", "fail-on": "never" } });
    expect(code).toBe(EXIT.ok);
    expect(outputs.errors).toBe("2");
    expect(summary).toContain("The token could not write the pull-request comment (HTTP 403): give the job `permissions: pull-requests: write`.");
    expect(out.commands("warning")).toContainEqual(expect.stringContaining("could not write the pull-request comment"));
  });

  test("a pull request from a fork gets the summary and SARIF, and no comment call at all", async () => {
    const scope = github([base, broken]);
    const seen = requests(scope);
    const { code, summary, out, runner } = await action({
      pull: { base, head: broken, headRepo: "mallory/policies" },
      inputs: { comment: "true", "sarif-file": "tierguard.sarif" },
    });
    expect(code).toBe(EXIT.failed);
    expect(seen.filter((r) => /comments|\/user/.test(r))).toEqual([]);
    expect(summary).toContain("> **tierguard Action:** The pull request comes from a fork: GitHub gives this pull_request run a read-only token");
    expect(summary).toContain("no pull-request comment was written");
    expect(summary).toContain("Secrets are not given to workflows run for pull requests from forks, so there is no teams-token");
    expect(summary).toContain("1 flow newly denied");
    expect(out.commands("notice")).toEqual([expect.stringContaining("The pull request comes from a fork")]);
    expect(existsSync(join(runner.dir, "tierguard.sarif"))).toBe(true);
  });
});

describe("ownership without a teams token, and fail-on", () => {
  // security tier: owned by @acme/secops; without a teams token the Action cannot know whether alice is in it.
  // The template's one lint warning on what the pull request touched is in every row (its stale staged policies are notices).
  const rows: Array<{ name: string; base: string; head: string; failOn: string; code: number; errors: string; warnings: string }> = [
    { name: "unverifiable teams are errors by default; fail-on error fails", base, head: security, failOn: "error", code: EXIT.failed, errors: "1", warnings: "1" },
    { name: "fail-on never passes over the same error", base, head: security, failOn: "never", code: EXIT.ok, errors: "1", warnings: "1" },
    { name: "ownership.unverifiableTeams: warning; fail-on error passes", base: warnBase, head: warnHead, failOn: "error", code: EXIT.ok, errors: "0", warnings: "2" },
    { name: "ownership.unverifiableTeams: warning; fail-on warning fails", base: warnBase, head: warnHead, failOn: "warning", code: EXIT.failed, errors: "0", warnings: "2" },
  ];
  test.each(rows)("$name", async (row) => {
    github([row.base, row.head]);
    const { code, outputs, summary, out } = await action({ pull: { base: row.base, head: row.head }, inputs: { "fail-on": row.failOn, "sarif-file": "t.sarif" } });
    expect(code).toBe(row.code);
    expect([outputs.errors, outputs.warnings, outputs["newly-denied"], outputs["newly-allowed"]]).toEqual([row.errors, row.warnings, "0", "0"]);
    expect(summary).toContain("could not check whether the author belongs to those teams");
    expect(summary).toContain("Team memberships could not be read (the token has no access to organization teams; give the Action a teams-token)");
    expect(out.commands("error").length).toBe(row.code === EXIT.failed ? 1 : 0);
    const sarif = JSON.parse(readFileSync(join(fakeDir(), "t.sarif"), "utf8")) as SarifLog;
    expect(sarif.runs[0].results!.filter((r) => r.ruleId === "ownership/teams-unverifiable").map((r) => r.level)).toEqual([row.errors === "1" ? "error" : "warning"]);
  });
});

describe("acknowledging newly denied flows", () => {
  test("ack-impact: true turns the newly denied flows into a notice naming the workflow's actor (the step still fails on the policy test)", async () => {
    github([base, broken]);
    const { code, outputs, summary } = await action({ pull: { base, head: broken }, inputs: { "ack-impact": "true", "fail-on": "error" }, env: { GITHUB_ACTOR: "carol" } });
    expect(outputs["newly-denied"]).toBe("1");
    expect(summary).toContain("Acknowledged by @");
    expect(summary).toMatch(/carol/);
    // The template's own policy test still fails on the broken edge: the step fails on that, not on the impact.
    expect(code).toBe(EXIT.failed);
    expect(summary).toContain("test/failed");
    expect(summary).not.toMatch(/❌[^\n]*impact\/newly-denied/);
  });

  test("ack-impact must be true or false", async () => {
    const { code, out } = await action({ pull: { base, head: broken }, inputs: { "ack-impact": "yes" } });
    expect(code).toBe(2);
    expect(out.commands("error").join("\n")).toContain('ack-impact is "yes"; use true or false');
  });
});

/** The workspace of the run just made. */
function fakeDir(): string {
  return runners[runners.length - 1].dir;
}

describe("inputs that change where things come from", () => {
  test("config at another path (read from the base), flows from the workspace, an enterprise API URL", async () => {
    const enterprise = "https://api.octocorp.ghe.com";
    github([movedBase, movedHead], enterprise);
    const { code, outputs, summary } = await action({
      pull: { base: movedBase, head: movedHead },
      prepare: (dir) => cpSync("policies-template/flows/snapshot.jsonl.gz", join(dir, "local/snapshot.jsonl.gz")),
      inputs: { config: "ci/tierguard.yaml", flows: "local/snapshot.jsonl.gz", "sarif-file": "out.sarif" },
      env: { GITHUB_API_URL: enterprise, GITHUB_SERVER_URL: "https://octocorp.ghe.com" },
    });
    expect(code).toBe(EXIT.failed);
    expect(outputs["newly-denied"]).toBe("1");
    expect(summary).toContain("tierguard.yaml from the base revision");
    expect(summary).toContain("from local/snapshot.jsonl.gz (workspace): 1 newly denied");
    expect(summary).toContain("> **tierguard Action:** The flows replayed (local/snapshot.jsonl.gz) were read from the workflow's checkout, not from the base revision");
    expect(summary).toContain(`https://octocorp.ghe.com/${OWNER}/${NAME}/blob/`);
    const sarif = JSON.parse(readFileSync(join(fakeDir(), "out.sarif"), "utf8")) as SarifLog;
    expect(sarif.runs[0].results!.map((r) => r.locations![0].physicalLocation!.artifactLocation!.uri)).not.toContain("ci/tierguard.yaml");
  });

  test("base and head given as inputs on an event that is not a pull request", async () => {
    nock(API, { reqheaders: { authorization: `token ${TOKEN}` } })
      .get(`/repos/${OWNER}/${NAME}/commits/main`)
      .reply(200, { sha: base });
    serveGitData(nock(API), repo, OWNER, NAME, [base, security]);
    const runner = fakeRunner({ event: { repository: { full_name: `${OWNER}/${NAME}` }, sender: { login: "alice" } }, eventName: "workflow_dispatch", inputs: { base: "main", head: security, comment: "true" } });
    runners.push(runner);
    const out = capture();
    const code = await run(runner.env, { stdout: out.write, throttle: false });
    expect(code).toBe(EXIT.failed);
    expect(runner.outputs().errors).toBe("1");
    expect(runner.summary()).toContain("The event is not about a pull request, so no comment was written.");
    expect(out.text()).toContain(`reviewing ${OWNER}/${NAME}: main (${base.slice(0, 7)}) → ${security} (${security.slice(0, 7)})`);
  });
});

describe("a misconfigured workflow fails with one clear message and no stack trace", () => {
  const pr = pullRequestPayload({ number: 7, author: "alice", base, head: broken });
  const rows: Array<{ name: string; event?: Record<string, any>; eventName?: string; inputs?: Record<string, string>; env?: Record<string, string | undefined>; messages: string[] }> = [
    { name: "unknown fail-on", event: pr, inputs: { "fail-on": "sometimes" }, messages: ['tierguard: fail-on is "sometimes"; use one of error, warning, never'] },
    {
      name: "every input problem at once",
      event: pr,
      inputs: { "fail-on": "always", comment: "yes", "github-token": "" },
      messages: [
        'tierguard: fail-on is "always"; use one of error, warning, never',
        'tierguard: comment is "yes"; use true or false',
        "tierguard: github-token is empty; pass ${{ github.token }} (the default) or a token that can read the repository",
      ],
    },
    { name: "no GITHUB_EVENT_PATH", event: pr, env: { GITHUB_EVENT_PATH: undefined }, messages: ["tierguard: GITHUB_EVENT_PATH is not set: tierguard's Action runs as a step of a GitHub Actions workflow, which sets it"] },
    { name: "an event file that is not there", messages: [expect.stringMatching(/^tierguard: the event payload at GITHUB_EVENT_PATH \(.*event\.json\) could not be read: ENOENT/)] as unknown as string[] },
    { name: "a push without base and head", event: { repository: { full_name: "acme/policies" } }, eventName: "push", messages: ["tierguard: the push event is not about a pull request: run on pull_request (or pull_request_target), or give the base and head inputs"] },
    { name: "a flows file that is not in the workspace", event: pr, inputs: { flows: "flows/missing.jsonl" }, messages: [expect.stringMatching(/^tierguard: flows: flows\/missing\.jsonl is not in the workspace \(.*\); check the repository out first/)] as unknown as string[] },
    { name: "a config path outside the repository", event: pr, inputs: { config: "../tierguard.yaml" }, messages: ['tierguard: config is "../tierguard.yaml"; give a path inside the repository, relative to its root'] },
    { name: "a malformed GITHUB_REPOSITORY", event: pr, env: { GITHUB_REPOSITORY: "policies" }, messages: ['tierguard: GITHUB_REPOSITORY is "policies"; expected owner/name'] },
  ];
  test.each(rows)("$name", async (row) => {
    const runner = fakeRunner({ event: row.event, eventName: row.eventName, inputs: row.inputs, env: row.env });
    runners.push(runner);
    const out = capture();
    const code = await run(runner.env, { stdout: out.write, throttle: false });
    expect(code).toBe(EXIT.usage);
    expect(out.commands("error")).toEqual(row.messages);
    expect(out.text()).not.toMatch(/\n\s+at /);
    expect(runner.summary()).toBe("");
    expect(runner.outputs()).toEqual({});
  });

  test("GitHub refusing the repository (GitHub Enterprise Server URL) names the request", async () => {
    const ghes = nock("https://ghe.example.com");
    ghes.get(`/api/v3/repos/${OWNER}/${NAME}/compare/${base}...${broken}`).query(true).reply(404, { message: "Not Found" });
    for (const sha of [base, broken]) ghes.get(`/api/v3/repos/${OWNER}/${NAME}/git/commits/${sha}`).reply(404, { message: "Not Found" });
    const runner = fakeRunner({ event: pr, env: { GITHUB_API_URL: "https://ghe.example.com/api/v3/" } });
    runners.push(runner);
    const out = capture();
    const code = await run(runner.env, { stdout: out.write, throttle: false });
    expect(code).toBe(EXIT.failed);
    expect(out.commands("error")).toEqual([expect.stringMatching(new RegExp(`^tierguard: GitHub answered HTTP 404 to GET https://ghe\\.example\\.com/api/v3/repos/${OWNER}/${NAME}/git/commits/[0-9a-f]{40}: Not Found`))]);
    expect(out.text()).not.toMatch(/\n\s+at /);
  });
});
