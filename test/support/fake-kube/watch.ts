import type { IncomingMessage, ServerResponse } from "node:http";
import { parseLabelSelector } from "./selector.js";
import { gone } from "./status.js";
import type { KubeObject, ResourceDef, Store, StoreEvent } from "./store.js";

/**
 * `?watch=1`: a chunked stream of `{"type","object"}` lines as the real server sends them. From a resourceVersion
 * it replays the history after it (an ERROR event with a 410 Status when the history no longer reaches back that
 * far, then the end of the stream); without one (or "0") it starts with an ADDED per object. Bookmarks when
 * `allowWatchBookmarks` asks for them (every `bookmarkMs`, and on demand); the server ends the watch after
 * `timeoutSeconds` or the fake's `watchTimeoutMs`, as a real server does after its min-request-timeout.
 */
export interface WatchOptions {
  /** The server ends every watch after this long (ms); undefined: only `timeoutSeconds` ends it. */
  watchTimeoutMs?: number;
  /** Bookmark interval for watches that allow bookmarks; undefined: bookmarks only on `Watches.bookmark()`. */
  bookmarkMs?: number;
}

interface OpenWatch {
  res: ServerResponse;
  bookmarks: boolean;
  def: ResourceDef;
  end: () => void;
}

export class Watches {
  private readonly open = new Set<OpenWatch>();

  constructor(
    private readonly store: Store,
    private readonly options: WatchOptions,
  ) {}

  /** How many watches are open now. */
  get count(): number {
    return this.open.size;
  }

  /** Open watches on one resource. */
  on(plural: string): number {
    return [...this.open].filter((w) => w.def.plural === plural).length;
  }

  /** Sends a BOOKMARK now on every watch that allows them. */
  bookmark(): void {
    for (const w of this.open) if (w.bookmarks) this.sendBookmark(w);
  }

  /** Ends every open watch from the server side (the client sees its stream close). */
  endAll(): void {
    for (const w of [...this.open]) w.end();
  }

  /** Drops every open watch's connection abruptly (a network failure, not a clean end). */
  killAll(): void {
    for (const w of [...this.open]) {
      w.res.socket?.destroy();
      w.end();
    }
  }

  serve(req: IncomingMessage, res: ServerResponse, def: ResourceDef, namespace: string | undefined, query: URLSearchParams): void {
    const match = parseLabelSelector(query.get("labelSelector"));
    const inScope = (o: KubeObject | undefined) => o !== undefined && (namespace === undefined || o.metadata.namespace === namespace) && match(o.metadata.labels ?? {});
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    res.flushHeaders(); // the client's fetch resolves on the headers; a quiet watch must not keep it waiting
    const send = (type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + "\n");
    const deliver = (e: StoreEvent) => {
      if (e.def !== def) return;
      const now = inScope(e.object);
      const before = inScope(e.old);
      if (e.type === "ADDED" && now) send("ADDED", e.object);
      else if (e.type === "DELETED" && before) send("DELETED", e.object);
      else if (e.type === "MODIFIED" && now) send(before ? "MODIFIED" : "ADDED", e.object);
      else if (e.type === "MODIFIED" && before) send("DELETED", e.object);
    };
    const rvText = query.get("resourceVersion");
    if (!rvText || rvText === "0") for (const o of this.store.list(def, namespace, query.get("labelSelector"))) send("ADDED", o);
    else {
      const events = this.store.eventsSince(def, Number(rvText));
      if (!events) {
        send("ERROR", gone(`too old resource version: ${rvText} (${this.store.compactedRv})`).body());
        res.end();
        return;
      }
      for (const e of events) deliver(e);
    }
    const timers: NodeJS.Timeout[] = [];
    const w: OpenWatch = { res, def, bookmarks: query.get("allowWatchBookmarks") === "true" || query.get("allowWatchBookmarks") === "1", end: () => undefined };
    const unsubscribe = this.store.subscribe(deliver);
    w.end = () => {
      if (!this.open.delete(w)) return;
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      if (!res.writableEnded) res.end();
    };
    this.open.add(w);
    const timeoutS = Number(query.get("timeoutSeconds") ?? "0");
    const limits = [timeoutS > 0 ? timeoutS * 1000 : undefined, this.options.watchTimeoutMs].filter((n): n is number => n !== undefined);
    if (limits.length > 0) timers.push(setTimeout(w.end, Math.min(...limits)));
    if (w.bookmarks && this.options.bookmarkMs) timers.push(setInterval(() => this.sendBookmark(w), this.options.bookmarkMs));
    req.on("close", w.end);
    res.on("close", w.end);
  }

  private sendBookmark(w: OpenWatch): void {
    const apiVersion = w.def.group ? `${w.def.group}/${w.def.version}` : w.def.version;
    w.res.write(JSON.stringify({ type: "BOOKMARK", object: { kind: w.def.kind, apiVersion, metadata: { resourceVersion: this.store.resourceVersion } } }) + "\n");
  }
}
