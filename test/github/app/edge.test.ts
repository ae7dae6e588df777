import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createHmac } from "node:crypto";
import { request } from "node:http";
import { Readable } from "node:stream";
import { pino } from "pino";
import { Probot } from "probot";
import { startAppServer, tierguardApp, MAX_WEBHOOK_BYTES, type AppServer, type TierguardApp } from "../../../src/github/app/index.js";
import { APP_ID, FIXED_CLOCK, fastOctokit, nockActive, privateKey } from "../../helpers/probot-app.js";

/**
 * The webhook route as anyone on the network meets it: tierguard's server on 127.0.0.1 with the real Probot and
 * App behind it. Nothing unsigned is kept whole, parsed or logged; a body past GitHub's 25 MB cap is refused with
 * 413 while it streams in.
 */
const SECRET = "edge-secret";
const MARKER = "BODY-MARKER-7f3a"; // in every body sent: it must never reach the log
const raw: string[] = [];
let server: AppServer;
let app: TierguardApp;
let received: string[] = [];

beforeAll(async () => {
  const log = pino({ level: "debug" }, { write: (s: string) => void raw.push(s) });
  const probot = new Probot({ appId: APP_ID, privateKey: privateKey(), secret: SECRET, Octokit: fastOctokit(), log });
  app = tierguardApp({ clock: FIXED_CLOCK });
  await probot.load(app);
  await probot.ready();
  probot.webhooks.onAny((e) => void received.push(e.id));
  server = await startAppServer({ probot, secret: SECRET, host: "127.0.0.1", port: 0, log: probot.log.child({ name: "http" }) });
});

afterAll(() => server.stop());

const sign = (body: Buffer | string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

interface Answer {
  status: number;
  body: string;
  /** Bytes the client had sent when the answer's headers arrived. */
  sentWhenAnswered: number;
}

/** POSTs `body` (a Buffer, or a Readable streamed chunk by chunk) with `headers`; resolves on the answer. */
function post(headers: Record<string, string>, body: Buffer | (() => Readable), counter = { sent: 0 }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, method: "POST", path: "/api/github/webhooks", headers: { "content-type": "application/json", ...headers } }, (res) => {
      const sentWhenAnswered = counter.sent;
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: text, sentWhenAnswered }));
      res.on("close", () => resolve({ status: res.statusCode!, body: text, sentWhenAnswered }));
    });
    req.on("error", (e) => (counter.sent > 0 ? undefined : reject(e))); // the server cuts a body it refused
    if (Buffer.isBuffer(body)) req.end(body);
    else body().pipe(req);
  });
}

/** `total` bytes of JSON-looking text, made as they are read (the test never holds them all). */
function endless(total: number, counter: { sent: number }): () => Readable {
  const chunk = Buffer.from(`{"pad":"${MARKER}${"x".repeat(65_536 - MARKER.length - 12)}"}\n`);
  return () =>
    new Readable({
      read() {
        if (counter.sent >= total) return void this.push(null);
        counter.sent += chunk.length;
        this.push(chunk);
      },
    });
}

const headers = (extra: Record<string, string> = {}) => ({ "x-github-event": "pull_request", "x-github-delivery": `d-${Math.random()}`, ...extra });

function logText(): string {
  return raw.join("");
}

describe("the webhook route", () => {
  test("an unsigned body past 25 MB, streamed: 413 before the body has been sent, nothing held whole, parsed or logged", async () => {
    // nock, left active, would buffer the streamed body whole in this process (and fail the memory bound below).
    expect(nockActive()).toBe(false);
    const counter = { sent: 0 };
    const total = 100 * 1024 * 1024;
    const rssBefore = process.memoryUsage().rss;
    const answer = await post(headers({ "x-hub-signature-256": "sha256=" + "0".repeat(64) }), endless(total, counter), counter);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: `the body is larger than the limit of ${MAX_WEBHOOK_BYTES} bytes` });
    // Refused while streaming: the answer came before a third of the body had been sent, and the server read no more than the limit and its drain.
    expect(answer.sentWhenAnswered).toBeLessThan(total / 3);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(total / 2);
    expect(received).toEqual([]);
    expect(logText()).not.toContain(MARKER);
  }, 20_000);

  test("a Content-Length past 25 MB: 413 at once, the body is not read", async () => {
    const counter = { sent: 0 };
    const answer = await post(headers({ "x-hub-signature-256": "sha256=" + "0".repeat(64), "content-length": String(MAX_WEBHOOK_BYTES + 1) }), endless(MAX_WEBHOOK_BYTES + 1, counter), counter);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: `the body is ${MAX_WEBHOOK_BYTES + 1} bytes; the limit is ${MAX_WEBHOOK_BYTES}` });
    expect(received).toEqual([]);
  });

  test.each([
    ["a wrong signature", (body: Buffer) => headers({ "x-hub-signature-256": sign(Buffer.concat([body, Buffer.from(" ")])) }), `{"action":"opened","x":"${MARKER}"}`, 400, "signature does not match the body and the webhook secret"],
    ["a wrong signature on a body that is not JSON (checked before parsing)", () => headers({ "x-hub-signature-256": sign("{}") }), `{"x":"${MARKER}"`, 400, "signature does not match the body and the webhook secret"],
    ["no signature", () => headers(), `{"x":"${MARKER}"}`, 400, "required headers missing: x-hub-signature-256"],
    ["a null body, signed", (body: Buffer) => headers({ "x-hub-signature-256": sign(body) }), "null", 400, "the body is not a JSON object"],
    ["a body that is not JSON, signed", (body: Buffer) => headers({ "x-hub-signature-256": sign(body) }), `{"x":"${MARKER}"`, 400, "the body is not JSON"],
    ["no X-GitHub-Event", (body: Buffer) => ({ "x-github-delivery": "d-1", "x-hub-signature-256": sign(body) }), `{"x":"${MARKER}"}`, 400, "required headers missing: x-github-event"],
    ["no X-GitHub-Delivery", (body: Buffer) => ({ "x-github-event": "ping", "x-hub-signature-256": sign(body) }), `{"x":"${MARKER}"}`, 400, "required headers missing: x-github-delivery"],
  ])("%s: refused, never handed to Probot, never logged", async (_what, make, text, status, error) => {
    received = [];
    const before = raw.length;
    const body = Buffer.from(text);
    const answer = await post(make(body), body);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([status, { error }]);
    expect(received).toEqual([]);
    const lines = raw.slice(before).map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.msg, l.status, l.reason])).toEqual([["webhook delivery refused", status, error]]);
    expect(logText()).not.toContain(MARKER);
  });

  test("a signed delivery is handed to Probot once and answered 200; the log says so without the body", async () => {
    received = [];
    const before = raw.length;
    const body = Buffer.from(JSON.stringify({ zen: MARKER, hook_id: 1 }));
    const answer = await post({ "x-github-event": "ping", "x-github-delivery": "signed-1", "x-hub-signature-256": sign(body) }, body);
    expect([answer.status, answer.body]).toEqual([200, "ok\n"]);
    expect(received).toEqual(["signed-1"]);
    expect(raw.slice(before).map((l) => JSON.parse(l)).find((l) => l.msg === "webhook delivery accepted")).toMatchObject({ delivery: "signed-1", event: "ping", status: 200 });
    expect(logText()).not.toContain(MARKER);
    await app.idle();
  });

  test("another content type: 415", async () => {
    const body = Buffer.from("a=b");
    const answer = await post({ ...headers({ "x-hub-signature-256": sign(body) }), "content-type": "application/x-www-form-urlencoded" }, body);
    expect(answer.status).toBe(415);
  });

  test("each log line has one name", () => {
    const lines = raw.filter((l) => l.includes('"name"'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.split('"name":').length !== 2)).toEqual([]);
  });
});
