import type { Labels } from "../selector/index.js";

/**
 * Interned label sets. Flow records repeat the same few thousand label sets millions of times; interning them lets
 * every selector be evaluated once per distinct set (the result is memoised on the set) instead of once per flow.
 *
 * A label set also says which absent labels are merely unknown (flow records with aggregated labels, namespaces
 * or service accounts missing from the inventory). Selectors on those labels evaluate as if the label were absent,
 * and the result is marked uncertain.
 */
export const UNKNOWN_POD_LABELS = 1; // the workload's own labels are aggregated away ("-")
export const UNKNOWN_NAMESPACE_LABELS = 2; // the namespace's labels are not known (only its name)
export const UNKNOWN_SERVICE_ACCOUNT = 4; // the service account name (and so its labels) is not known
export const UNKNOWN_SERVICE_ACCOUNT_LABELS = 8; // the name is known, its labels are not

export const NAMESPACE_LABEL = "projectcalico.org/namespace";
export const ORCHESTRATOR_LABEL = "projectcalico.org/orchestrator";
export const SERVICE_ACCOUNT_LABEL = "projectcalico.org/serviceaccount";
export const NAME_LABEL = "projectcalico.org/name";
export const NAMESPACE_PREFIX = "pcns.";
export const SERVICE_ACCOUNT_PREFIX = "pcsa.";
export const K8S_NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Labels a controller stamps per revision, per replica or per run, so they never identify a workload: a selector on
 * `pod-template-hash` stops matching at the next rollout, one on `statefulset.kubernetes.io/pod-name` matches a
 * single replica. Recommendations never select on them; the connectivity diff leaves them out of workload names.
 */
export const VOLATILE_LABELS: readonly string[] = [
  "pod-template-hash",
  "controller-revision-hash",
  "pod-template-generation",
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
  "controller-uid",
  "batch.kubernetes.io/controller-uid",
  "job-name",
  "batch.kubernetes.io/job-name",
  "batch.kubernetes.io/job-completion-index",
  "app.kubernetes.io/version",
  "helm.sh/chart",
];

const VOLATILE = new Set(VOLATILE_LABELS);

export function isVolatileLabel(key: string): boolean {
  return VOLATILE.has(key);
}

export class LabelSet implements Labels {
  /** Memoised selector results, keyed by selector id: see `SelectorCache`. */
  readonly memo = new Map<number, number>();

  constructor(
    readonly id: number,
    readonly map: ReadonlyMap<string, string>,
    readonly unknown: number,
  ) {}

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  /** True when `key` is absent here but might be present on the real endpoint. */
  isUnknown(key: string): boolean {
    if (this.unknown === 0 || this.map.has(key)) return false;
    if (key.startsWith(NAMESPACE_PREFIX)) {
      return (this.unknown & UNKNOWN_NAMESPACE_LABELS) !== 0 && key !== NAMESPACE_PREFIX + NAME_LABEL;
    }
    if (key.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      if ((this.unknown & UNKNOWN_SERVICE_ACCOUNT) !== 0) return true;
      return (this.unknown & UNKNOWN_SERVICE_ACCOUNT_LABELS) !== 0 && key !== SERVICE_ACCOUNT_PREFIX + NAME_LABEL;
    }
    if (key === SERVICE_ACCOUNT_LABEL) return (this.unknown & UNKNOWN_SERVICE_ACCOUNT) !== 0;
    if (key.startsWith("projectcalico.org/")) return false; // implicit labels are always known
    return (this.unknown & UNKNOWN_POD_LABELS) !== 0;
  }

  toRecord(): Record<string, string> {
    return Object.fromEntries(this.map);
  }
}

/**
 * Interns label sets. Bounded: when full it starts a new generation, so memory does not grow with the number of
 * distinct sets seen (external endpoints and churned pods can make that unbounded).
 */
export class LabelInterner {
  private table = new Map<string, LabelSet>();
  private nextId = 1;

  constructor(private readonly capacity = 200_000) {}

  intern(labels: ReadonlyMap<string, string> | Readonly<Record<string, string>>, unknown = 0): LabelSet {
    const entries = labels instanceof Map ? [...labels.entries()] : Object.entries(labels);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let key = String(unknown);
    for (const [k, v] of entries) key += "\u0001" + k + "\u0000" + v;
    let set = this.table.get(key);
    if (set === undefined) {
      if (this.table.size >= this.capacity) this.table = new Map();
      set = new LabelSet(this.nextId++, new Map(entries), unknown);
      this.table.set(key, set);
    }
    return set;
  }

  get size(): number {
    return this.table.size;
  }
}

export const EMPTY_LABELS = new LabelSet(0, new Map(), 0);
