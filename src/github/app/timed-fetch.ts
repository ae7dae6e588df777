import { scrub } from "./log.js";

/**
 * `fetch` for the App's Octokit, bounded in time (see octokit.ts for where it is installed). GitHub must start
 * answering (status and headers) within the timeout, and, while it sends the body, never fall silent for that long:
 * a release asset of a gigabyte may take minutes and still flows, while a stalled exchange is cut either way.
 * Without this, an endpoint that never answers held a review until undici's 300 s headers timeout, four times over
 * with the retries, and was then reported as an HTTP 500.
 */
export type TimeoutPhase = "answer" | "body";

/**
 * A request to GitHub that got no answer, or whose answer stalled, in time. Its name is `AbortError` on purpose:
 * @octokit/request rethrows an abort as it is instead of wrapping it into an HTTP 500, and @octokit/plugin-retry
 * does not retry it (an endpoint silent for 30 s is not a blip). @octokit/request also sets `status = 500` on it;
 * that write is ignored, so nothing reports a timeout as a 500.
 */
export class GitHubTimeoutError extends Error {
  override readonly name = "AbortError";

  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
    readonly phase: TimeoutPhase = "answer",
  ) {
    super(
      phase === "answer"
        ? `GitHub did not answer ${method} ${path} within ${formatDuration(timeoutMs)}`
        : `GitHub stopped sending its answer to ${method} ${path} for ${formatDuration(timeoutMs)}`,
    );
  }

  get status(): undefined {
    return undefined;
  }

  set status(_ignored: unknown) {
    // see the class comment
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000 || ms % 60_000 !== 0) return `${Math.round(ms / 100) / 10} s`;
  return `${ms / 60_000} min`;
}

type Fetch = typeof globalThis.fetch;

interface WarnLog {
  warn(obj: unknown, msg?: string): void;
}

const INNER = Symbol("tierguard.innerFetch");
export type TimedFetch = Fetch & { [INNER]?: Fetch };

/** The fetch a timed fetch wraps (undefined: the global one), so that wrapping again never nests timeouts. */
export function innerFetch(f: Fetch | undefined): Fetch | undefined {
  return f && INNER in f ? (f as TimedFetch)[INNER] : f;
}

/**
 * `fetch` with the time bounds above and a warning at once for every 5xx and failed exchange (before any retry
 * waits). `inner` defaults to the global fetch at call time (nock replaces it).
 */
export function timedFetch(o: { timeoutMs: number; inner?: Fetch; log?: WarnLog }): Fetch {
  const timed: TimedFetch = async (input, init = {}) => {
    const method = (init.method ?? "GET").toUpperCase();
    const path = requestPath(input);
    const controller = new AbortController();
    const expire = (phase: TimeoutPhase) => {
      const error = new GitHubTimeoutError(method, path, o.timeoutMs, phase);
      controller.abort(error);
      return error;
    };
    const signal = init.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: () => void = () => {};
    // Raced as well as passed on: a fetch that ignores its signal still cannot hold the request past the timeout.
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      timer = setTimeout(() => expire("answer"), o.timeoutMs);
      const response = await Promise.race([(o.inner ?? globalThis.fetch)(input, { ...init, signal }), aborted]);
      clearTimeout(timer);
      if (response.status >= 500) o.log?.warn({ method, path, status: response.status }, `GitHub answered HTTP ${response.status} to ${method} ${path}`);
      return await readBounded(response, o.timeoutMs, () => expire("body"));
    } catch (e) {
      o.log?.warn({ method, path, err: { message: scrub(String((e as Error)?.message ?? e)) } }, `GitHub request failed: ${method} ${path}`);
      throw e;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  };
  timed[INNER] = o.inner;
  return timed;
}

/**
 * The response with its body read here, failing once no byte came for `ms`. Read here, not left to the caller:
 * @octokit/request turns an error while reading a body into an empty body (`""`, an empty buffer) with the
 * status GitHub sent, so a stalled blob or release asset would pass as empty content. The bytes are handed on
 * chunk by chunk, each released as it is read, so the peak stays that of reading the body at all.
 */
async function readBounded(response: Response, ms: number, expire: () => Error): Promise<Response> {
  if (!response.body) return response;
  const chunks: Uint8Array[] = [];
  const reader = response.body.getReader();
  for (;;) {
    let idle: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_resolve, reject) => (idle = setTimeout(() => reject(expire()), ms)));
    const next = await Promise.race([reader.read(), stalled]).finally(() => clearTimeout(idle));
    if (next.done) break;
    chunks.push(next.value);
  }
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const read = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  Object.defineProperty(read, "url", { value: response.url });
  return read;
}

function requestPath(input: Parameters<Fetch>[0]): string {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  try {
    return scrub(new URL(url).pathname);
  } catch {
    return scrub(url);
  }
}
