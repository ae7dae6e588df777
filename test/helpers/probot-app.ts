import { afterAll, afterEach, beforeAll, expect } from "@jest/globals";
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import Bottleneck from "bottleneck";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { tierguardApp, tierguardOctokit, type TierguardApp, type TierguardAppOptions } from "../../src/github/app/index.js";

/**
 * The App under test: a real Probot (real router, real ProbotOctokit with tierguard's retry and throttling
 * settings) talking to a nock-mocked GitHub. Strict: the network is disabled, a request no interceptor matches fails
 * the test, and so does an interceptor left unused. Webhook payloads come from @octokit/webhooks-examples (GitHub's
 * own recorded payloads), changed only in the fields a test needs.
 */
export const OWNER = "acme";
export const NAME = "policies";
export const APP_ID = 1;
export const INSTALLATION_ID = 2;
export const BOT = "tierguard[bot]";
export const API = "https://api.github.com";
export const REPO_PATH = `/repos/${OWNER}/${NAME}`;
export const NOW = new Date("2025-06-01T12:00:00.000Z");
export const FIXED_CLOCK = { now: () => NOW };

// Importing nock activates it, and it patches node:http for the whole jest worker: a file that takes only a key or an
// Octokit from here (edge.test.ts streams 100 MB through a real server) would have its own requests buffered by it,
// and a later file in the worker too. Active only where a file asks (useStrictNock, or nock.activate() itself).
if (nock.isActive()) nock.restore();

/** Whether nock intercepts this worker's http requests now. */
export function nockActive(): boolean {
  return nock.isActive();
}

let key: string | undefined;
export function privateKey(): string {
  key ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return key;
}

/**
 * tierguard's Octokit with the waits shortened (toolchain.md's function-form defaults): retries and rate-limit
 * waits count milliseconds instead of seconds, and the write and notification limiters have no minimum spacing.
 * Nothing is disabled: the retry and throttling plugins and tierguard's handlers all run.
 */
export function fastOctokit(): typeof ProbotOctokit {
  return tierguardOctokit(ProbotOctokit).defaults((o: Record<string, any>) => ({
    ...o,
    retry: { ...o.retry, retryAfterBaseValue: 1 },
    throttle: {
      ...o.throttle,
      retryAfterBaseValue: 1,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
    },
  })) as typeof ProbotOctokit;
}

export interface LogLine {
  level: number;
  msg?: string;
  [k: string]: unknown;
}

export interface TestApp {
  probot: Probot;
  app: TierguardApp;
  logs: LogLine[];
  /** Delivers a webhook through Probot's router and waits for the background work it started. */
  deliver(name: string, payload: unknown): Promise<void>;
}

let delivery = 0;

export async function testApp(options: TierguardAppOptions = {}, probotOptions: { secret?: string; baseUrl?: string } = {}): Promise<TestApp> {
  const logs: LogLine[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => void logs.push(JSON.parse(s)) });
  const probot = new Probot({ appId: APP_ID, privateKey: privateKey(), secret: probotOptions.secret ?? "test-secret", baseUrl: probotOptions.baseUrl, Octokit: fastOctokit(), log });
  const app = tierguardApp({ clock: FIXED_CLOCK, ...options });
  await probot.load(app);
  return {
    probot,
    app,
    logs,
    deliver: async (name, payload) => {
      await probot.receive({ id: `delivery-${++delivery}`, name, payload } as never);
      await app.idle();
    },
  };
}

/** Strict nock for a test file: no network, no unmatched request, no unused interceptor; restored afterwards. */
export function useStrictNock(options: { allowLocalhost?: boolean } = {}): { unmatched: string[] } {
  const state = { unmatched: [] as string[] };
  const onNoMatch = (req: { method?: string; path?: string; host?: string; hostname?: string; options?: { method?: string; path?: string; host?: string; hostname?: string } }) => {
    const host = req.hostname ?? req.host ?? req.options?.hostname ?? req.options?.host ?? "";
    if (options.allowLocalhost && host.startsWith("127.0.0.1")) return; // the test's own server: let through
    state.unmatched.push(`${req.method ?? req.options?.method ?? "?"} ${req.path ?? req.options?.path ?? "?"}`);
  };
  beforeAll(() => {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
    if (options.allowLocalhost) nock.enableNetConnect("127.0.0.1");
    nock.emitter.on("no match", onNoMatch);
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    const unmatched = [...state.unmatched];
    state.unmatched.length = 0;
    nock.cleanAll();
    expect({ unmatched, pending }).toEqual({ unmatched: [], pending: [] });
  });
  afterAll(() => {
    nock.emitter.removeListener("no match", onNoMatch);
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  });
  return state;
}

/** The installation token Probot asks for once per test app, and the App's identity (`GET /app`, JWT-authenticated). */
export function authMocks(scope: nock.Scope, o: { identity?: boolean } = {}): nock.Scope {
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: "ghs_installationtoken0000000000000000", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" });
  if (o.identity !== false) scope.get("/app").reply(200, { id: APP_ID, slug: "tierguard", name: "tierguard" });
  return scope;
}

/** Request bodies an interceptor saw, in order. */
export function recorder<T = any>(): { bodies: T[]; take: (body: T) => boolean } {
  const bodies: T[] = [];
  return { bodies, take: (body: T) => (bodies.push(body), true) };
}

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{ name: string; examples: any[] }>;

/** A real recorded payload (one with an installation), deep-copied. */
export function example(name: string, action: string): any {
  const found = examples.find((e) => e.name === name)?.examples.find((x) => x.action === action && x.installation);
  if (!found) throw new Error(`no ${name}.${action} example with an installation`);
  const copy = structuredClone(found);
  copy.installation.id = INSTALLATION_ID;
  copy.repository.name = NAME;
  copy.repository.full_name = `${OWNER}/${NAME}`;
  copy.repository.owner.login = OWNER;
  return copy;
}

export interface PullSpec {
  number?: number;
  head: string;
  base: string;
  author?: string;
  draft?: boolean;
  state?: "open" | "closed";
  merged?: boolean;
  mergeCommit?: string | null;
}

/** The fields of a pull request object tierguard reads, set on a recorded one. */
export function adaptPull(pr: any, s: PullSpec): any {
  pr.number = s.number ?? 7;
  pr.state = s.state ?? "open";
  pr.draft = s.draft ?? false;
  pr.merged = s.merged ?? false;
  pr.merge_commit_sha = s.mergeCommit ?? null;
  pr.user.login = s.author ?? "alice";
  pr.head.sha = s.head;
  pr.head.ref = "feature";
  pr.base.sha = s.base;
  pr.base.ref = "main";
  return pr;
}

export function pullRequestEvent(action: string, s: PullSpec): any {
  const p = example("pull_request", action === "synchronize" || action === "reopened" || action === "closed" || action === "ready_for_review" ? action : "opened");
  p.action = action;
  p.number = s.number ?? 7;
  adaptPull(p.pull_request, s);
  return p;
}

/** `GET /pulls/{n}` as GitHub answers it: the same object a webhook carries. */
export function pullResponse(s: PullSpec): any {
  return adaptPull(example("pull_request", "opened").pull_request, s);
}

export interface CommentSpec {
  id: number;
  body: string;
  login: string;
  type?: "User" | "Bot";
  createdAt?: string;
}

export function issueComment(c: CommentSpec): any {
  return { id: c.id, body: c.body, user: { login: c.login, type: c.type ?? (c.login.endsWith("[bot]") ? "Bot" : "User") }, created_at: c.createdAt ?? "2025-06-01T11:00:00Z", html_url: `https://github.com/${OWNER}/${NAME}/pull/7#issuecomment-${c.id}` };
}

export function issueCommentEvent(c: CommentSpec, pull = 7): any {
  const p = example("issue_comment", "created");
  p.issue.number = pull;
  p.issue.pull_request = { url: `${API}${REPO_PATH}/pulls/${pull}` };
  p.comment = { ...p.comment, ...issueComment(c) };
  p.sender.login = c.login;
  return p;
}

/**
 * The pull request's comments as GitHub keeps them, for tests that deliver several events: interceptors answer
 * from this list and change it. Register each route as often as the test expects it to be called.
 */
export class CommentStore {
  private nextId = 5000;
  readonly comments: any[];

  constructor(initial: CommentSpec[] = []) {
    this.comments = initial.map(issueComment);
  }

  list(scope: nock.Scope, times = 1, pull = 7): nock.Scope {
    return scope.get(`${REPO_PATH}/issues/${pull}/comments`).query({ per_page: "100" }).times(times).reply(() => [200, structuredClone(this.comments)]);
  }

  /** `times: "any"` for a comment whose number of parts the test does not fix. */
  create(scope: nock.Scope, times: number | "any" = 1, pull = 7): nock.Scope {
    const interceptor = scope.post(`${REPO_PATH}/issues/${pull}/comments`);
    if (times === "any") interceptor.optionally().times(1000);
    else interceptor.times(times);
    return interceptor
      .reply((_uri, body: any) => {
        const c = issueComment({ id: ++this.nextId, body: body.body, login: BOT, createdAt: new Date().toISOString() });
        this.comments.push(c);
        return [201, c];
      });
  }

  update(scope: nock.Scope, times = 1): nock.Scope {
    return scope
      .patch(/^\/repos\/acme\/policies\/issues\/comments\/\d+$/)
      .times(times)
      .reply((uri, body: any) => {
        const c = this.comments.find((x) => x.id === Number(uri.split("/").pop()));
        c.body = body.body;
        return [200, c];
      });
  }

  remove(scope: nock.Scope, times = 1): nock.Scope {
    return scope
      .delete(/^\/repos\/acme\/policies\/issues\/comments\/\d+$/)
      .times(times)
      .reply((uri) => {
        this.comments.splice(this.comments.findIndex((x) => x.id === Number(uri.split("/").pop())), 1);
        return [204];
      });
  }

  bodies(login = BOT): string[] {
    return this.comments.filter((c) => c.user.login === login).map((c) => c.body);
  }
}
