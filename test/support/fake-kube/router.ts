import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { discovery } from "./discovery.js";
import type { Faults } from "./faults.js";
import { badRequest, notFound, StatusError } from "./status.js";
import type { ResourceDef, Store } from "./store.js";
import type { Watches } from "./watch.js";

/**
 * The fake API server's request handling: bearer-token auth (401), injected faults, discovery, then the REST verbs
 * on `/api/v1/...` and `/apis/<group>/<version>/...` (namespaced and cluster-wide), answering errors with Status
 * objects. Every request is recorded (method, path, query, content type, status).
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  watch: boolean;
  status: number;
}

export interface RouterContext {
  store: Store;
  faults: Faults;
  watches: Watches;
  token: string;
  requests: RecordedRequest[];
  serverAddress: () => string;
  /** calico#12841: server-side apply of an absent projectcalico.org object answers 404 NotFound. */
  ssaCreateNotFound: boolean;
}

interface Target {
  def: ResourceDef;
  namespace?: string;
  name?: string;
}

/** The resource, namespace and name a REST path names; undefined when it names no served resource. */
function target(store: Store, path: string): Target | undefined {
  const segs = path.split("/").filter(Boolean);
  let group: string, version: string, rest: string[];
  if (segs[0] === "api") [group, version, rest] = ["", segs[1], segs.slice(2)];
  else if (segs[0] === "apis") [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) [namespace, rest] = [rest[1], rest.slice(2)];
  if (rest.length < 1 || rest.length > 2) return undefined;
  const def = store.resource(group, version, rest[0]);
  if (!def || (namespace !== undefined && !def.namespaced)) return undefined;
  if (def.namespaced && namespace === undefined && rest[1] !== undefined) return undefined;
  return { def, namespace, name: rest[1] };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseBody(text: string, contentType: string): unknown {
  try {
    // An apply body is YAML, and JSON is YAML: clients send JSON, which JSON.parse reads ten times faster.
    if (contentType === "application/apply-patch+yaml" && !/^\s*[{[]/.test(text)) return parseYaml(text);
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function listOf(t: Target, store: Store, query: URLSearchParams) {
  const apiVersion = t.def.group ? `${t.def.group}/${t.def.version}` : t.def.version;
  // Built-in kinds' list items carry no kind or apiVersion; custom resources' do.
  const builtin = t.def.group !== "projectcalico.org";
  const items = store.list(t.def, t.namespace, query.get("labelSelector")).map((o) => (builtin ? (({ kind: _k, apiVersion: _a, ...rest }) => rest)(o) : o));
  return { kind: `${t.def.kind}List`, apiVersion, metadata: { resourceVersion: store.resourceVersion }, items };
}

async function handleResource(ctx: RouterContext, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams, contentType: string): Promise<void> {
  const { store } = ctx;
  const { def, namespace, name } = t;
  const method = req.method ?? "GET";
  if (name === undefined && method === "GET") {
    if (query.get("watch") === "1" || query.get("watch") === "true") return ctx.watches.serve(req, res, def, namespace, query);
    return reply(res, 200, listOf(t, store, query));
  }
  if (name === undefined && method === "POST") return reply(res, 201, store.create(def, namespace, parseBody(await readBody(req), contentType)));
  if (name === undefined) throw new StatusError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
  if (method === "GET") {
    const o = store.get(def, namespace, name);
    if (!o) throw notFound(def.group, def.plural, name);
    return reply(res, 200, o);
  }
  if (method === "PUT") return reply(res, 200, store.update(def, namespace, name, parseBody(await readBody(req), contentType)));
  if (method === "DELETE") return reply(res, 200, store.delete(def, namespace, name));
  if (method === "PATCH") {
    const body = parseBody(await readBody(req), contentType);
    const existed = store.get(def, namespace, name) !== undefined;
    if (contentType === "application/apply-patch+yaml" && !existed && ctx.ssaCreateNotFound && def.group === "projectcalico.org") throw notFound(def.group, def.plural, name);
    const out = store.patch(def, namespace, name, contentType, body, query.get("fieldManager") ?? undefined, query.get("force") === "true");
    return reply(res, existed ? 200 : 201, out);
  }
  throw new StatusError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
}

export function makeHandler(ctx: RouterContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "https://fake");
    const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim();
    const watch = req.method === "GET" && (url.searchParams.get("watch") === "1" || url.searchParams.get("watch") === "true");
    const rec: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.search, contentType: contentType || undefined, watch, status: 0 };
    ctx.requests.push(rec);
    const origWriteHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      rec.status = status;
      return (origWriteHead as (...a: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof res.writeHead;
    const run = async () => {
      if (req.headers.authorization !== `Bearer ${ctx.token}`) throw new StatusError(401, "Unauthorized", "Unauthorized");
      const fault = ctx.faults.take({ method: rec.method, path: url.pathname, watch });
      if (fault) throw fault;
      if (req.method === "GET") {
        const doc = discovery(ctx.store, url.pathname, ctx.serverAddress());
        if (doc !== undefined) return reply(res, 200, doc);
      }
      const t = target(ctx.store, url.pathname);
      if (!t) throw new StatusError(404, "NotFound", "the server could not find the requested resource");
      await handleResource(ctx, req, res, t, url.searchParams, contentType);
    };
    run().catch((e: unknown) => {
      const err = e instanceof StatusError ? e : new StatusError(500, "InternalError", `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
      if (res.headersSent) return void res.end();
      reply(res, err.code, err.body(), err.headers);
    });
  };
}
