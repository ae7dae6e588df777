import { timingSafeEqual } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBoard, renderBoardHtml } from "../../board/index.js";
import { DEFAULT_MAX_LINE_LENGTH } from "../../flows/detect.js";
import { fileFlowReader } from "../../io/flow-reader.js";
import { headBoard } from "../../run/index.js";
import { httpStatus, type GitHubApi, type RepoRef } from "../api.js";
import { defaultBranchTip } from "../recommend-run.js";
import { scrub } from "../redact.js";
import { readRevisionInputs } from "../revision-inputs.js";
import type { SnapshotLimits } from "../snapshot.js";
import type { EdgeLog, RequestHandler } from "./webhook-edge.js";

/**
 * `GET /board/<owner>/<repo>`: the policy board of a repository's default branch, the page `tierguard board` writes
 * (policies, hits from the snapshot tierguard.yaml names, the inventory's endpoints), served by the App for the
 * repositories it is configured for (`TIERGUARD_BOARD_REPOS`) and, when a token is configured
 * (`TIERGUARD_BOARD_TOKEN`), only to requests that bear it. Read-only: GET and HEAD; nothing is written to GitHub.
 * The page carries no secret: snapshot URLs are shown scrubbed, the App's tokens never reach the model. A board is
 * built once per commit of the default branch and kept until the branch moves.
 */
export interface BoardRouteOptions {
  /** `owner/repo`, any case; a repository not listed answers 404 (as one the App does not know). */
  repos: readonly string[];
  /** When set, `Authorization: Bearer <token>` is required (401 otherwise). */
  token?: string;
  unusedDays?: number;
  snapshot?: SnapshotLimits;
}

/** The App's GitHub clients: app-authenticated (JWT) without an id, installation-authenticated with one. */
export type AppAuth = (installationId?: number) => Promise<GitHubApi>;

const ROUTE = /^\/board\/([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100})\/?$/;

export function boardRoute(o: BoardRouteOptions, auth: AppAuth, log: EdgeLog): RequestHandler {
  const allowed = new Set(o.repos.map((r) => r.toLowerCase()));
  const cache = new Map<string, { sha: string; html: Promise<string> }>();
  return async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (!path.startsWith("/board/")) return false;
    const m = ROUTE.exec(path);
    const send = (status: number, text: string, headers: Record<string, string> = {}) => void res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers }).end(req.method === "HEAD" ? undefined : `${text}\n`);
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "Method Not Allowed: the board is read-only", { allow: "GET, HEAD" }), true;
    if (!m || !allowed.has(`${m[1]}/${m[2]}`.toLowerCase())) return send(404, "Not Found"), true;
    if (o.token !== undefined && !bears(req.headers.authorization, o.token)) return send(401, "Unauthorized: this board needs the bearer token it was configured with", { "www-authenticate": 'Bearer realm="tierguard board"' }), true;
    const repo = { owner: m[1], repo: m[2] };
    try {
      const api = await installationApi(auth, repo);
      if (!api) return send(404, "Not Found: the App is not installed on this repository"), true;
      const tip = await defaultBranchTip(api, repo);
      const key = `${repo.owner}/${repo.repo}`.toLowerCase();
      let entry = cache.get(key);
      if (!entry || entry.sha !== tip.sha) {
        const fresh = { sha: tip.sha, html: boardHtml(api, repo, tip, o, log) };
        cache.set(key, fresh);
        // A failed build is not kept (the next request tries again), unless a newer one replaced it meanwhile.
        fresh.html.catch(() => cache.get(key) === fresh && cache.delete(key));
        entry = fresh;
      }
      const html = await entry.html;
      res.writeHead(200, PAGE_HEADERS).end(req.method === "HEAD" ? undefined : html);
      log.info({ repo: key, sha: tip.sha }, "served the policy board");
    } catch (e) {
      log.error({ repo: `${repo.owner}/${repo.repo}`, status: httpStatus(e), err: { message: (e as Error)?.message ?? String(e) } }, "could not build the policy board");
      send(502, "Bad Gateway: the board could not be built from GitHub (see the App's log)");
    }
    return true;
  };
}

/** The page brings its own Content-Security-Policy; the header repeats it, and nothing may frame or sniff it. */
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "private, no-store",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function bears(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function installationApi(auth: AppAuth, repo: RepoRef): Promise<GitHubApi | undefined> {
  try {
    const { data } = await (await auth()).request<{ id: number }>("GET /repos/{owner}/{repo}/installation", { ...repo });
    return await auth(data.id);
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    throw e;
  }
}

async function boardHtml(api: GitHubApi, repo: RepoRef, tip: { ref: string; sha: string }, o: BoardRouteOptions, log: EdgeLog): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), "tierguard-board-"));
  try {
    const inputs = await readRevisionInputs({ api, repo, sha: tip.sha, snapshot: o.snapshot, scratch, log });
    const errors = inputs.diagnostics.filter((d) => d.severity === "error").length;
    const board = await headBoard({
      resources: inputs.resources,
      version: inputs.config.calicoVersion,
      inventory: inputs.inventory,
      flows: inputs.flows,
      reader: fileFlowReader,
      maxLineBytes: DEFAULT_MAX_LINE_LENGTH,
      title: `tierguard policy board: ${repo.owner}/${repo.repo} at ${tip.ref}`,
      sources: [
        `${repo.owner}/${repo.repo} at ${tip.ref} (${tip.sha.slice(0, 12)})`,
        ...inputs.flows.map((f) => `flows: ${f.display}`),
        ...(inputs.config.inventory ? [`inventory: ${inputs.config.inventory}`] : []),
        ...inputs.notes,
        ...(errors > 0 ? [`${errors} validation errors at ${tip.ref}: Calico refuses those resources, so the cluster may differ from this board (run tierguard validate)`] : []),
      ].map(scrub),
      unusedDays: o.unusedDays ?? 90,
    });
    return renderBoardHtml(buildBoard(board.input));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
