import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { pino } from "pino";
import { checkAppEnv, startApp, withDotEnv } from "../../../src/cli/app.js";
import type { CliIo } from "../../../src/cli/io.js";
import nock from "nock";
import { manifestConversion, startSetupServer, type AppCredentials } from "../../../src/github/app/index.js";
import { privateKey } from "../../helpers/probot-app.js";

/**
 * `tierguard app` with no credentials at all serves the setup page: the App is registered from app.yml through
 * GitHub's manifest flow (as Probot's setup mode does), and its credentials land in .env, which the next start reads.
 */
const dir = mkdtempSync(join(tmpdir(), "tg-setup-"));
const dirs = [dir];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const io: CliIo = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, cwd: dir, now: () => 0 };
const lines: string[] = [];
const converted: string[] = [];
const CREDENTIALS: AppCredentials = { id: 424242, slug: "tierguard-acme", html_url: "https://github.com/apps/tierguard-acme", pem: privateKey(), webhook_secret: "0123456789abcdef-setup-secret", client_id: "Iv1.abc", client_secret: "client-secret-value" };

let base: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const log = pino({ level: "trace" }, { write: (s: string) => void lines.push(s) });
  const convert = async (code: string) => (converted.push(code), CREDENTIALS);
  const { app, server } = await startApp({ HOST: "127.0.0.1", PORT: String(port), NODE_ENV: "test" }, io, { log, convert });
  expect(app).toBeUndefined();
  base = `http://127.0.0.1:${port}`;
  stop = () => server.stop();
});
afterAll(() => stop());

/** The form's target and the manifest it posts, read back out of the page. */
function form(html: string): { action: string; manifest: Record<string, unknown> } {
  const unescape = (s: string) => s.replace(/&#(\d+);/g, (_m, n) => String.fromCharCode(Number(n)));
  const action = /<form action="([^"]*)" method="post">/.exec(html)![1];
  const value = /<input type="hidden" name="manifest" value="([^"]*)">/.exec(html)![1];
  return { action: unescape(action), manifest: JSON.parse(unescape(value)) };
}

describe("setup mode", () => {
  test("GET / answers the setup page with app.yml's manifest, pointed at this server", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const { action, manifest } = form(await res.text());
    expect(action).toMatch(/^https:\/\/github\.com\/settings\/apps\/new\?state=[0-9a-f]{32}$/);
    const appYml = parse(readFileSync("app.yml", "utf8"));
    expect(manifest).toEqual({ ...appYml, hook_attributes: { ...appYml.hook_attributes, url: `${base}/api/github/webhooks` }, redirect_url: `${base}/probot/setup` });
    expect(manifest.default_events).toEqual(appYml.default_events);
    expect(manifest.default_permissions).toEqual(appYml.default_permissions);
  });

  test("behind a proxy, the addresses are the proxy's (X-Forwarded-Proto and -Host)", async () => {
    const res = await fetch(`${base}/probot`, { headers: { "x-forwarded-proto": "https", "x-forwarded-host": "tierguard.example.com" } });
    const { manifest } = form(await res.text());
    expect([(manifest.hook_attributes as { url: string }).url, manifest.redirect_url]).toEqual(["https://tierguard.example.com/api/github/webhooks", "https://tierguard.example.com/probot/setup"]);
  });

  test("a hostile forwarded host is escaped into the page, never markup", async () => {
    const res = await fetch(`${base}/`, { headers: { "x-forwarded-host": `"><script>alert(1)</script>` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("<script>");
    expect((form(html).manifest.hook_attributes as { url: string }).url).toBe(`http://"><script>alert(1)</script>/api/github/webhooks`);
  });

  test.each([
    ["no code", "/probot/setup", 400],
    ["a code without this server's state", "/probot/setup?code=abc&state=0000", 400],
    ["a code that is not a code", "/probot/setup?code=%3Cscript%3E&state=x", 400],
    ["a POST", "/", 404],
    ["an unknown route", "/probot/import", 404],
  ])("%s: refused, nothing converted, the server goes on", async (_what, path, status) => {
    const res = await fetch(`${base}${path}`, { method: path === "/" ? "POST" : "GET", redirect: "manual" });
    expect(res.status).toBe(status);
    expect(converted).toEqual([]);
    expect((await fetch(`${base}/ping`)).status).toBe(200);
  });

  test("not ready until registered; alive", async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, checks: [{ name: "setup", ok: false, message: "the App is not registered yet: open the setup page (GET /) to register it" }] });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  test("GitHub's redirect with this server's state: credentials to .env (owner only), on to the installation; the next start reads them", async () => {
    const { action } = form(await (await fetch(`${base}/`)).text());
    const state = new URL(action).searchParams.get("state");
    const res = await fetch(`${base}/probot/setup?code=a1b2c3&state=${state}`, { redirect: "manual" });
    expect([res.status, res.headers.get("location")]).toEqual([302, "https://github.com/apps/tierguard-acme/installations/new"]);
    expect(converted).toEqual(["a1b2c3"]);
    const file = join(dir, ".env");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const env = withDotEnv({ HOST: "127.0.0.1" }, dir);
    expect([env.APP_ID, env.WEBHOOK_SECRET, env.GITHUB_CLIENT_ID, env.HOST]).toEqual(["424242", CREDENTIALS.webhook_secret, "Iv1.abc", "127.0.0.1"]);
    expect(checkAppEnv(env, dir)).toEqual({ problems: [], settings: { concurrency: 2 } });
    // The environment wins over .env.
    expect(withDotEnv({ APP_ID: "7" }, dir).APP_ID).toBe("7");
    // Registered once: a second redirect changes nothing.
    expect((await fetch(`${base}/probot/setup?code=zzz&state=${state}`, { redirect: "manual" })).status).toBe(409);
    expect(converted).toEqual(["a1b2c3"]);
    // Nothing secret in the log.
    const log = lines.join("");
    for (const secret of [CREDENTIALS.webhook_secret, CREDENTIALS.client_secret!, "BEGIN RSA PRIVATE KEY"]) expect(log).not.toContain(secret);
    expect(log).toContain("setup: the App is registered");
  });
});

test("production with no credentials: no setup page, one clear error", async () => {
  await expect(startApp({ NODE_ENV: "production" }, io)).rejects.toThrow(/NODE_ENV=production serves no setup page: register the App first, see deploy\/README\.md\)$/);
});

describe("the conversion", () => {
  test("GitHub refusing the code: 502 with GitHub's reason, nothing written, and the same state may try again", async () => {
    const dir2 = mkdtempSync(join(tmpdir(), "tg-setup-"));
    dirs.push(dir2);
    let tries = 0;
    const log = pino({ level: "silent" });
    const server = await startSetupServer({
      manifest: { name: "tierguard" },
      webhookPath: "/api/github/webhooks",
      githubUrl: "https://github.com",
      envFile: join(dir2, ".env"),
      convert: async () => (++tries === 1 ? Promise.reject(Object.assign(new Error("GitHub answered HTTP 404 to the manifest conversion: Not Found"), { status: 404 })) : CREDENTIALS),
      log,
      state: "f".repeat(32),
      host: "127.0.0.1",
      port: 0,
    });
    try {
      const url = `http://127.0.0.1:${server.port}/probot/setup?code=c0de&state=${"f".repeat(32)}`;
      const failed = await fetch(url, { redirect: "manual" });
      expect(failed.status).toBe(502);
      expect(await failed.text()).toContain("GitHub answered HTTP 404 to the manifest conversion: Not Found");
      expect(existsSync(join(dir2, ".env"))).toBe(false);
      expect((await fetch(url, { redirect: "manual" })).status).toBe(302);
    } finally {
      await server.stop();
    }
  });

  test("manifestConversion: POST /app-manifests/{code}/conversions, GitHub's error named", async () => {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
    try {
      nock("https://ghe.example.com").post("/api/v3/app-manifests/good/conversions").reply(201, CREDENTIALS).post("/api/v3/app-manifests/stale/conversions").reply(404, { message: "Not Found" });
      const convert = manifestConversion("https://ghe.example.com/api/v3");
      await expect(convert("good")).resolves.toEqual(CREDENTIALS);
      await expect(convert("stale")).rejects.toThrow("GitHub answered HTTP 404 to the manifest conversion: Not Found");
      expect(nock.pendingMocks()).toEqual([]);
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
      nock.restore();
    }
  });
});
