import { describe, expect, test } from "@jest/globals";
import { failureReason, failureSummary } from "../../../src/github/app/failure.js";
import { DeadlineExceeded } from "../../../src/github/app/queue.js";
import { GitHubTimeoutError, timedFetch } from "../../../src/github/app/timed-fetch.js";

/**
 * The App's fetch: GitHub must start answering within the timeout and never fall silent that long within an answer;
 * a long answer that keeps flowing is not cut. The inner fetch is a stand-in whose timing the test sets (no network).
 */
const URL_ = "https://api.github.com/repos/acme/policies/git/blobs/abc";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fetch answering after `headersAfterMs` with `chunks`, each after `gapMs`; `stallAfter` chunks, then silence. */
function slowFetch(o: { headersAfterMs?: number; chunks?: number; gapMs?: number; stallAfter?: number }): typeof fetch {
  return (async (_input: unknown, init?: RequestInit) => {
    const signal = init?.signal ?? undefined;
    await sleep(o.headersAfterMs ?? 0);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === o.stallAfter) return new Promise<void>(() => {}); // never another byte
        if (sent === (o.chunks ?? 1)) return controller.close();
        await sleep(o.gapMs ?? 0);
        if (signal?.aborted) return controller.error(signal.reason);
        controller.enqueue(new TextEncoder().encode(`${sent++},`));
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "text/plain" } });
  }) as typeof fetch;
}

function sink() {
  const lines: string[] = [];
  return { lines, log: { warn: (_obj: unknown, msg?: string) => void lines.push(msg ?? "") } };
}

describe("the App's fetch", () => {
  test("no answer within the timeout: a GitHubTimeoutError naming the request, logged at once, never an HTTP 500", async () => {
    const { lines, log } = sink();
    const f = timedFetch({ timeoutMs: 50, inner: (() => new Promise(() => {})) as typeof fetch, log });
    const error = await f(URL_, { method: "get" }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubTimeoutError);
    expect(error).toMatchObject({ name: "AbortError", message: "GitHub did not answer GET /repos/acme/policies/git/blobs/abc within 50 ms", phase: "answer" });
    (error as { status?: number }).status = 500; // what @octokit/request does to an AbortError
    expect((error as { status?: number }).status).toBeUndefined();
    expect(failureReason(error)).toBe("GitHub did not answer `GET /repos/acme/policies/git/blobs/abc` within 50 ms, so the request was given up (GitHub may be degraded; see https://www.githubstatus.com).");
    expect(lines).toEqual(["GitHub request failed: GET /repos/acme/policies/git/blobs/abc"]);
  });

  test("an answer that keeps flowing is read whole, however long it takes in all", async () => {
    const f = timedFetch({ timeoutMs: 200, inner: slowFetch({ headersAfterMs: 20, chunks: 12, gapMs: 25 }) });
    const response = await f(URL_);
    expect(response.status).toBe(200);
    expect(response.url).toBe("");
    expect(await response.text()).toBe("0,1,2,3,4,5,6,7,8,9,10,11,");
  });

  test("an answer that stalls fails the request itself (Octokit would read a failed body as an empty one)", async () => {
    const { lines, log } = sink();
    const f = timedFetch({ timeoutMs: 60, inner: slowFetch({ chunks: 5, stallAfter: 2 }), log });
    const error = await f(URL_).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ message: "GitHub stopped sending its answer to GET /repos/acme/policies/git/blobs/abc for 60 ms", phase: "body" });
    expect(failureReason(error)).toMatch(/^GitHub stopped sending its answer to `GET \/repos\/acme\/policies\/git\/blobs\/abc` for 60 ms, so the request was given up/);
    expect(lines).toEqual(["GitHub request failed: GET /repos/acme/policies/git/blobs/abc"]);
  });

  test("a 5xx is passed on, and warned about at once", async () => {
    const { lines, log } = sink();
    const f = timedFetch({ timeoutMs: 1000, inner: (async () => new Response("{}", { status: 502 })) as typeof fetch, log });
    expect((await f(URL_, { method: "PATCH" })).status).toBe(502);
    expect(lines).toEqual(["GitHub answered HTTP 502 to PATCH /repos/acme/policies/git/blobs/abc"]);
  });
});

describe("failure reasons for time", () => {
  test("a deadline is named as such, with the stage for a review; never as a bug", () => {
    expect(failureReason(new DeadlineExceeded(600_000))).toBe("The work did not finish within 10 min, the most it may take, and was abandoned.");
    expect(failureSummary(new DeadlineExceeded(600_000), { head: { sha: "abcdef0123" }, stage: "fetching the flow snapshot" }).summary.split("\n\n")[0]).toBe(
      "The review did not finish within 10 min, the most a review may take, and was abandoned. It was fetching the flow snapshot when it was stopped.",
    );
  });
});
