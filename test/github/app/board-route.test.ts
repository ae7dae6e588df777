import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { startAppServer, type AppServer } from "../../../src/github/app/index.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, APP_ID, authMocks, fastOctokit, INSTALLATION_ID, privateKey, REPO_PATH, useStrictNock, type LogLine } from "../../helpers/probot-app.js";

/**
 * The policy board served by `tierguard app` (GET /board/<owner>/<repo>) over real HTTP on 127.0.0.1, GitHub mocked:
 * only for the repositories configured, only with the configured bearer token, read-only, built from the default
 * branch (policies, the snapshot tierguard.yaml names, the inventory) once per commit, and with no secret in the page:
 * not the App's installation token, not the board's token, not the signature of a pre-signed snapshot URL.
 */
useStrictNock({ allowLocalhost: true });
const TOKEN = "board-token-0123456789abcdef";
const SIGNATURE = "SIGSECRET0123456789";
const repo = templateRepo();
// The template's first 2,000 flow records: the same kind of traffic, replayed in a fraction of the time.
const main = repo.commit("main", (dir) => {
  const path = join(dir, "flows/snapshot.jsonl.gz");
  writeFileSync(path, gzipSync(gunzipSync(readFileSync(path)).toString("utf8").split("\n").slice(0, 2000).join("\n") + "\n"));
});
// The snapshot behind a pre-signed URL: its query must never reach the page.
const signed = repo.commit("snapshot from object storage", (d) => edit(d, "tierguard.yaml", "flows: flows/snapshot.jsonl.gz", `flows: "https://flows.example.com/snap.jsonl.gz?X-Amz-Signature=${SIGNATURE}"`));
const snapshotBytes = readFileSync(join(repo.dir, "flows", "snapshot.jsonl.gz"));

let server: AppServer;
let base: string;
const logs: LogLine[] = [];

beforeAll(async () => {
  const probot = new Probot({ appId: APP_ID, privateKey: privateKey(), secret: "s", Octokit: fastOctokit(), log: pino({ level: "debug" }, { write: (s: string) => void logs.push(JSON.parse(s)) }) });
  server = await startAppServer({ probot, secret: "s", host: "127.0.0.1", port: 0, log: probot.log.child({ name: "http" }), board: { repos: ["Acme/Policies"], token: TOKEN } });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.stop();
  repo.cleanup();
});

const get = (path: string, token: string | null = TOKEN, method = "GET") => fetch(`${base}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The repository's installation, its default branch at `sha`, and its git data. */
function github(sha: string, o: { token?: boolean } = {}): nock.Scope {
  const scope = nock(API);
  if (o.token !== false) authMocks(scope, { identity: false });
  scope.get(`${REPO_PATH}/installation`).reply(200, { id: INSTALLATION_ID });
  scope.get(REPO_PATH).reply(200, { default_branch: "main" });
  scope.get(`${REPO_PATH}/branches/main`).reply(200, { name: "main", commit: { sha } });
  return scope;
}

function model(html: string): any {
  return JSON.parse(/<script type="application\/json" id="board-data">(.*?)<\/script>/s.exec(html)![1]);
}

describe("GET /board/<owner>/<repo>", () => {
  test("the default branch's board, read-only headers, built once per commit", async () => {
    const requests: string[] = [];
    // Separate scopes: serveGitData persists its whole scope.
    github(main).on("request", (req: any) => requests.push(req.path));
    serveGitData(nock(API), repo, "acme", "policies", [main]).on("request", (req: any) => requests.push(req.path));
    const r = await get("/board/acme/policies");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(r.headers.get("cache-control")).toBe("private, no-store");
    const html = await r.text();
    const m = model(html);
    expect(m.title).toBe("tierguard policy board: acme/policies at main");
    expect(m.sources[0]).toBe(`acme/policies at main (${main.slice(0, 12)})`);
    expect(m.totals.records).toBe(2000);
    expect(m.policyCount).toBeGreaterThan(10);
    expect(html).not.toContain("ghs_installationtoken");
    expect(html).not.toContain(TOKEN);

    // The branch has not moved: the same page, and no tree or blob is read again.
    const again = github(main, { token: false });
    again.on("request", (req: any) => requests.push(req.path));
    const before = requests.filter((p) => p.includes("/git/")).length;
    const r2 = await get("/board/acme/policies");
    expect(await r2.text()).toBe(html);
    expect(requests.filter((p) => p.includes("/git/")).length).toBe(before);
  }, 20_000);

  test("a pre-signed snapshot URL is fetched, and only its scheme, host and path are shown", async () => {
    github(signed, { token: false });
    serveGitData(nock(API), repo, "acme", "policies", [signed]);
    nock("https://flows.example.com").get("/snap.jsonl.gz").query({ "X-Amz-Signature": SIGNATURE }).reply(200, snapshotBytes);
    const r = await get("/board/acme/policies");
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).not.toContain(SIGNATURE);
    expect(model(html).sources).toContain("flows: https://flows.example.com/snap.jsonl.gz (query omitted)");
    expect(model(html).totals.records).toBe(2000);
  }, 20_000);

  test.each([
    ["no token", "/board/acme/policies", null, "GET", 401],
    ["a wrong token", "/board/acme/policies", "x".repeat(TOKEN.length), "GET", 401],
    ["a repository not configured", "/board/acme/other", TOKEN, "GET", 404],
    ["a malformed path", "/board/acme", TOKEN, "GET", 404],
    ["a write", "/board/acme/policies", TOKEN, "POST", 405],
  ])("%s: %s answers without asking GitHub", async (_what, path, token, method, status) => {
    const r = await get(path, token, method);
    expect(r.status).toBe(status);
    if (status === 401) expect(r.headers.get("www-authenticate")).toBe('Bearer realm="tierguard board"');
    if (status === 405) expect(r.headers.get("allow")).toBe("GET, HEAD");
    expect(await r.text()).not.toContain("<html");
  });

  test("a repository the App is not installed on is 404", async () => {
    nock(API).get(`${REPO_PATH}/installation`).reply(404, { message: "Not Found" });
    const r = await get("/board/acme/policies");
    expect([r.status, await r.text()]).toEqual([404, "Not Found: the App is not installed on this repository\n"]);
  });
});
