import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { parseEnv } from "node:util";
import { describeError } from "./log.js";
import { SETUP_READINESS, healthz, readyz } from "./health.js";
import { ping, serveHandlers, type AppServer } from "./server.js";
import type { EdgeLog, RequestHandler } from "./webhook-edge.js";

/**
 * Registering the App from app.yml: GitHub's manifest flow as Probot's setup mode runs it (the same routes: the page
 * at `/` and `/probot`, GitHub's redirect back to `/probot/setup?code=...`, the credentials written to `.env`), with
 * three differences. The manifest is tierguard's own app.yml whatever the working directory, and its webhook URL is
 * where this server takes webhooks (Probot's is `/`, and app.yml's own URL would win over it). The redirect must
 * carry the `state` this process made, so nobody else's code can be turned into this App's credentials. And the
 * `.env` file is written readable by its owner only: it holds the private key.
 */
export interface AppCredentials {
  id: number;
  slug?: string;
  html_url: string;
  pem: string;
  webhook_secret: string;
  client_id?: string;
  client_secret?: string;
}

export interface SetupOptions {
  /** app.yml, parsed. */
  manifest: Record<string, unknown>;
  /** Where `tierguard app` will take webhooks, e.g. /api/github/webhooks. */
  webhookPath: string;
  /** GitHub's web address: https://github.com, or https://<GHE_HOST>. */
  githubUrl: string;
  /** Registers the App under this organization (Probot's GH_ORG); default the signed-in user. */
  org?: string;
  /** WEBHOOK_PROXY_URL: a relay (smee.io) the webhooks go to instead, for a server GitHub cannot reach. */
  webhookProxyUrl?: string;
  /** The `.env` file the credentials are written to (merged with what it holds). */
  envFile: string;
  /** Exchanges the code of GitHub's redirect for the App's credentials (`POST /app-manifests/{code}/conversions`). */
  convert(code: string): Promise<AppCredentials>;
  log: EdgeLog;
  /** Default: 16 random bytes. */
  state?: string;
}

/** Setup mode's server: the setup page, /ping, /healthz, and /readyz saying 503 until the App is registered and restarted. */
export async function startSetupServer(o: SetupOptions & { host: string; port: number }): Promise<AppServer> {
  const server = await serveHandlers([ping, healthz, readyz(SETUP_READINESS), setupRoutes(o)], o);
  o.log.info({ port: server.port, envFile: o.envFile }, `the App is not registered yet (no APP_ID): open http://${o.host}:${server.port}/ to register it from app.yml`);
  return server;
}

const CODE = /^[A-Za-z0-9_-]{1,200}$/;

export function setupRoutes(o: SetupOptions): RequestHandler {
  const state = o.state ?? randomBytes(16).toString("hex");
  let registered: AppCredentials | undefined;
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET" || !["/", "/probot", "/probot/setup"].includes(url.pathname)) return false;
    const page = (status: number, html: string): true => (res.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(html), true);
    if (url.pathname !== "/probot/setup") return page(200, setupPage(o, manifestFor(o, baseUrl(req)), state));
    if (registered) return page(409, messagePage("Already registered", `This server registered <b>${esc(registered.slug ?? String(registered.id))}</b> and wrote its credentials to <code>${esc(o.envFile)}</code>. Restart <code>tierguard app</code> to run it.`));
    const code = url.searchParams.get("code") ?? "";
    const given = Buffer.from(url.searchParams.get("state") ?? "");
    if (!CODE.test(code) || given.length !== state.length || !timingSafeEqual(given, Buffer.from(state))) {
      o.log.warn({ route: "/probot/setup" }, "setup: a redirect without this server's code and state was refused");
      return page(400, messagePage("Not this server's registration", `Start again from <a href="/">the setup page</a>.`));
    }
    try {
      registered = await o.convert(code);
    } catch (e) {
      o.log.warn({ err: describeError(e) }, "setup: GitHub did not hand over the App's credentials");
      return page(502, messagePage("GitHub did not hand over the credentials", `${esc(describeError(e).message)}. The code is valid for an hour: <a href="/">start again</a>.`));
    }
    writeEnv(o.envFile, registered);
    o.log.info({ app: registered.slug, id: registered.id, envFile: o.envFile }, "setup: the App is registered; its credentials are in the .env file; install it, then restart tierguard app");
    res.writeHead(302, { location: `${registered.html_url}/installations/new`, "content-type": "text/plain" }).end("Registered: install the App.\n");
    return true;
  };
}

/** app.yml with the addresses of this server: where GitHub sends webhooks, and where it sends the user back. */
export function manifestFor(o: Pick<SetupOptions, "manifest" | "webhookPath" | "webhookProxyUrl">, base: string): Record<string, unknown> {
  const hook = (o.manifest.hook_attributes ?? {}) as Record<string, unknown>;
  return { ...o.manifest, hook_attributes: { ...hook, url: o.webhookProxyUrl ?? `${base}${o.webhookPath}` }, redirect_url: `${base}/probot/setup` };
}

/** The credentials, merged into the `.env` file (as Probot writes it: one NAME=value a line, the key's newlines as \n). */
export function writeEnv(file: string, c: AppCredentials): void {
  const before = existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {};
  const next: Record<string, string | undefined> = { ...before, APP_ID: String(c.id), PRIVATE_KEY: `"${c.pem.replace(/\r?\n/g, "\\n")}"`, WEBHOOK_SECRET: c.webhook_secret, GITHUB_CLIENT_ID: c.client_id, GITHUB_CLIENT_SECRET: c.client_secret };
  const lines = Object.entries(next).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${k === "PRIVATE_KEY" ? v : v.replace(/\n/g, "\\n")}`]));
  writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 });
}

/** GitHub's conversion of a manifest code, over fetch (no credentials exist yet). */
export function manifestConversion(apiUrl: string, timeoutMs = 30_000): (code: string) => Promise<AppCredentials> {
  return async (code) => {
    const res = await fetch(`${apiUrl}/app-manifests/${encodeURIComponent(code)}/conversions`, { method: "POST", headers: { accept: "application/vnd.github+json", "user-agent": "tierguard" }, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as Partial<AppCredentials> & { message?: string };
    if (!res.ok) throw Object.assign(new Error(`GitHub answered HTTP ${res.status} to the manifest conversion${body.message ? `: ${body.message}` : ""}`), { status: res.status });
    if (typeof body.id !== "number" || typeof body.pem !== "string" || typeof body.webhook_secret !== "string" || typeof body.html_url !== "string") throw new Error("GitHub's answer to the manifest conversion lacks id, pem, webhook_secret or html_url");
    return body as AppCredentials;
  };
}

function baseUrl(req: IncomingMessage): string {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(",")[0]?.trim();
  const proto = first(req.headers["x-forwarded-proto"]) === "https" || (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  const host = first(req.headers["x-forwarded-host"]) ?? req.headers.host ?? "localhost";
  return `${proto}://${host}`;
}

function setupPage(o: SetupOptions, manifest: Record<string, unknown>, state: string): string {
  const where = o.org ? `${o.githubUrl}/organizations/${encodeURIComponent(o.org)}/settings/apps/new` : `${o.githubUrl}/settings/apps/new`;
  const hook = (manifest.hook_attributes as { url: string }).url;
  const body = `<p>This server has no App credentials yet (<code>APP_ID</code> is not set). Register tierguard as a GitHub App from its manifest (app.yml): GitHub asks you to name the App, then sends you back here, and the App's id, private key and webhook secret are written to <code>${esc(o.envFile)}</code>.</p>
<p>Webhooks will go to <code>${esc(hook)}</code>${o.webhookProxyUrl ? " (the WEBHOOK_PROXY_URL relay)" : ""}: GitHub must be able to reach it. Registering under ${o.org ? `the organization <b>${esc(o.org)}</b>` : "your personal account (set GH_ORG for an organization)"}.</p>
<form action="${esc(where)}?state=${esc(state)}" method="post">
<input type="hidden" name="manifest" value="${esc(JSON.stringify(manifest))}">
<button type="submit">Register the GitHub App</button>
</form>
<details><summary>The manifest</summary><pre id="manifest">${esc(JSON.stringify(manifest, null, 2))}</pre></details>`;
  return messagePage("Set up tierguard", body);
}

function messagePage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} | tierguard</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}pre{overflow:auto;background:#f6f8fa;padding:1rem}button{font-size:1rem;padding:.5rem 1rem}</style>
</head><body><h1>${esc(title)}</h1>
${body}
</body></html>
`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
