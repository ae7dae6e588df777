import { isNamespacedKind, isStagedKind, type Resource } from "../policy/index.js";
import type { StateChange } from "./types.js";

/**
 * The cluster states a write order passes through, as slots: one per object (kind, namespace, name), holding the
 * version the cluster has now and the writes that replace it. A state after a prefix of the order is, per slot,
 * the version the last applied write left (or the current one). Staged kinds never change an enforced verdict
 * (calico-semantics §7), so their slots take no part.
 */
export interface Slot {
  key: string;
  /** What the cluster holds now; undefined: absent. */
  initial?: Resource;
  /** Indices of the changes that write this object, in the given (default) order. */
  changes: number[];
}

export function resourceKey(r: Resource): string {
  const ns = r.metadata.namespace ?? (isNamespacedKind(r.kind) ? "default" : "");
  return `${r.kind}|${ns}|${r.metadata.name ?? ""}`;
}

export class Slots {
  readonly list: Slot[] = [];
  /** The slot each change writes; -1 for a change that no enforced verdict can see (staged kinds, empty changes). */
  readonly ofChange: number[];
  /** Every distinct resource version, with a small id (set keys are built from them). */
  readonly versionId = new Map<Resource, number>();
  readonly slotOfVersion = new Map<Resource, number>();
  private readonly byKey = new Map<string, number>();

  constructor(current: readonly Resource[], changes: readonly StateChange<Resource>[]) {
    for (const r of current) {
      if (isStagedKind(r.kind)) continue;
      const index = this.slot(resourceKey(r));
      this.list[index].initial = r;
      this.addVersion(r, index);
    }
    this.ofChange = changes.map((c, i) => {
      const r = c.before ?? c.after;
      if (!r || isStagedKind(r.kind)) return -1;
      const index = this.slot(resourceKey(r));
      const s = this.list[index];
      // A slot the cluster does not report holding is taken to hold what the first write replaces.
      if (s.changes.length === 0 && !s.initial && c.before) s.initial = c.before;
      s.changes.push(i);
      for (const v of [c.before, c.after]) if (v) this.addVersion(v, index);
      return index;
    });
  }

  indexOf(key: string): number | undefined {
    return this.byKey.get(key);
  }

  /** Every version of every slot (current, before and after of each write). */
  versions(): Resource[] {
    return [...this.versionId.keys()];
  }

  /**
   * The version of a slot after the writes `applied` says were made. Writes to one slot keep their relative order
   * (the orderer adds that as a constraint), so the last applied one in the given order is the latest.
   */
  versionAfter(slot: number, changes: readonly StateChange<Resource>[], applied: (change: number) => boolean): Resource | undefined {
    const s = this.list[slot];
    for (let k = s.changes.length - 1; k >= 0; k--) {
      if (applied(s.changes[k])) return changes[s.changes[k]].after;
    }
    return s.initial;
  }

  /** Pairs (earlier, later) of writes to one object: their order is never changed. */
  sameObjectConstraints(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const s of this.list) for (let k = 1; k < s.changes.length; k++) out.push([s.changes[k - 1], s.changes[k]]);
    return out;
  }

  private slot(key: string): number {
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push({ key, changes: [] });
      this.byKey.set(key, i);
    }
    return i;
  }

  private addVersion(r: Resource, slot: number): void {
    if (this.versionId.has(r)) return;
    this.versionId.set(r, this.versionId.size);
    this.slotOfVersion.set(r, slot);
  }
}
