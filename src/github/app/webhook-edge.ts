import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describeError } from "./log.js";
import { UNVERIFIED_EVENT, type AppMetrics, type DeliveryOutcome } from "./metrics.js";

/**
 * The webhook route, in front of Probot's router. Whoever reaches the port can post to it, so nothing an unsigned
 * request sends is trusted, kept or logged: the headers are checked first; the body is counted while it streams in
 * and refused with 413 past GitHub's own cap (25 MB) before it is held whole; the X-Hub-Signature-256 HMAC is
 * checked over the raw bytes before anything parses them; only then is the JSON parsed (an object, or 400) and
 * handed to Probot. A log line says what happened to a delivery (event, id, status, size), never its body.
 * (@octokit/webhooks' own middleware buffers any body whole, verifies afterwards and logs a failed payload.)
 */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
/** After a 413, at most this much more of the body is read and discarded (so the client sees the answer), then the connection is cut. */
const DRAIN_BYTES = 8 * 1024 * 1024;
const JSON_TYPE = /^\s*application\/json\s*(;|$)/i;
const EVENT_NAME = /^[a-z_]{1,64}$/;

export interface WebhookEvent {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

export interface EdgeLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface WebhookEdgeOptions {
  secret: string;
  /** The webhook route, e.g. /api/github/webhooks. */
  path: string;
  /** Hands a verified event to the App (Probot's `webhooks.receive`). */
  receive(event: WebhookEvent): Promise<void>;
  log: EdgeLog;
  /** Largest body accepted. Default MAX_WEBHOOK_BYTES. */
  maxBytes?: number;
  /** Counts each delivery by event and outcome (a refused one as event "unverified": its header is anyone's text). */
  metrics?: AppMetrics;
}

/** A request handler: true when it answered the request (the webhook route), false to let the next one try. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly outcome: DeliveryOutcome = "refused",
  ) {
    super(message);
  }
}

export function webhookEdge(o: WebhookEdgeOptions): RequestHandler {
  const maxBytes = o.maxBytes ?? MAX_WEBHOOK_BYTES;
  const route = o.path.replace(/\/+$/, "") || "/";
  return async (req, res) => {
    if (pathOf(req.url) !== route) return false;
    // Header values are anyone's text until the signature is checked: logged, but cut short.
    const meta = { event: header(req, "x-github-event")?.slice(0, 64), delivery: header(req, "x-github-delivery")?.slice(0, 128) };
    try {
      const event = await verified(req, o.secret, maxBytes);
      await o.receive(event).catch((e: unknown) => (o.metrics?.delivery(event.name, "failed"), Promise.reject(e)));
      answer(res, 200, "ok\n", "text/plain");
      o.metrics?.delivery(event.name, "accepted");
      o.log.info({ ...meta, status: 200 }, "webhook delivery accepted");
    } catch (e) {
      if (!(e instanceof Refusal)) {
        // A bug in a handler: the delivery is answered 500 so that GitHub shows it failed; the event is not logged.
        o.metrics?.error("webhook");
        o.log.error({ ...meta, status: 500, err: describeError(e) }, "webhook delivery failed");
        answer(res, 500, JSON.stringify({ error: "internal error" }), "application/json");
        return true;
      }
      refuse(req, res, e);
      o.metrics?.delivery(UNVERIFIED_EVENT, e.outcome);
      o.log.warn({ ...meta, status: e.status, reason: e.message }, "webhook delivery refused");
    }
    return true;
  };
}

/** The event, once the request proved to come from GitHub; a Refusal otherwise. */
async function verified(req: IncomingMessage, secret: string, maxBytes: number): Promise<WebhookEvent> {
  if (req.method !== "POST") throw new Refusal(404, `unknown route: ${req.method} ${pathOf(req.url)}`);
  if (!JSON_TYPE.test(header(req, "content-type") ?? "")) throw new Refusal(415, 'unsupported Content-Type: must be "application/json"');
  const missing = ["x-github-event", "x-github-delivery", "x-hub-signature-256"].filter((h) => !header(req, h));
  if (missing.length > 0) throw new Refusal(400, `required headers missing: ${missing.join(", ")}`);
  const name = header(req, "x-github-event")!;
  if (!EVENT_NAME.test(name)) throw new Refusal(400, "X-GitHub-Event is not an event name");
  const declared = Number(header(req, "content-length") ?? "0");
  if (declared > maxBytes) throw new Refusal(413, `the body is ${declared} bytes; the limit is ${maxBytes}`, "too_large");
  const body = await readLimited(req, maxBytes);
  if (!signatureMatches(secret, body, header(req, "x-hub-signature-256")!)) throw new Refusal(400, "signature does not match the body and the webhook secret", "bad_signature");
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    throw new Refusal(400, "the body is not JSON");
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) throw new Refusal(400, "the body is not a JSON object");
  return { id: header(req, "x-github-delivery")!, name, payload: payload as Record<string, unknown> };
}

/** The body, counted as it streams in: past `maxBytes` nothing more is kept and the request is refused. */
function readLimited(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen <= maxBytes) return void chunks.push(chunk);
      chunks.length = 0;
      stop();
      reject(new Refusal(413, `the body is larger than the limit of ${maxBytes} bytes`, "too_large"));
    };
    const onEnd = () => (stop(), resolve(Buffer.concat(chunks, seen)));
    const onError = (e: Error) => (stop(), reject(new Refusal(400, `the request failed: ${e.message}`)));
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

export function signatureMatches(secret: string, body: Buffer, signature: string): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!m) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(m[1], "hex"));
}

/**
 * Answers a refusal. A client still sending (413 mid-stream, or a 4xx before the body was read) would see its
 * write fail instead of the answer if the connection were cut at once: the rest is read and thrown away, up to a
 * bound, then the connection is cut.
 */
function refuse(req: IncomingMessage, res: ServerResponse, e: Refusal): void {
  // No "Connection: close": Node would end the socket with the answer, and a client still sending would see its
  // write fail (EPIPE) instead of the answer. The drain below bounds what is read; then the connection is cut.
  answer(res, e.status, JSON.stringify({ error: e.message }), "application/json");
  if (req.complete) return;
  let drained = 0;
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) req.destroy();
  });
  req.on("error", () => {});
  req.resume();
}

function answer(res: ServerResponse, status: number, body: string, type: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": type });
  res.end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
  } catch {
    return "";
  }
}
