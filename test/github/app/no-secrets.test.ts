import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import nock from "nock";
import { pino } from "pino";
import { startApp } from "../../../src/cli/app.js";
import type { CliIo } from "../../../src/cli/io.js";
import type { TierguardApp } from "../../../src/github/app/index.js";
import { API, INSTALLATION_ID, privateKey, pullRequestEvent } from "../../helpers/probot-app.js";

/**
 * No secret or token in any log line. `tierguard app` runs in this process with a known webhook secret and private
 * key, GitHub (mocked) hands out a known installation token and then fails every call with error messages that
 * quote the token, a JWT and the key back; deliveries come with bad signatures, and the environment is wrong in
 * every way a credential could be echoed. Every line Probot and tierguard log, at trace level, is captured.
 */
const SECRET = "whsec-KNOWN-7c1e9d0b";
const TOKEN = "ghs_KNOWNinstallationTOKEN0123456789ab";
const KEY = privateKey();
const KEY_BODY = KEY.split("\n")[1]; // a line of the key's base64: any piece of it would do
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjM0NSJ9.c2lnbmF0dXJlLW9mLXRoZS1hcHA";
const KNOWN = [SECRET, TOKEN, KEY_BODY, JWT, "BEGIN RSA PRIVATE KEY"];

const lines: string[] = [];
const stderr: string[] = [];
const io: CliIo = { stdout: () => {}, stderr: (t) => void stderr.push(t), stderrIsTTY: false, cwd: process.cwd(), now: () => 0 };
let base: string;
let app: TierguardApp;
let stop: () => Promise<void>;

function leaks(text: string): string[] {
  return KNOWN.filter((k) => text.includes(k));
}

beforeAll(async () => {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const log = pino({ level: "trace" }, { write: (s: string) => void lines.push(s) });
  const running = await startApp({ APP_ID: "12345", PRIVATE_KEY: KEY.replace(/\n/g, "\\n"), WEBHOOK_SECRET: SECRET, HOST: "127.0.0.1", PORT: String(port) }, io, { log });
  app = running.app!;
  base = `http://127.0.0.1:${port}`;
  stop = () => running.server.stop();
});

afterAll(async () => {
  await stop();
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});

const deliver = (body: string, signature: string, event = "pull_request") =>
  fetch(`${base}/api/github/webhooks`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": `delivery-${signature.slice(-6)}`, "x-hub-signature-256": signature }, body });
const sign = (body: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("no secret or token in a log line", () => {
  test("bad signatures: one warning line each, with the delivery id and the reason, no stack, no body", async () => {
    const before = lines.length;
    const body = JSON.stringify({ ...pullRequestEvent("opened", { head: "a".repeat(40), base: "b".repeat(40) }), leaked: KNOWN });
    for (const signature of [sign(body, "wrong-secret"), sign(`${body} `), "sha256=" + "0".repeat(64), "sha1=abc"]) expect((await deliver(body, signature)).status).toBe(400);
    const logged = lines.slice(before).map((l) => JSON.parse(l));
    expect(logged.map((l) => [l.level, l.msg, l.delivery, l.status, l.reason])).toEqual(
      [sign(body, "wrong-secret"), sign(`${body} `), "sha256=" + "0".repeat(64), "sha1=abc"].map((s) => [40, "webhook delivery refused", `delivery-${s.slice(-6)}`, 400, "signature does not match the body and the webhook secret"]),
    );
    expect(lines.slice(before).filter((l) => /\n\s+at |"stack"/.test(l))).toEqual([]);
    expect(leaks(lines.join(""))).toEqual([]);
  });

  test("failing GitHub calls whose answers quote the token, a JWT and the key: logged scrubbed", async () => {
    const echo = { message: `Bad credentials: token ${TOKEN} (Bearer ${JWT}) for key ${KEY}`, documentation_url: `https://docs.github.com/rest?access_token=${TOKEN}` };
    nock(API).post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, { token: TOKEN, expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" });
    const scope = nock(API).persist();
    for (const method of ["get", "post", "patch"] as const) scope[method](/.*/).reply(403, echo);
    const before = lines.length;
    const body = JSON.stringify(pullRequestEvent("opened", { head: "c".repeat(40), base: "d".repeat(40) }));
    expect((await deliver(body, sign(body))).status).toBe(200);
    await app.idle();
    nock.cleanAll();
    const logged = lines.slice(before);
    // The failure was logged, and the path it took was the one GitHub's errors take.
    expect(logged.some((l) => /"level":50/.test(l) && l.includes("403"))).toBe(true);
    expect(leaks(logged.join(""))).toEqual([]);
  });

  test("/readyz when GitHub refuses the App's JWT with an answer quoting it: neither the answer nor the log holds it", async () => {
    nock(API).get("/app").reply(401, { message: `Bad credentials: Bearer ${JWT}, token ${TOKEN}` });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(leaks(await res.text())).toEqual([]);
    expect(leaks(lines.join(""))).toEqual([]);
  });

  test.each([
    ["the token as APP_ID", { APP_ID: TOKEN, WEBHOOK_SECRET: SECRET, PRIVATE_KEY: KEY }],
    ["the webhook secret as PORT", { APP_ID: "1", WEBHOOK_SECRET: SECRET, PRIVATE_KEY: KEY, PORT: SECRET }],
    ["the key as GHE_HOST", { APP_ID: "1", WEBHOOK_SECRET: SECRET, PRIVATE_KEY: KEY, GHE_HOST: KEY }],
    ["a key that does not load", { APP_ID: "1", WEBHOOK_SECRET: SECRET, PRIVATE_KEY: `-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY}\n-----END RSA PRIVATE KEY-----` }],
    ["the secret as LOG_LEVEL", { APP_ID: "1", WEBHOOK_SECRET: SECRET, PRIVATE_KEY: KEY, LOG_LEVEL: SECRET }],
  ])("config error: %s is named, its value is not shown", async (_what, env) => {
    const error = await startApp(env as NodeJS.ProcessEnv, io).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(error).toMatch(/^cannot start the App:\n {2}- /);
    expect(leaks(`${error}${stderr.join("")}${lines.join("")}`)).toEqual([]);
  });
});
