import { createPrivateKey } from "node:crypto";
import type { ServerResponse } from "node:http";
import { describeError } from "./log.js";
import type { RequestHandler } from "./webhook-edge.js";

/**
 * `GET /healthz` and `GET /readyz`. Liveness says only that the process answers HTTP: a restart cannot fix GitHub,
 * so nothing outside the process makes it fail. Readiness says the App can do its work: its private key loads, and
 * GitHub answers `GET /app` authenticated with it (which also proves APP_ID and the key belong together). GitHub is
 * asked at most once per `cacheMs` however often the probes come, and concurrent probes share one question.
 */
export interface ReadinessCheck {
  name: "private-key" | "github" | "setup";
  ok: boolean;
  message: string;
}

export interface ReadyState {
  ready: boolean;
  checks: ReadinessCheck[];
}

export type Readiness = () => Promise<ReadyState>;

export const healthz: RequestHandler = async (req, res) => {
  if (req.method !== "GET" || req.url?.split("?")[0] !== "/healthz") return false;
  res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
  return true;
};

export function readyz(readiness: Readiness): RequestHandler {
  return async (req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/readyz") return false;
    const state = await readiness();
    answerJson(res, state.ready ? 200 : 503, state);
    return true;
  };
}

export interface AppReadinessOptions {
  /** The key as PEM text. */
  privateKey: string;
  /** Asks GitHub something only the App can ask (`GET /app` with the App's JWT); rejects when it cannot. */
  reachGitHub(): Promise<void>;
  /** How long an answer is reused. Default 30 s. */
  cacheMs?: number;
  /** How long GitHub may take before the check fails. Default 5 s (a probe's own timeout should be longer). */
  timeoutMs?: number;
  now?: () => number;
}

export function appReadiness(o: AppReadinessOptions): Readiness {
  const key = keyCheck(o.privateKey);
  const cacheMs = o.cacheMs ?? 30_000;
  const now = o.now ?? Date.now;
  let cached: { at: number; state: ReadyState } | undefined;
  let pending: Promise<ReadyState> | undefined;
  const ask = async (): Promise<ReadyState> => {
    const github = key.ok ? await githubCheck(o.reachGitHub, o.timeoutMs ?? 5000) : { name: "github" as const, ok: false, message: "not asked: the private key does not load" };
    const state = { ready: key.ok && github.ok, checks: [key, github] };
    cached = { at: now(), state };
    return state;
  };
  return () => {
    if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.state);
    pending ??= ask().finally(() => (pending = undefined));
    return pending;
  };
}

/** Readiness of an App that has no credentials yet (setup mode): never ready. */
export const SETUP_READINESS: Readiness = async () => ({ ready: false, checks: [{ name: "setup", ok: false, message: "the App is not registered yet: open the setup page (GET /) to register it" }] });

function keyCheck(pem: string): ReadinessCheck {
  try {
    const key = createPrivateKey(pem);
    return { name: "private-key", ok: true, message: `the private key loads (${key.asymmetricKeyType ?? "unknown type"})` };
  } catch (e) {
    // OpenSSL's reason (e.g. "unsupported"), never the key's text.
    return { name: "private-key", ok: false, message: `the private key does not load: ${describeError(e).message}` };
  }
}

async function githubCheck(reach: () => Promise<void>, timeoutMs: number): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)));
  try {
    await Promise.race([reach(), late]);
    return { name: "github", ok: true, message: "GitHub answers GET /app for this App" };
  } catch (e) {
    const { message, status } = describeError(e);
    const hint = status === 401 ? ": GitHub refused the App's credentials (check APP_ID and the private key)" : "";
    return { name: "github", ok: false, message: `GitHub did not answer GET /app${status ? ` (HTTP ${status})` : ""}: ${message}${hint}` };
  } finally {
    clearTimeout(timer);
  }
}

function answerJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
}
