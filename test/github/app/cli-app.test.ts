import { afterAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkAppEnv, startApp } from "../../../src/cli/app.js";
import type { AppServerOptions } from "../../../src/github/app/index.js";
import type { CliIo } from "../../../src/cli/io.js";
import { expectNoStackTrace, run } from "../../cli/helpers.js";
import { privateKey } from "../../helpers/probot-app.js";

/** `tierguard app`: Probot's environment variables checked before anything starts, then Probot's server. */
const dir = mkdtempSync(join(tmpdir(), "tg-app-"));
const keyFile = join(dir, "app.pem");
writeFileSync(keyFile, privateKey());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = (): CliIo & { err: string[] } => {
  const err: string[] = [];
  return { err, stdout: () => {}, stderr: (t) => void err.push(t), stderrIsTTY: false, cwd: dir, now: () => 0 };
};

const GOOD = { APP_ID: "12345", PRIVATE_KEY_PATH: "app.pem", WEBHOOK_SECRET: "s3cret" };

describe("the App's environment", () => {
  test.each([
    [{}, ["APP_ID is not set: give the App's numeric id (on the App's settings page)", "neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set: give the App's private key (generated on the App's settings page)", "WEBHOOK_SECRET is not set: give the webhook secret the App was registered with (deliveries are verified with it)"]],
    [{ ...GOOD, APP_ID: "my-app" }, ['APP_ID must be the App\'s numeric id, not "my-app"']],
    [{ ...GOOD, PRIVATE_KEY_PATH: "missing.pem" }, ["PRIVATE_KEY_PATH: no file missing.pem"]],
    [{ APP_ID: "1", WEBHOOK_SECRET: "x", PRIVATE_KEY: "not a key" }, ["PRIVATE_KEY is not a PEM private key (nor base64 of one): paste the whole .pem file, or use PRIVATE_KEY_PATH"]],
    [{ ...GOOD, PORT: "http" }, ['PORT must be 1-65535, not "http"']],
    [{ ...GOOD, LOG_LEVEL: "verbose" }, ['LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not "verbose"']],
    [{ ...GOOD, GHE_HOST: "https://github.example.com" }, ['GHE_HOST must be a host name such as github.example.com (no scheme, no path), not "https://github.example.com"']],
    [{ ...GOOD, GHE_HOST: "github.example.com", GHE_PROTOCOL: "ftp" }, ['GHE_PROTOCOL must be https or http, not "ftp"']],
    [{ ...GOOD, TIERGUARD_CONCURRENCY: "0" }, ['TIERGUARD_CONCURRENCY must be a positive integer, not "0"']],
    [{ ...GOOD, TIERGUARD_REQUEST_TIMEOUT_MS: "30s" }, ['TIERGUARD_REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds, not "30s"']],
    [{ ...GOOD, TIERGUARD_REVIEW_DEADLINE_MS: "0" }, ['TIERGUARD_REVIEW_DEADLINE_MS must be a positive whole number of milliseconds, not "0"']],
    [{ ...GOOD, TIERGUARD_BOARD_REPOS: "acme/policies, https://github.com/acme/x" }, ['TIERGUARD_BOARD_REPOS must be owner/repo names separated by commas, not "https://github.com/acme/x"']],
    [{ ...GOOD, TIERGUARD_BOARD_REPOS: "acme/policies", TIERGUARD_BOARD_TOKEN: "short" }, ["TIERGUARD_BOARD_TOKEN must be at least 16 characters (it guards the board)"]],
    [{ ...GOOD, TIERGUARD_BOARD_TOKEN: "0123456789abcdef0" }, ["TIERGUARD_BOARD_TOKEN is set but TIERGUARD_BOARD_REPOS is not: name the repositories whose board is served"]],
  ])("%j", (env, problems) => {
    expect(checkAppEnv(env as NodeJS.ProcessEnv, dir).problems).toEqual(problems);
  });

  test("good settings, the key given inline, as \\n-escaped text or as base64", () => {
    const pem = privateKey();
    for (const PRIVATE_KEY of [pem, pem.replace(/\n/g, "\\n"), Buffer.from(pem).toString("base64")]) {
      expect(checkAppEnv({ APP_ID: "1", WEBHOOK_SECRET: "x", PRIVATE_KEY, GHE_HOST: "github.example.com", GHE_PROTOCOL: "https", PORT: "8080", LOG_LEVEL: "debug" }, dir)).toEqual({ problems: [], settings: { concurrency: 2 } });
    }
  });

  test("the request timeout and the review deadline, when set", () => {
    expect(checkAppEnv({ ...GOOD, TIERGUARD_REQUEST_TIMEOUT_MS: "5000", TIERGUARD_REVIEW_DEADLINE_MS: "120000" }, dir)).toEqual({ problems: [], settings: { concurrency: 2, requestTimeoutMs: 5000, reviewDeadlineMs: 120000 } });
  });

  test("the board route, when configured: the repositories and the token", () => {
    expect(checkAppEnv({ ...GOOD, TIERGUARD_BOARD_REPOS: "acme/policies,acme/other", TIERGUARD_BOARD_TOKEN: "0123456789abcdef0" }, dir)).toEqual({ problems: [], settings: { concurrency: 2, board: { repos: ["acme/policies", "acme/other"], token: "0123456789abcdef0" } } });
  });

  test("tierguard app without its variables in production: exit 1, every problem in a line, no setup page, no stack trace", async () => {
    const saved = { ...process.env };
    process.env.NODE_ENV = "production";
    for (const k of ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "PORT", "LOG_LEVEL", "GHE_HOST", "GHE_PROTOCOL", "TIERGUARD_CONCURRENCY", "TIERGUARD_REQUEST_TIMEOUT_MS", "TIERGUARD_REVIEW_DEADLINE_MS"]) delete process.env[k];
    try {
      const r = await run(["app"], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.split("\n")).toEqual([
        "tierguard: cannot start the App:",
        "  - APP_ID is not set: give the App's numeric id (on the App's settings page)",
        "  - neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set: give the App's private key (generated on the App's settings page)",
        "  - WEBHOOK_SECRET is not set: give the webhook secret the App was registered with (deliveries are verified with it)",
        "(run tierguard app --help for the variables; NODE_ENV=production serves no setup page: register the App first, see deploy/README.md)",
        "",
      ]);
      expectNoStackTrace(r);
    } finally {
      process.env = saved;
    }
  });

  test("tierguard app --help lists the variables", async () => {
    const r = await run(["app", "--help"]);
    expect(r.code).toBe(0);
    for (const v of ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "PORT", "HOST", "LOG_LEVEL", "GHE_HOST", "GHE_PROTOCOL", "GET /ping"]) expect(r.stdout).toContain(v);
  });
});

describe("the server", () => {
  test("tierguard's server starts with tierguard's App and Octokit, answers its health route, and stops", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const { app, server } = await startApp({ ...GOOD, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "silent" }, io());
    try {
      const res = await fetch(`http://127.0.0.1:${port}/ping`);
      expect([res.status, await res.text()]).toEqual([200, "PONG"]);
      expect((await fetch(`http://127.0.0.1:${port}/probot`)).status).toBe(404); // not Probot's setup mode
      const hook = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "1", "x-hub-signature-256": "sha256=00" }, body: "{}" });
      expect(hook.status).toBe(400);
      await app!.idle();
    } finally {
      await server.stop();
    }
  });

  test("the environment reaches tierguard's server and Probot, with tierguard's Octokit", async () => {
    const calls: AppServerOptions[] = [];
    const serve = async (options: AppServerOptions) => {
      calls.push(options);
      return { port: 1, stop: async () => {} };
    };
    const env: NodeJS.ProcessEnv = { ...GOOD, GHE_HOST: "github.example.com", TIERGUARD_CONCURRENCY: "4", HOST: "0.0.0.0", PORT: "8080", WEBHOOK_PATH: "/hooks", LOG_LEVEL: "silent" };
    await startApp(env, io(), { serve });
    expect(calls.map((c) => [c.secret, c.host, c.port, c.webhookPath])).toEqual([["s3cret", "0.0.0.0", 8080, "/hooks"]]);
    const octokit = (await calls[0].probot.auth()) as unknown as { request: { endpoint: { DEFAULTS: { baseUrl: string } } } };
    expect(octokit.request.endpoint.DEFAULTS.baseUrl).toBe("https://github.example.com/api/v3");
    await expect(startApp({ APP_ID: "12345" }, io(), { serve })).rejects.toThrow(/^cannot start the App:/); // half-configured: no setup page
  });
});
