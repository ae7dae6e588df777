import { describe, isManaged, roleOf, writeOf, writeRef, type ClusterObject, type PlannedChange, type Write } from "../reconcile/index.js";
import { recordWrite, type AuditContext, type AuditReason } from "./audit.js";
import { KubeError, type ClusterPort } from "./port.js";

/**
 * Applies planned writes in order through a ClusterPort. A 409 (someone wrote the object since it was read) is met
 * by re-reading it and writing again, a bounded number of times; the adapter has already retried 429 and 5xx. A
 * failure part-way restores, in reverse, what this run changed to what the cluster held before it, and reports the
 * failure. A run killed part-way leaves each write whole (one API call each): the next sync plans from what the
 * cluster holds and finishes, in the same no-gap order. Every write, restores included, is an audit record.
 */
export const DEFAULT_CONFLICT_RETRIES = 5;

export interface ExecuteOptions extends AuditContext {
  /** Re-reads after a 409 before giving up; default DEFAULT_CONFLICT_RETRIES. */
  conflictRetries?: number;
  /** The audit reason of a successful write of this run. */
  reasonOf: (change: PlannedChange) => AuditReason;
}

export interface ExecuteResult {
  /** Every API write made, in order (the restores after a failure too). */
  writes: Write[];
  /** How many of the planned changes were applied (before a failure, and not undone). */
  applied: number;
  /** The write that failed and why; undefined when every write succeeded. */
  failure?: { write: Write; message: string };
  /** After a failure: true when every change was undone; the writes that could not be undone otherwise. */
  restored?: boolean;
  restoreFailures: string[];
}

interface Done {
  change: PlannedChange;
  /** The object before the write (absent for a create). */
  prior?: ClusterObject;
}

export async function executeChanges(port: ClusterPort, changes: readonly PlannedChange[], opts: ExecuteOptions): Promise<ExecuteResult> {
  const writes: Write[] = [];
  const done: Done[] = [];
  for (const change of changes) {
    try {
      const prior = await applyOne(port, change, writes, opts.conflictRetries ?? DEFAULT_CONFLICT_RETRIES);
      done.push({ change, prior });
      await recordWrite(opts, change, opts.reasonOf(change));
    } catch (e) {
      const message = messageOf(e);
      await recordWrite(opts, change, "SyncFailed", { ...change.write, reason: `failed: ${message}` }).catch(() => undefined);
      const restoreFailures = await restore(port, done, writes, opts);
      return { writes, applied: restoreFailures.length, failure: { write: change.write, message }, restored: restoreFailures.length === 0, restoreFailures };
    }
  }
  return { writes, applied: done.length, restoreFailures: [] };
}

/** One planned write, with the 409 loop. Returns what the object was before it. */
async function applyOne(port: ClusterPort, change: PlannedChange, writes: Write[], retries: number): Promise<ClusterObject | undefined> {
  const ref = writeRef(change.write);
  let verb = change.write.verb;
  let object = change.write.object;
  let prior = change.live;
  for (let attempt = 0; ; attempt++) {
    try {
      writes.push({ ...change.write, verb, ...(object ? { object } : {}) });
      if (verb === "delete") await port.delete(ref);
      else if (verb === "create") await port.create(object!);
      else await port.update(object!);
      return prior;
    } catch (e) {
      // 409: written since it was read; 404 on an update: deleted since it was read. Both: re-read and write again.
      const stale = e instanceof KubeError && (e.status === 409 || (e.status === 404 && verb === "update"));
      if (!stale || attempt >= retries) throw e;
      // Re-read: take the new resourceVersion, or create what vanished; never take over what is not ours.
      const fresh = await port.get(ref);
      if (verb === "delete") {
        if (!fresh) return prior;
        if (!isManaged(fresh)) throw new Error(`${describe(ref)} is no longer managed by tierguard; not deleted`);
        prior = fresh;
        continue;
      }
      const adopting = change.live !== undefined && !isManaged(change.live);
      if (fresh && !isManaged(fresh) && !adopting) throw new Error(`${describe(ref)} is now an object tierguard does not manage; not overwritten`);
      if (fresh && isManaged(fresh) && roleOf(fresh) !== roleOf(object!)) throw new Error(`${describe(ref)} now belongs to another role; not overwritten`);
      prior = fresh;
      verb = fresh ? "update" : "create";
      object = withVersion(object!, fresh?.metadata.resourceVersion);
    }
  }
}

function withVersion(obj: ClusterObject, resourceVersion: string | undefined): ClusterObject {
  const out = structuredClone(obj);
  if (resourceVersion === undefined) delete out.metadata.resourceVersion;
  else out.metadata.resourceVersion = resourceVersion;
  return out;
}

/** Undoes `done` in reverse: a create deleted, an update written back, a delete created again. */
async function restore(port: ClusterPort, done: readonly Done[], writes: Write[], opts: ExecuteOptions): Promise<string[]> {
  const failures: string[] = [];
  for (const { change, prior } of [...done].reverse()) {
    const ref = writeRef(change.write);
    try {
      let write: Write;
      if (!prior) {
        write = writeOf("delete", ref, `restore: remove ${describe(ref)}, created by the failed run`);
        writes.push(write);
        await port.delete(ref);
      } else {
        const current = await port.get(ref);
        const object = withVersion(cleanForWrite(prior), current?.metadata.resourceVersion);
        write = writeOf(current ? "update" : "create", ref, `restore ${describe(ref)} as it was before the failed run`, object);
        writes.push(write);
        await (current ? port.update(object) : port.create(object));
      }
      await recordWrite(opts, change, "Restored", write);
    } catch (e) {
      failures.push(`${describe(ref)}: ${messageOf(e)}`);
    }
  }
  return failures;
}

/** What may be sent back of an object read from the server: no uid, no server-set timestamps or managed fields. */
function cleanForWrite(obj: ClusterObject): ClusterObject {
  const { apiVersion, kind, metadata, spec } = structuredClone(obj);
  const m: ClusterObject["metadata"] = { name: metadata.name };
  if (metadata.namespace !== undefined) m.namespace = metadata.namespace;
  if (metadata.labels) m.labels = metadata.labels;
  if (metadata.annotations) m.annotations = metadata.annotations;
  return { apiVersion, kind, metadata: m, spec };
}

export function messageOf(e: unknown): string {
  // The adapter's message already names the call and its status (`update NetworkPolicy shop/b: 403 Forbidden: ...`);
  // the report names the write itself, so it takes the server's words alone.
  if (e instanceof KubeError) return `${e.status}${e.reason ? ` ${e.reason}` : ""}: ${e.detail ?? e.message}`;
  return e instanceof Error ? e.message : String(e);
}
