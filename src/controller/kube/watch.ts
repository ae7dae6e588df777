import { CustomObjectsApi, Watch, type KubeConfig } from "@kubernetes/client-node";
import { SILENT_LOG, type Log } from "../../contracts/index.js";
import { kindInfo, type ClusterKind, type ClusterObject } from "../../reconcile/index.js";
import type { KubeError } from "../port.js";
import { toKubeError } from "./errors.js";

/**
 * A watch that never gives up: list, then watch from the list's resourceVersion (with bookmarks), and on ANY end
 * start again: a clean server-side end re-watches from the last resourceVersion at once; 410 Gone (an HTTP 410 or
 * an ERROR event with code 410) relists at once and reports the difference; every other error (5xx, a dropped
 * connection, 401) waits a jittered exponential backoff, then re-watches. The client's own informer stops for good
 * on errors other than 410, which would leave the controller blind to drift.
 */
export interface WatchHandlers {
  add?(o: ClusterObject): void;
  update?(o: ClusterObject): void;
  delete?(o: ClusterObject): void;
  /** An error the watch will recover from, and how long it waits first. */
  error?(e: KubeError, retryInMs: number): void;
}

export interface RestartableWatchOptions {
  labelSelector?: string;
  /** First backoff (default 500 ms), doubling up to `capMs` (default 30 s); the wait is jittered to 50–100%. */
  baseMs?: number;
  capMs?: number;
  /** Injected for tests: the wait and the jitter source (0 ≤ x < 1). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: Log;
}

const key = (o: ClusterObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

export class RestartableWatch {
  private readonly cache = new Map<string, ClusterObject>();
  private rv: string | undefined;
  private failures = 0;
  private stopped = false;
  private abort?: AbortController;
  private synced!: Promise<void>;
  private markSynced!: () => void;
  /** How many times it listed (the first sync and every relist after 410). */
  lists = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly kind: ClusterKind,
    private readonly handlers: WatchHandlers,
    private readonly opts: RestartableWatchOptions = {},
  ) {
    this.synced = new Promise((ok) => (this.markSynced = ok));
  }

  /** Starts the loop; resolves once the first list is in the cache (it keeps retrying until then). */
  start(): Promise<void> {
    void this.loop();
    return this.synced;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  /** The resourceVersion it would watch from now (undefined: it relists next). */
  get resourceVersion(): string | undefined {
    return this.rv;
  }

  /** The objects as last seen. */
  list(): ClusterObject[] {
    return [...this.cache.values()];
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.rv === undefined) await this.relist();
        const gone = await this.watchOnce();
        if (gone) this.rv = undefined;
      } catch (e) {
        this.abort?.abort(); // an ERROR event rejects while the stream may still be open
        if (this.stopped) return;
        const err = toKubeError(e, `watch ${this.kind}`);
        if (err.status === 410) {
          this.rv = undefined;
          continue;
        }
        this.failures++;
        const base = Math.min(this.opts.capMs ?? 30_000, (this.opts.baseMs ?? 500) * 2 ** (this.failures - 1));
        const wait = Math.round(base * (0.5 + (this.opts.random ?? Math.random)() / 2));
        (this.opts.log ?? SILENT_LOG).warn({ kind: this.kind, status: err.status, reason: err.reason, retryInMs: wait }, `kube: watch of ${this.kind} failed; restarting`);
        this.handlers.error?.(err, wait);
        await (this.opts.sleep ?? ((ms) => new Promise((ok) => setTimeout(ok, ms))))(wait);
      }
    }
  }

  /** Lists, replaces the cache and reports what changed since the last view (deletions seen only by a relist too). */
  private async relist(): Promise<void> {
    const k = kindInfo(this.kind);
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    const list = (await custom.listClusterCustomObject({ group: k.group, version: k.version, plural: k.plural, labelSelector: this.opts.labelSelector })) as { metadata?: { resourceVersion?: string }; items?: ClusterObject[] };
    this.lists++;
    const fresh = new Map((list.items ?? []).map((o) => [key(o), { ...o, apiVersion: `${k.group}/${k.version}`, kind: k.apiKind }]));
    for (const [id, old] of this.cache) if (!fresh.has(id)) this.remove(old);
    for (const o of fresh.values()) this.upsert(o);
    this.rv = list.metadata?.resourceVersion ?? "";
    this.failures = 0;
    this.markSynced();
  }

  /** One watch request; resolves true when it ended on a 410 ERROR event, false on a clean end; rejects on error. */
  private watchOnce(): Promise<boolean> {
    const k = kindInfo(this.kind);
    const path = `/apis/${k.group}/${k.version}/${k.plural}`;
    let gone = false;
    return new Promise<boolean>((resolve, reject) => {
      const onEvent = (type: string, obj: ClusterObject & { code?: number }) => {
        if (type === "ERROR") {
          if (obj.code === 410) gone = true;
          else reject(toKubeError(Object.assign(new Error((obj as { message?: string }).message ?? "watch error"), { statusCode: obj.code ?? 500 })));
          return;
        }
        if (obj.metadata?.resourceVersion) this.rv = obj.metadata.resourceVersion;
        if (type === "BOOKMARK") return;
        this.failures = 0;
        const o = { ...obj, apiVersion: `${k.group}/${k.version}`, kind: k.apiKind };
        if (type === "DELETED") this.remove(o);
        else this.upsert(o);
      };
      const done = (err: unknown) => (err ? reject(err) : resolve(gone));
      new Watch(this.kc)
        .watch(path, { resourceVersion: this.rv, allowWatchBookmarks: true, labelSelector: this.opts.labelSelector }, onEvent, done)
        .then((ac) => (this.abort = ac), reject);
    });
  }

  private upsert(o: ClusterObject): void {
    const old = this.cache.get(key(o));
    this.cache.set(key(o), o);
    if (!old) this.handlers.add?.(o);
    else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.handlers.update?.(o);
  }

  private remove(o: ClusterObject): void {
    if (!this.cache.delete(key(o))) return;
    this.handlers.delete?.(o);
  }
}
