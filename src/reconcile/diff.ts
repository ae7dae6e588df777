import type { Resource } from "../policy/index.js";
import { uncoveredPath } from "./covers.js";
import { fromClusterObject, isManaged, ownMarks, PREVIEW_OF_ANNOTATION, refKey, refOf, roleOf, type Desired } from "./objects.js";
import { ANNOTATIONS, PR_LABEL, type ClusterObject, type ObjectRef, type StateChange, type Write, type WriteVerb } from "./types.js";

/**
 * What the repository wants against what the cluster holds: the writes that reconcile them, touching MANAGED
 * objects only. An unmanaged object is never changed or deleted; one with the identity of a repository resource is
 * a conflict (the sync reports it and fails) unless the caller adopts it. "Nothing to do" is decided by the hash
 * annotation (what tierguard last wrote) and the live object still covering the desired one, so server defaults
 * never cause a write and a second sync writes nothing.
 */
export interface PlannedChange extends StateChange<Resource> {
  /** The object as the cluster holds it before the write (update, delete); the executor restores it on failure. */
  live?: ClusterObject;
  /** The object to write (create, update). */
  desired?: Desired;
  /** True for the removal of a staged twin (a preview, or the repository's staged policy) that an enforced policy replaces. */
  twin?: boolean;
}

export interface Conflict {
  ref: ObjectRef;
  /** The repository file and line that define the resource. */
  file: string;
  line: number;
  message: string;
}

export interface DiffInput {
  desired: readonly Desired[];
  /** Every object of the managed kinds in the cluster (managed or not). */
  observed: readonly ClusterObject[];
  /** Take over unmanaged objects that have a repository resource's identity instead of reporting them. */
  adopt?: boolean;
  /** The pull request being promoted: its previews are removed once what they previewed is enforced. */
  pullRequest?: number;
}

export interface DiffResult {
  /** Unordered: `orderChanges` puts them in the no-gap order. */
  changes: PlannedChange[];
  conflicts: Conflict[];
  /** Observed objects no write touches (managed and up to date, unmanaged, other pull requests' previews). */
  untouched: ClusterObject[];
}

export function diffCluster(input: DiffInput): DiffResult {
  const observed = new Map(input.observed.map((o) => [refKey(refOf(o)), o]));
  const changes: PlannedChange[] = [];
  const conflicts: Conflict[] = [];
  const touched = new Set<string>();
  const wanted = new Set<string>();
  for (const d of input.desired) {
    const ref = refOf(d.object);
    const key = refKey(ref);
    wanted.add(key);
    const live = observed.get(key);
    if (!live) {
      changes.push(upsert("create", d, undefined));
      continue;
    }
    const ours = isManaged(live) && roleOf(live) === "enforced";
    if (!ours && !input.adopt) {
      const at = d.resource.source.at("");
      const whose = isManaged(live) ? `pull request #${live.metadata.labels?.[PR_LABEL] ?? "?"}'s staged preview` : "an object tierguard does not manage";
      conflicts.push({ ref, file: at.file, line: at.line, message: `${describe(ref)} is ${whose}; tierguard never changes it (run with --adopt to take it over)` });
      continue;
    }
    if (ours && upToDate(live, d.object)) continue;
    touched.add(key);
    changes.push(upsert("update", d, live));
  }
  for (const [key, live] of observed) {
    if (wanted.has(key) || !isManaged(live)) continue;
    const preview = roleOf(live) === "preview";
    if (preview && (input.pullRequest === undefined || live.metadata.labels?.[PR_LABEL] !== String(input.pullRequest))) continue;
    touched.add(key);
    changes.push(removal(live, preview ? "remove the staged preview it replaces" : "no longer in the repository", preview));
  }
  markRepositoryTwins(changes);
  const untouched = [...observed].filter(([k]) => !touched.has(k)).map(([, o]) => o);
  return { changes, conflicts, untouched };
}

/** Equal hash and a covering live object: tierguard wrote this and nobody changed what it says since. */
export function upToDate(live: ClusterObject, desired: ClusterObject): boolean {
  return live.metadata.annotations?.[ANNOTATIONS.hash] === desired.metadata.annotations?.[ANNOTATIONS.hash] && firstDifference(live, desired) === undefined;
}

/** The first field path where the live object no longer says what the desired one does (spec, labels, the repository's annotations). */
export function firstDifference(live: ClusterObject, desired: ClusterObject): string | undefined {
  const own = ownMarks(desired);
  return (
    uncoveredPath(live.spec, desired.spec, "spec") ??
    uncoveredPath(live.metadata.labels, own.labels, "metadata.labels") ??
    uncoveredPath(live.metadata.annotations, own.annotations, "metadata.annotations")
  );
}

export function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

export function writeRef(w: Write): ObjectRef {
  return w.namespace === null ? { kind: w.kind, name: w.name } : { kind: w.kind, namespace: w.namespace, name: w.name };
}

export function writeOf(verb: WriteVerb, ref: ObjectRef, reason: string, object?: ClusterObject): Write {
  const w: Write = { verb, kind: ref.kind, namespace: ref.namespace ?? null, name: ref.name, reason };
  if (object) w.object = object;
  return w;
}

function upsert(verb: "create" | "update", d: Desired, live: ClusterObject | undefined): PlannedChange {
  const ref = refOf(d.object);
  const object = structuredClone(d.object);
  if (live?.metadata.resourceVersion !== undefined) object.metadata.resourceVersion = live.metadata.resourceVersion;
  const change: PlannedChange = { write: writeOf(verb, ref, `${verb} ${describe(ref)}`, object), after: d.resource, desired: d };
  if (live) {
    change.live = live;
    change.before = fromClusterObject(live);
  }
  return change;
}

export function removal(live: ClusterObject, why: string, twin = false): PlannedChange {
  const ref = refOf(live);
  const change: PlannedChange = { write: writeOf("delete", ref, `delete ${describe(ref)}: ${why}`), live, before: fromClusterObject(live) };
  if (twin) change.twin = true;
  return change;
}

/**
 * The repository's own promotion: a StagedNetworkPolicy removed in the commit that adds its enforced NetworkPolicy
 * (same namespace and name) is the staged twin, removed only after the enforced policy exists.
 */
function markRepositoryTwins(changes: PlannedChange[]): void {
  const enforced = new Set(changes.filter((c) => c.write.verb !== "delete").map((c) => `Staged${c.write.kind}/${c.write.namespace ?? ""}/${c.write.name}`));
  for (const c of changes) {
    if (c.write.verb === "delete" && c.write.kind.startsWith("Staged") && enforced.has(`${c.write.kind}/${c.write.namespace ?? ""}/${c.write.name}`)) {
      c.twin = true;
      c.write.reason = `delete ${describe(writeRef(c.write))}: its enforced twin replaces it`;
    }
  }
}

/** The enforced policy a preview stands for (PREVIEW_OF_ANNOTATION), as a refKey. */
export function previewOf(obj: ClusterObject): string | undefined {
  return obj.metadata.annotations?.[PREVIEW_OF_ANNOTATION];
}
