import { ANNOTATIONS, describe, objectDrift, ownMarks, refKey, refOf, specHash, type ClusterObject, type DriftFinding, type ObjectRef } from "../reconcile/index.js";
import type { ClusterPort } from "./port.js";

/**
 * Which watch events are tierguard's own writes and which are drift. tierguard's writes pass through the
 * ClusterPort, so `trackingPort` tells the tracker what it is about to write or delete before the event for it can
 * arrive; a watch event whose object still covers one of the recent versions tierguard wrote is its own, as is a
 * deletion tierguard asked for. Anything else is a hand edit (the spec changed, the spec-hash annotation did not)
 * or a deletion by hand. After a restart, before tierguard has written anything, an object whose spec still hashes
 * to its own spec-hash annotation is taken as Git's version.
 */
const RECENT_WRITES = 4;

export class DriftTracker {
  /** refKey → the last versions tierguard wrote (newest last): a watch may still deliver the older ones. */
  private readonly written = new Map<string, ClusterObject[]>();
  /** refKeys tierguard deleted whose DELETED event has not come yet. */
  private readonly deleting = new Set<string>();

  /** tierguard is about to create or update `obj`. */
  wrote(obj: ClusterObject): void {
    const key = keyOf(obj);
    this.deleting.delete(key);
    const recent = [...(this.written.get(key) ?? []), obj];
    this.written.set(key, recent.slice(-RECENT_WRITES));
  }

  /** tierguard is about to delete `ref`. */
  deleted(ref: ObjectRef): void {
    const key = refKey(ref);
    this.deleting.add(key);
    this.written.delete(key);
  }

  /** An object seen by a list or an ADDED event: a baseline when it says what tierguard last wrote. */
  seen(live: ClusterObject): void {
    const key = keyOf(live);
    if (!this.written.has(key) && hashHolds(live)) this.written.set(key, [live]);
  }

  /** A MODIFIED event: the drift it is, or undefined when it is tierguard's own write (or changes nothing of Git's). */
  modified(live: ClusterObject): DriftFinding | undefined {
    const key = keyOf(live);
    const recent = this.written.get(key);
    if (!recent) {
      this.seen(live);
      if (hashHolds(live)) return undefined;
      const ref = refOf(live);
      return { ref, drift: "edited", message: `${describe(ref)} was edited in the cluster: it no longer matches its ${ANNOTATIONS.hash} annotation` };
    }
    const findings = recent.map((w) => objectDrift(w, live));
    if (findings.some((f) => f === undefined)) return undefined;
    return findings.at(-1);
  }

  /** A DELETED event: drift unless tierguard deleted it. */
  removed(live: ClusterObject): DriftFinding | undefined {
    const key = keyOf(live);
    if (this.deleting.delete(key)) return undefined;
    const recent = this.written.get(key);
    this.written.delete(key);
    return objectDrift(recent?.at(-1) ?? live, undefined);
  }
}

/** The ClusterPort, telling `tracker` about every write before it is made (restores and 409 retries included). */
export function trackingPort(port: ClusterPort, tracker: DriftTracker): ClusterPort {
  return {
    discover: () => port.discover(),
    list: (kind, selector) => port.list(kind, selector),
    get: (ref) => port.get(ref),
    create: (obj) => (tracker.wrote(obj), port.create(obj)),
    update: (obj) => (tracker.wrote(obj), port.update(obj)),
    delete: (ref) => (tracker.deleted(ref), port.delete(ref)),
    event: (e) => port.event(e),
    ...(port.nodes ? { nodes: () => port.nodes!() } : {}),
  };
}

function keyOf(obj: ClusterObject): string {
  return refKey(refOf(obj));
}

/** The object's spec, labels and own annotations still hash to the spec-hash annotation tierguard wrote. */
function hashHolds(obj: ClusterObject): boolean {
  const own = ownMarks(obj);
  return obj.metadata.annotations?.[ANNOTATIONS.hash] === specHash(obj.spec ?? {}, own.labels, own.annotations);
}
