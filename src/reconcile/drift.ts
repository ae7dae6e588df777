import { describe, firstDifference, type PlannedChange } from "./diff.js";
import { isManaged, refKey, refOf, roleOf, type Desired } from "./objects.js";
import { ANNOTATIONS, type ClusterObject, type ObjectRef } from "./types.js";

/**
 * Drift: what changed in the cluster behind Git's back since tierguard applied it. Checked against the commit last
 * synced (so an absent object was deleted by hand, not yet to be created): a managed object deleted, one whose live
 * spec, labels or annotations no longer cover Git's (naming the first field that differs), or one replaced by an
 * object tierguard does not manage. The controller restores Git's version unless it is told only to report.
 */
export type DriftKind = "deleted" | "edited" | "replaced";

export interface DriftFinding {
  ref: ObjectRef;
  drift: DriftKind;
  /** The first field path that no longer says what Git says ("spec.ingress[0].action"); edited only. */
  path?: string;
  /** Git's value and the live one at `path` (undefined: absent). */
  expected?: unknown;
  actual?: unknown;
  message: string;
}

export function driftFindings(desired: readonly Desired[], observed: readonly ClusterObject[]): DriftFinding[] {
  const live = new Map(observed.map((o) => [refKey(refOf(o)), o]));
  const out: DriftFinding[] = [];
  for (const d of desired) {
    const f = objectDrift(d.object, live.get(refKey(refOf(d.object))));
    if (f) out.push(f);
  }
  return out;
}

/**
 * The edits by hand a sync's updates undo, from the plan alone (no record of the last commit needed): an update of
 * an enforced object whose hash annotation is the very one Git's object gets (Git did not change it since
 * tierguard wrote it), yet whose fields no longer say what Git says. A deletion by hand is a create here and
 * cannot be told from a new resource without the last commit (detectDrift against it finds those).
 */
export function editedBehindGit(changes: readonly PlannedChange[]): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const c of changes) {
    const live = c.live;
    const want = c.desired?.object;
    if (c.write.verb !== "update" || !live || !want || !isManaged(live) || roleOf(live) !== "enforced") continue;
    if (live.metadata.annotations?.[ANNOTATIONS.hash] !== want.metadata.annotations?.[ANNOTATIONS.hash]) continue;
    const found = objectDrift(want, live);
    if (found) out.push(found);
  }
  return out;
}

/**
 * One object's drift: `expected` is what tierguard wrote (Git's version), `live` what the cluster holds now
 * (undefined: absent). Undefined when the live object still covers what tierguard wrote. The drift watcher asks
 * this of each object a watch event brings.
 */
export function objectDrift(expected: ClusterObject, live: ClusterObject | undefined): DriftFinding | undefined {
  const ref = refOf(expected);
  if (!live) return { ref, drift: "deleted", message: `${describe(ref)} was deleted from the cluster; Git still defines it` };
  if (!isManaged(live)) return { ref, drift: "replaced", message: `${describe(ref)} was replaced by an object tierguard does not manage` };
  const path = firstDifference(live, expected);
  if (path === undefined) return undefined;
  const want = valueAt(expected, path);
  const actual = valueAt(live, path);
  return { ref, drift: "edited", path, expected: want, actual, message: `${describe(ref)} was edited in the cluster: ${path} is ${show(actual)}, Git says ${show(want)}` };
}

/** The value at a path such as `spec.ingress[0].source.selector` (undefined when absent). */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return "absent";
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
