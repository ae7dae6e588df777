import { randomUUID } from "node:crypto";
import { applyConflicts, applyPatch, jsonPatch, mergePatch, type Json } from "./patch.js";
import { parseLabelSelector } from "./selector.js";
import { alreadyExists, badRequest, conflict, invalid, notFound, StatusError } from "./status.js";

/**
 * The fake API server's state: plain JSON objects per resource (group/version/plural), one resourceVersion counter
 * for the whole server (as etcd's revision), a history of watch events, and a record of every state the cluster
 * passes through (after each successful write, the write and a snapshot of all objects). Stored objects are frozen
 * and never mutated, so a snapshot is an array of references.
 */
export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; [k: string]: any }; [k: string]: any };

export type WatchType = "ADDED" | "MODIFIED" | "DELETED";
export interface StoreEvent {
  rv: number;
  type: WatchType;
  def: ResourceDef;
  object: KubeObject;
  /** The object before a MODIFIED or DELETED (for label-selector transitions). */
  old?: KubeObject;
}

export interface RecordedState {
  rv: number;
  verb: "create" | "update" | "patch" | "delete";
  resource: string;
  namespace?: string;
  name: string;
  /** Every object of every resource right after the write (frozen references). */
  objects: KubeObject[];
}

export const resourceKey = (d: { group: string; version: string; plural: string }) => `${d.group}/${d.version}/${d.plural}`;
const objectKey = (ns: string | undefined, name: string) => `${ns ?? ""}/${name}`;

function freeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) freeze(x);
    Object.freeze(v);
  }
  return v;
}

export class Store {
  readonly defs = new Map<string, ResourceDef>();
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  /** Applied configurations per field manager and object, for server-side apply's pruning. */
  private readonly applied = new Map<string, Json>();
  private rv = 1000;
  private history: StoreEvent[] = [];
  /** A watch from a resourceVersion below this answers 410 Gone. */
  compactedRv = 0;
  readonly states: RecordedState[] = [];
  recordStates = true;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  register(def: ResourceDef): void {
    this.defs.set(resourceKey(def), def);
    if (!this.objects.has(resourceKey(def))) this.objects.set(resourceKey(def), new Map());
  }

  resource(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.defs.get(resourceKey({ group, version, plural }));
  }

  byKind(apiVersion: string, kind: string): ResourceDef | undefined {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    return [...this.defs.values()].find((d) => d.group === group && d.version === version && d.kind === kind);
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Events of a resource after `rv`, or undefined when the history no longer reaches back that far (410). */
  eventsSince(def: ResourceDef, rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.history.filter((e) => e.rv > rv && e.def === def);
  }

  /** Forgets the watch history: a watch from any resourceVersion before now gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  list(def: ResourceDef, namespace?: string, labelSelector?: string | null): KubeObject[] {
    const match = parseLabelSelector(labelSelector);
    return [...this.objects.get(resourceKey(def))!.values()].filter((o) => (namespace === undefined || o.metadata.namespace === namespace) && match(o.metadata.labels ?? {})).sort((a, b) => objectKey(a.metadata.namespace, a.metadata.name).localeCompare(objectKey(b.metadata.namespace, b.metadata.name)));
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(resourceKey(def))!.get(objectKey(namespace, name));
  }

  /** Every object of every resource (what a recorded state holds). */
  all(): KubeObject[] {
    return [...this.objects.values()].flatMap((m) => [...m.values()]);
  }

  create(def: ResourceDef, namespace: string | undefined, body: unknown, verb: RecordedState["verb"] = "create"): KubeObject {
    const obj = this.checkBody(def, namespace, body);
    const name = obj.metadata.name;
    if (!name) throw invalid(def.group, def.plural, "", "metadata.name: Required value: name or generateName is required");
    if (this.get(def, namespace, name)) throw alreadyExists(def.group, def.plural, name);
    const stored = this.commit(def, { ...obj, metadata: { ...obj.metadata, uid: randomUUID(), generation: 1, creationTimestamp: new Date(0).toISOString() } }, "ADDED", verb);
    return stored;
  }

  update(def: ResourceDef, namespace: string | undefined, name: string, body: unknown): KubeObject {
    const obj = this.checkBody(def, namespace, body);
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    const live = this.get(def, namespace, name);
    if (!live) throw notFound(def.group, def.plural, name);
    const sent = obj.metadata.resourceVersion;
    if (sent === undefined || sent === "") throw invalid(def.group, def.plural, name, "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");
    if (sent !== live.metadata.resourceVersion) throw conflict(def.group, def.plural, name);
    return this.replace(def, live, obj, "update");
  }

  patch(def: ResourceDef, namespace: string | undefined, name: string, type: string, body: unknown, fieldManager?: string, force = false): KubeObject {
    const live = this.get(def, namespace, name);
    if (type === "application/apply-patch+yaml") return this.apply(def, namespace, name, live, body, fieldManager, force);
    if (!live) throw notFound(def.group, def.plural, name);
    let next: Json;
    if (type === "application/merge-patch+json") next = mergePatch(live as unknown as Json, body as Json);
    else if (type === "application/json-patch+json") next = jsonPatch(live as unknown as Json, body);
    else throw new StatusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    const obj = next as unknown as KubeObject;
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== live.metadata.resourceVersion) throw conflict(def.group, def.plural, name);
    return this.replace(def, live, obj, "patch");
  }

  delete(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const live = this.get(def, namespace, name);
    if (!live) throw notFound(def.group, def.plural, name);
    this.objects.get(resourceKey(def))!.delete(objectKey(namespace, name));
    for (const k of [...this.applied.keys()]) if (k.endsWith(`|${resourceKey(def)}|${objectKey(namespace, name)}`)) this.applied.delete(k);
    this.rv++;
    const gone = freeze({ ...live, metadata: { ...live.metadata, resourceVersion: String(this.rv) } });
    this.emit({ rv: this.rv, type: "DELETED", def, object: gone, old: live }, "delete");
    return gone;
  }

  private apply(def: ResourceDef, namespace: string | undefined, name: string, live: KubeObject | undefined, body: unknown, fieldManager: string | undefined, force: boolean): KubeObject {
    if (!fieldManager) throw badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
    const cfg = this.checkBody(def, namespace, body);
    if (cfg.metadata.name !== name) throw badRequest(`the name of the object (${cfg.metadata.name}) does not match the name on the URL (${name})`);
    const key = `${fieldManager}|${resourceKey(def)}|${objectKey(namespace, name)}`;
    if (live && !force && !this.applied.has(key)) {
      // An object this manager never applied: the fields it would change belong to whoever wrote them.
      const owned = { spec: cfg.spec ?? null, metadata: { labels: cfg.metadata.labels ?? null, annotations: cfg.metadata.annotations ?? null } } as unknown as Json;
      const conflicts = applyConflicts({ spec: live.spec ?? null, metadata: { labels: live.metadata.labels ?? null, annotations: live.metadata.annotations ?? null } } as unknown as Json, owned);
      if (conflicts.length > 0) throw new StatusError(409, "Conflict", `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? "s" : ""}: ${conflicts.map((c) => `conflict with "before-first-apply": ${c}`).join(", ")}`, { name, group: def.group, kind: def.plural, causes: conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with "before-first-apply"`, field: c })) });
    }
    const result = live ? this.replace(def, live, applyPatch(live as unknown as Json, this.applied.get(key) ?? null, cfg as unknown as Json) as unknown as KubeObject, "patch") : this.create(def, namespace, cfg, "patch");
    this.applied.set(key, structuredClone(cfg) as unknown as Json);
    return result;
  }

  private replace(def: ResourceDef, live: KubeObject, obj: KubeObject, verb: RecordedState["verb"]): KubeObject {
    const keep = { uid: live.metadata.uid, creationTimestamp: live.metadata.creationTimestamp, name: live.metadata.name, namespace: live.metadata.namespace };
    const specChanged = JSON.stringify(obj.spec) !== JSON.stringify(live.spec);
    const next = { ...obj, apiVersion: live.apiVersion, kind: live.kind, metadata: { ...obj.metadata, ...keep, generation: (live.metadata.generation ?? 1) + (specChanged ? 1 : 0) } };
    return this.commit(def, next, "MODIFIED", verb, live);
  }

  private commit(def: ResourceDef, obj: KubeObject, type: WatchType, verb: RecordedState["verb"], old?: KubeObject): KubeObject {
    this.rv++;
    const stored = freeze(structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } }));
    this.objects.get(resourceKey(def))!.set(objectKey(stored.metadata.namespace, stored.metadata.name), stored);
    this.emit({ rv: this.rv, type, def, object: stored, old }, verb);
    return stored;
  }

  private emit(e: StoreEvent, verb: RecordedState["verb"]): void {
    this.history.push(e);
    if (this.recordStates) this.states.push({ rv: e.rv, verb, resource: resourceKey(e.def), namespace: e.object.metadata.namespace, name: e.object.metadata.name, objects: this.all() });
    for (const l of this.listeners) l(e);
  }

  private checkBody(def: ResourceDef, namespace: string | undefined, body: unknown): KubeObject {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the body of the request must be a JSON object");
    const obj = body as KubeObject;
    const want = def.group ? `${def.group}/${def.version}` : def.version;
    if (obj.kind !== undefined && obj.kind !== def.kind) throw badRequest(`the API version in the data (${obj.apiVersion}) and kind (${obj.kind}) do not match ${want} ${def.kind}`);
    if (obj.apiVersion !== undefined && obj.apiVersion !== want) throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
    const meta = obj.metadata ?? {};
    if (def.namespaced && meta.namespace !== undefined && meta.namespace !== namespace) throw badRequest(`the namespace of the provided object (${meta.namespace}) does not match the namespace sent on the request (${namespace})`);
    const metadata = { ...meta, ...(def.namespaced ? { namespace } : {}) };
    if (!def.namespaced) delete metadata.namespace;
    return { ...obj, apiVersion: want, kind: def.kind, metadata };
  }
}
