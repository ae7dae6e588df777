import { badRequest, StatusError } from "./status.js";

/**
 * The three patch types a controller sends: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and a simplified
 * server-side apply (the applied configuration is merged in, and fields this field manager applied before but no
 * longer applies are removed). Pure functions over plain JSON; the input is never mutated.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

interface Op {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw badRequest(`json patch: invalid path ${JSON.stringify(path)}`);
  return path.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, parts: string[], path: string): { parent: JsonObject | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined!;
    if (cur === undefined) throw new StatusError(422, "Invalid", `json patch: the path ${JSON.stringify(path)} does not exist`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new StatusError(422, "Invalid", `json patch: the path ${JSON.stringify(path)} does not exist`);
  return { parent: cur, key: parts[parts.length - 1] };
}

function read(doc: Json, path: string): Json {
  let cur: Json = doc;
  for (const p of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined!;
    if (cur === undefined) throw new StatusError(422, "Invalid", `json patch: the path ${JSON.stringify(path)} does not exist`);
  }
  return cur;
}

function remove(doc: Json, path: string): void {
  const { parent, key } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (key in parent) delete parent[key];
  else throw new StatusError(422, "Invalid", `json patch: cannot remove ${JSON.stringify(path)}: absent`);
}

function add(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const i = key === "-" ? parent.length : Number(key);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else {
    if (replace && !(key in parent)) throw new StatusError(422, "Invalid", `json patch: cannot replace ${JSON.stringify(path)}: absent`);
    parent[key] = structuredClone(value);
  }
  return doc;
}

export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw badRequest("json patch: the body must be an array of operations");
  let doc = structuredClone(target);
  for (const o of ops as Op[]) {
    switch (o.op) {
      case "add":
        doc = add(doc, o.path, o.value ?? null, false);
        break;
      case "replace":
        doc = add(doc, o.path, o.value ?? null, true);
        break;
      case "remove":
        remove(doc, o.path);
        break;
      case "test":
        if (JSON.stringify(read(doc, o.path)) !== JSON.stringify(o.value)) throw new StatusError(422, "Invalid", `json patch: test failed at ${o.path}`);
        break;
      case "move":
      case "copy": {
        const v = read(doc, o.from ?? "");
        if (o.op === "move") remove(doc, o.from ?? "");
        doc = add(doc, o.path, v, false);
        break;
      }
      default:
        throw badRequest(`json patch: unknown operation ${JSON.stringify(o.op)}`);
    }
  }
  return doc;
}

/** Fields present in `before` (what this manager applied last time) and absent from `after`, removed from `live`. */
function prune(live: Json, before: Json, after: Json): Json {
  if (!isObject(live) || !isObject(before)) return live;
  const out: JsonObject = { ...live };
  for (const k of Object.keys(before)) {
    if (!isObject(after) || !(k in after)) delete out[k];
    else out[k] = prune(out[k] ?? null, before[k], after[k]);
  }
  return out;
}

/**
 * Fields an apply would change that another field manager set: the leaves of the applied configuration (under
 * spec, metadata.labels and metadata.annotations) whose live value differs, as `.spec.order` paths. Equal values
 * are not conflicts (the server shares ownership then), exactly as a real apply without `force`.
 */
export function applyConflicts(live: Json, applied: Json, path = ""): string[] {
  if (!isObject(applied)) return live !== null && live !== undefined && JSON.stringify(live) !== JSON.stringify(applied) ? [path] : [];
  if (!isObject(live)) return live === null || live === undefined ? [] : [path];
  return Object.entries(applied).flatMap(([k, v]) => applyConflicts(live[k] ?? null, v, `${path}.${k}`));
}

/** Server-side apply, simplified: merge the applied configuration over the live object; drop what it stopped applying. */
export function applyPatch(live: Json, lastApplied: Json, applied: Json): Json {
  return mergeApplied(prune(live, lastApplied, applied), applied);
}

function mergeApplied(live: Json, applied: Json): Json {
  if (!isObject(applied) || !isObject(live)) return structuredClone(applied);
  const out: JsonObject = { ...live };
  for (const [k, v] of Object.entries(applied)) out[k] = mergeApplied(out[k] ?? null, v);
  return out;
}
