import { createPrivateKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import type { Command } from "commander";
import type { Logger, Probot } from "probot";
import { parse as parseYaml } from "yaml";
import type { AppMetrics, AppServer, AppServerOptions, SetupOptions, TierguardApp } from "../github/app/index.js";
import { EXIT_OK, InputError, type CliIo } from "./io.js";

/**
 * `tierguard app`: the GitHub App's server (its webhook route, Probot behind it; `/ping`, `/healthz`, `/readyz` and
 * `/metrics`). Probot's standard environment variables configure it, read from the environment and then from a
 * `.env` file in the working directory (as Probot does; the environment wins). They are checked first, so a wrong
 * one is one clear line and exit code 1, never a stack trace. With no credentials at all (and not in production),
 * it serves the setup page instead, which registers the App from app.yml (github/app/setup.ts). SIGTERM (Kubernetes
 * stopping the pod) stops taking webhooks and lets running reviews finish for a while before exiting. Probot and
 * the App are loaded only by this command, so the other commands start as fast as before.
 */
export const APP_ENV_HELP = `
Environment (Probot's standard variables):
  APP_ID               the App's numeric id (required)
  PRIVATE_KEY          the App's private key: the PEM text, with \\n escapes, or base64 (this or PRIVATE_KEY_PATH)
  PRIVATE_KEY_PATH     path of the App's .pem file
  WEBHOOK_SECRET       the webhook secret set when registering the App (required; deliveries are verified with it)
  PORT                 port to listen on (default 3000)
  HOST                 address to listen on (default localhost; 0.0.0.0 in a container)
  LOG_LEVEL            trace, debug, info, warn, error, fatal or silent (default info); LOG_FORMAT=json for JSON lines
  GHE_HOST             GitHub Enterprise Server host name, e.g. github.example.com (default: github.com)
  GHE_PROTOCOL         https (default) or http, for GHE_HOST
  WEBHOOK_PATH         webhook route (default /api/github/webhooks)
  WEBHOOK_PROXY_URL    a smee.io channel for local development: the App prints the smee-client command that relays it
  TIERGUARD_CONCURRENCY  reviews running at once (default 2)
  TIERGUARD_REQUEST_TIMEOUT_MS  how long GitHub may take to answer a request, or be silent within one (default 30000)
  TIERGUARD_REVIEW_DEADLINE_MS  how long a review may run before it is abandoned and its check fails (default 600000)
  TIERGUARD_STAGE      false: do not ask the controllers to stage open pull requests (default: a tierguard:stage deployment on open and push)
  TIERGUARD_BOARD_REPOS  owner/repo,... : serve the policy board of these repositories' default branches at GET /board/<owner>/<repo>
  TIERGUARD_BOARD_TOKEN  when set, the board answers only requests with "Authorization: Bearer <token>"

With none of APP_ID, PRIVATE_KEY, PRIVATE_KEY_PATH and WEBHOOK_SECRET set (and NODE_ENV not production), the App
is not registered yet: GET / serves the setup page, which registers it from app.yml through GitHub's manifest flow
and writes its credentials to .env in the working directory (GH_ORG: register it under that organization).
Variables are read from the environment, then from .env in the working directory (the environment wins).

Health: GET /ping answers PONG; GET /healthz (liveness) ok; GET /readyz (the key loads and GitHub answers) 200 or
503 with the reason; GET /metrics, Prometheus text. See deploy/README.md.
`;

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const GRACE_MS = 25_000;

export interface AppSettings {
  concurrency: number;
  /** Set only when the environment sets them: the App's defaults apply otherwise. */
  requestTimeoutMs?: number;
  reviewDeadlineMs?: number;
  /** The board route's configuration; undefined: no board is served. */
  board?: { repos: string[]; token?: string };
}

/** An optional positive whole number of milliseconds; a problem line when it is something else. */
function milliseconds(env: NodeJS.ProcessEnv, name: string, problems: string[]): number | undefined {
  const text = env[name];
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text) && Number(text) >= 1 && Number.isSafeInteger(Number(text))) return Number(text);
  problems.push(`${name} must be a positive whole number of milliseconds, not ${shown(text, env)}`);
  return undefined;
}

/**
 * A value quoted back in a problem line, unless it could be a credential put in the wrong variable: long, shaped
 * like a key or token, or holding the webhook secret or the key this environment sets.
 */
function shown(value: string, env: NodeJS.ProcessEnv): string {
  const known = [env.WEBHOOK_SECRET, env.PRIVATE_KEY].filter((v): v is string => !!v && v.length >= 4);
  const secret = value.length > 32 || /PRIVATE KEY|gh[pousr]_|github_pat_/.test(value) || known.some((k) => value.includes(k) || (value.length >= 4 && k.includes(value)));
  return secret ? `(a value of ${value.length} characters, not shown)` : `"${value}"`;
}

/** True when none of the App's credentials is given: the App is not registered yet. */
export function unregistered(env: NodeJS.ProcessEnv): boolean {
  return !env.APP_ID && !env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH && !env.WEBHOOK_SECRET;
}

/** The environment, with what `.env` in `cwd` adds (Probot's rule, except that the environment wins). */
export function withDotEnv(env: NodeJS.ProcessEnv, cwd: string): NodeJS.ProcessEnv {
  const file = join(cwd, ".env");
  return existsSync(file) ? { ...parseEnv(readFileSync(file, "utf8")), ...env } : env;
}

/** Every problem with the environment, each in one line; the settings when there is none. */
export function checkAppEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): { problems: string[]; settings?: AppSettings } {
  const problems: string[] = [];
  if (!env.APP_ID) problems.push("APP_ID is not set: give the App's numeric id (on the App's settings page)");
  else if (!/^\d+$/.test(env.APP_ID)) problems.push(`APP_ID must be the App's numeric id, not ${shown(env.APP_ID, env)}`);
  if (env.PRIVATE_KEY) {
    if (!looksLikeKey(env.PRIVATE_KEY)) problems.push("PRIVATE_KEY is not a PEM private key (nor base64 of one): paste the whole .pem file, or use PRIVATE_KEY_PATH");
    else if (!loads(keyText(env.PRIVATE_KEY))) problems.push("PRIVATE_KEY does not load as a private key: paste the whole .pem file GitHub generated, or use PRIVATE_KEY_PATH");
  } else if (env.PRIVATE_KEY_PATH) {
    const path = resolve(cwd, env.PRIVATE_KEY_PATH);
    if (!existsSync(path)) problems.push(`PRIVATE_KEY_PATH: no file ${env.PRIVATE_KEY_PATH}`);
    else if (!looksLikeKey(readFileSync(path, "utf8"))) problems.push(`PRIVATE_KEY_PATH: ${env.PRIVATE_KEY_PATH} is not a PEM private key`);
    else if (!loads(readFileSync(path, "utf8"))) problems.push(`PRIVATE_KEY_PATH: ${env.PRIVATE_KEY_PATH} does not load as a private key`);
  } else {
    problems.push("neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set: give the App's private key (generated on the App's settings page)");
  }
  if (!env.WEBHOOK_SECRET) problems.push("WEBHOOK_SECRET is not set: give the webhook secret the App was registered with (deliveries are verified with it)");
  if (env.PORT !== undefined && !(/^\d+$/.test(env.PORT) && Number(env.PORT) >= 1 && Number(env.PORT) <= 65535)) problems.push(`PORT must be 1-65535, not ${shown(env.PORT, env)}`);
  if (env.LOG_LEVEL !== undefined && !LOG_LEVELS.includes(env.LOG_LEVEL)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not ${shown(env.LOG_LEVEL, env)}`);
  if (env.GHE_HOST !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(env.GHE_HOST)) problems.push(`GHE_HOST must be a host name such as github.example.com (no scheme, no path), not ${shown(env.GHE_HOST, env)}`);
  if (env.GHE_PROTOCOL !== undefined && !["http", "https"].includes(env.GHE_PROTOCOL)) problems.push(`GHE_PROTOCOL must be https or http, not ${shown(env.GHE_PROTOCOL, env)}`);
  const concurrency = env.TIERGUARD_CONCURRENCY === undefined ? 2 : Number(env.TIERGUARD_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1) problems.push(`TIERGUARD_CONCURRENCY must be a positive integer, not ${shown(String(env.TIERGUARD_CONCURRENCY), env)}`);
  const requestTimeoutMs = milliseconds(env, "TIERGUARD_REQUEST_TIMEOUT_MS", problems);
  const reviewDeadlineMs = milliseconds(env, "TIERGUARD_REVIEW_DEADLINE_MS", problems);
  const board = boardSettings(env, problems);
  if (problems.length > 0) return { problems };
  return { problems, settings: { concurrency, ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}), ...(reviewDeadlineMs !== undefined ? { reviewDeadlineMs } : {}), ...(board ? { board } : {}) } };
}

function boardSettings(env: NodeJS.ProcessEnv, problems: string[]): AppSettings["board"] {
  if (env.TIERGUARD_BOARD_REPOS === undefined) {
    if (env.TIERGUARD_BOARD_TOKEN !== undefined) problems.push("TIERGUARD_BOARD_TOKEN is set but TIERGUARD_BOARD_REPOS is not: name the repositories whose board is served");
    return undefined;
  }
  const repos = env.TIERGUARD_BOARD_REPOS.split(/[\s,]+/).filter(Boolean);
  const bad = repos.filter((r) => !/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/.test(r));
  if (repos.length === 0 || bad.length > 0) problems.push(`TIERGUARD_BOARD_REPOS must be owner/repo names separated by commas, not "${bad[0] ?? env.TIERGUARD_BOARD_REPOS}"`);
  if (env.TIERGUARD_BOARD_TOKEN !== undefined && env.TIERGUARD_BOARD_TOKEN.length < 16) problems.push("TIERGUARD_BOARD_TOKEN must be at least 16 characters (it guards the board)");
  return { repos, ...(env.TIERGUARD_BOARD_TOKEN !== undefined ? { token: env.TIERGUARD_BOARD_TOKEN } : {}) };
}

/** Whether OpenSSL can read the key (a PEM that only looks right, cut or mangled, fails here and not on the first webhook). */
function loads(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

function looksLikeKey(text: string): boolean {
  const pem = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (pem.test(text)) return true;
  try {
    return pem.test(Buffer.from(text, "base64").toString("utf8"));
  } catch {
    return false;
  }
}

export interface AppServerDeps {
  /** Starts the HTTP server; tests inject one to see what it is given. Default: tierguard's own (github/app/server.ts). */
  serve?: (options: AppServerOptions) => Promise<AppServer>;
  /** Probot's logger; tests inject one to read every line. Default: Probot's own, from LOG_LEVEL and LOG_FORMAT. */
  log?: Logger;
  /** Default: a new registry with Node's process metrics. */
  metrics?: AppMetrics;
  /** Exchanges a manifest code in setup mode. Default: GitHub's `POST /app-manifests/{code}/conversions`. */
  convert?: SetupOptions["convert"];
}

interface RunningApp {
  /** Undefined in setup mode (nothing to wait for). */
  app?: TierguardApp;
  server: AppServer;
}

/**
 * Starts the server and returns once it listens: the App, or the setup page when it has no credentials at all.
 * Probot handles events and authentication; the HTTP server is tierguard's (github/app/server.ts), because
 * Probot's reads a webhook's body whole, unverified, and logs it.
 */
export async function startApp(env: NodeJS.ProcessEnv, io: CliIo, deps: AppServerDeps = {}): Promise<RunningApp> {
  if (unregistered(env) && env.NODE_ENV !== "production") return { server: await startSetup(env, io, deps) };
  const { problems, settings } = checkAppEnv(env, io.cwd);
  if (!settings) throw new InputError(`cannot start the App:\n  - ${problems.join("\n  - ")}\n(run tierguard app --help for the variables${unregistered(env) ? "; NODE_ENV=production serves no setup page: register the App first, see deploy/README.md" : ""})`);
  const { tierguardApp, tierguardOctokit, startAppServer, AppMetrics, octokitMetrics, appReadiness, healthz, readyz } = await import("../github/app/index.js");
  const { Probot } = await import("probot");
  const metrics = deps.metrics ?? new AppMetrics({ processMetrics: true });
  const app = tierguardApp({ concurrency: settings.concurrency, metrics, stage: env.TIERGUARD_STAGE !== "false", ...(settings.reviewDeadlineMs !== undefined ? { timing: { reviewDeadlineMs: settings.reviewDeadlineMs } } : {}) });
  const privateKey = privateKeyText(env, io.cwd);
  const probot = new Probot({
    appId: Number(env.APP_ID),
    privateKey,
    secret: env.WEBHOOK_SECRET,
    baseUrl: apiUrl(env),
    ...probotLog(env, deps),
    Octokit: tierguardOctokit(undefined, undefined, { requestTimeoutMs: settings.requestTimeoutMs }).plugin(octokitMetrics(metrics) as never),
  });
  await probot.load(app);
  await probot.ready();
  const log = probot.log.child({ name: "http" });
  const readiness = appReadiness({ privateKey, reachGitHub: () => askGitHub(probot) });
  const serve = deps.serve ?? startAppServer;
  const routes = [healthz, readyz(readiness), metrics.handler()];
  const server = await serve({ probot, secret: env.WEBHOOK_SECRET!, host: env.HOST ?? "localhost", port: env.PORT ? Number(env.PORT) : 3000, webhookPath: env.WEBHOOK_PATH, log, routes, metrics, ...(settings.board ? { board: settings.board } : {}) });
  if (settings.board) log.info({ repos: settings.board.repos, token: settings.board.token !== undefined }, "serving the policy board at /board/<owner>/<repo>");
  if (env.WEBHOOK_PROXY_URL) {
    log.warn({ proxy: env.WEBHOOK_PROXY_URL }, `relay the webhooks with: npx smee-client --url ${env.WEBHOOK_PROXY_URL} --target http://localhost:${server.port}${env.WEBHOOK_PATH ?? "/api/github/webhooks"}`);
  }
  return { app, server };
}

/** GitHub's answer to `GET /app`, as the App (its JWT): proves the key and APP_ID belong together. Not retried: a probe asks again. */
async function askGitHub(probot: Probot): Promise<void> {
  const octokit = (await probot.auth()) as unknown as { request(route: string, o: Record<string, unknown>): Promise<unknown> };
  await octokit.request("GET /app", { request: { retries: 0 } });
}

/** Setup mode: the page that registers the App from app.yml (github/app/setup.ts). */
async function startSetup(env: NodeJS.ProcessEnv, io: CliIo, deps: AppServerDeps): Promise<AppServer> {
  const { startSetupServer, manifestConversion, DEFAULT_WEBHOOK_PATH } = await import("../github/app/index.js");
  const { Probot } = await import("probot");
  // Probot's own logger, made as Probot's setup mode makes it: a Probot with placeholder credentials, never used.
  const placeholder = new Probot({ appId: 1, privateKey: "unused: setup mode", ...probotLog(env, deps) });
  await placeholder.ready();
  return startSetupServer({
    manifest: loadManifest(),
    webhookPath: env.WEBHOOK_PATH ?? DEFAULT_WEBHOOK_PATH,
    githubUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}` : "https://github.com",
    org: env.GH_ORG,
    webhookProxyUrl: env.WEBHOOK_PROXY_URL,
    envFile: join(io.cwd, ".env"),
    convert: deps.convert ?? manifestConversion(apiUrl(env) ?? "https://api.github.com"),
    log: placeholder.log.child({ name: "setup" }),
    host: env.HOST ?? "localhost",
    port: env.PORT ? Number(env.PORT) : 3000,
  });
}

/** app.yml, shipped next to dist/ (the package root): the manifest the App is registered from. */
function loadManifest(): Record<string, unknown> {
  const file = new URL("../../app.yml", import.meta.url);
  if (!existsSync(file)) throw new InputError(`cannot serve the setup page: no app.yml next to dist/ (${file.pathname}); run tierguard app from a clone or the image, or register the App by hand (deploy/README.md)`);
  return parseYaml(readFileSync(file, "utf8")) as Record<string, unknown>;
}

function apiUrl(env: NodeJS.ProcessEnv): string | undefined {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` : undefined;
}

function probotLog(env: NodeJS.ProcessEnv, deps: AppServerDeps): { log: Logger } | { logLevel: "info"; logFormat: "json" | "pretty" } {
  return deps.log ? { log: deps.log } : { logLevel: (env.LOG_LEVEL ?? "info") as "info", logFormat: logFormat(env) };
}

/**
 * The key as text: PEM, with \\n escapes, or base64 of it (Probot's rules). Read here because Probot would read a
 * relative PRIVATE_KEY_PATH from its own working directory, or fall back to any *.pem it finds there.
 */
function privateKeyText(env: NodeJS.ProcessEnv, cwd: string): string {
  return env.PRIVATE_KEY ? keyText(env.PRIVATE_KEY) : readFileSync(resolve(cwd, env.PRIVATE_KEY_PATH!), "utf8");
}

function keyText(value: string): string {
  const text = value.replace(/\\n/g, "\n");
  return /-----BEGIN/.test(text) ? text : Buffer.from(text, "base64").toString("utf8");
}

/** As Probot's run(): LOG_FORMAT, else JSON in production and pretty lines otherwise. */
function logFormat(env: NodeJS.ProcessEnv): "json" | "pretty" {
  if (env.LOG_FORMAT) return env.LOG_FORMAT === "pretty" ? "pretty" : "json";
  return env.NODE_ENV === "production" ? "json" : "pretty";
}

/** The process lives on until a signal: SIGTERM (or SIGINT) stops taking webhooks and gives running reviews time to finish. */
function stayUp({ app, server }: RunningApp, io: CliIo): void {
  const log = (msg: string) => io.stderr(`tierguard app: ${msg}\n`);
  // A safety net: a rejection nothing handled is logged, not a crash of every review in flight.
  process.on("unhandledRejection", (e) => log(`unhandled rejection (a bug in tierguard): ${(e as Error)?.message ?? String(e)}`));
  const stop = (signal: string) => {
    log(`${signal}: no new webhooks; letting running reviews finish`);
    const grace = new Promise<void>((r) => setTimeout(r, GRACE_MS).unref());
    void server
      .stop()
      .then(() => Promise.race([app?.idle() ?? Promise.resolve(), grace]))
      .finally(() => process.exit(EXIT_OK));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

export function registerApp(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("app")
    .description("run the tierguard GitHub App: reviews pull requests on webhooks, requests promotion on merge")
    .addHelpText("after", APP_ENV_HELP)
    .action(async () => {
      stayUp(await startApp(withDotEnv(process.env, io.cwd), io), io);
      setExit(EXIT_OK);
    });
}
