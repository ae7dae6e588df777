import type { PlannedChange } from "./diff.js";
import { isManaged, roleOf } from "./objects.js";
import type { ClusterObject } from "./types.js";

/**
 * The refusal to empty an environment (Argo CD's `allowEmpty: false`): a sync that would delete every managed
 * policy, or more than a share of them, is refused unless the operator confirms it (`--allow-empty`). A deletion
 * whose policy comes back under a new name (a rename) replaces rather than removes, and does not count.
 */
export const DEFAULT_MAX_DELETE_SHARE = 0.5;

const POLICY = /NetworkPolicy$/;

export interface EmptyingRefusal {
  managed: number;
  deleted: number;
  message: string;
}

export function emptyingRefusal(observed: readonly ClusterObject[], changes: readonly PlannedChange[], maxShare = DEFAULT_MAX_DELETE_SHARE): EmptyingRefusal | undefined {
  const managed = observed.filter((o) => isManaged(o) && roleOf(o) === "enforced" && POLICY.test(o.kind)).length;
  if (managed === 0) return undefined;
  const deletes = changes.filter((c) => c.write.verb === "delete" && !c.twin && POLICY.test(c.write.kind) && c.live && roleOf(c.live) === "enforced");
  const creates = changes.filter((c) => c.write.verb === "create" && POLICY.test(c.write.kind)).length;
  // Renames: as many deletions as creations replace one another; the rest remove policies.
  const deleted = Math.max(0, deletes.length - creates);
  const every = deleted === managed;
  if (!every && deleted / managed <= maxShare) return undefined;
  const what = every ? "every managed policy" : `${deleted} of ${managed} managed policies (more than ${Math.round(maxShare * 100)}%)`;
  return { managed, deleted, message: `refused: this sync would delete ${what} of the environment; run again with --allow-empty to confirm` };
}
