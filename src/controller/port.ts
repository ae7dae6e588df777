import type { ClusterKind, ClusterObject, NodeMarks, ObjectRef } from "../reconcile/index.js";

/**
 * The cluster as the sync sees it: a port the Kubernetes adapter (src/controller/kube/, over
 * @kubernetes/client-node) implements, and tests implement in memory. Every method talks plain JSON objects.
 * Errors are `KubeError`s; the adapter has already retried 429 and 5xx (bounded backoff); 409 comes back to the
 * caller, which re-reads and retries.
 */
export interface ClusterPort {
  /** How `projectcalico.org/v3` is served, and which managed kinds the server knows. */
  discover(): Promise<Discovery>;
  /** Every object of a kind, in all namespaces; `labelSelector` as the API takes it. */
  list(kind: ClusterKind, labelSelector?: string): Promise<ClusterObject[]>;
  /** Undefined when absent (404). */
  get(ref: ObjectRef): Promise<ClusterObject | undefined>;
  /** Server-side apply where the server supports it, falling back to create on calico#12841's NotFound. */
  create(obj: ClusterObject): Promise<ClusterObject>;
  /** A full update carrying `metadata.resourceVersion` (409 when stale). */
  update(obj: ClusterObject): Promise<ClusterObject>;
  /** Absent already counts as done. */
  delete(ref: ObjectRef): Promise<void>;
  /** A Kubernetes Event on the object (audit and drift records). Failures are logged, never thrown. */
  event(e: ClusterEvent): Promise<void>;
  /**
   * Every Node, with its annotations (the node agents' reports, src/contracts/node-status.ts). Undefined: this port
   * cannot read Nodes (an in-memory test port), and nothing is said about nodes.
   */
  nodes?(): Promise<NodeMarks[]>;
}

export interface Discovery {
  /** "aggregated": the Calico API server (an APIService); "crd": native projectcalico.org/v3 CRDs; "absent": neither. */
  calico: "aggregated" | "crd" | "absent";
  kinds: ClusterKind[];
}

export interface ClusterEvent {
  regarding: ObjectRef;
  /** "Normal" for writes, "Warning" for drift and failures. */
  type: "Normal" | "Warning";
  /** CamelCase, e.g. "Promoted", "Staged", "Unstaged", "Drift", "Restored", "SyncFailed". */
  reason: string;
  message: string;
  /** Namespace for the Event object itself (cluster-wide objects: the controller's own namespace). */
  namespace: string;
}

export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The Status `reason` ("Conflict", "NotFound", "Forbidden", ...), when the server sent one. */
    readonly reason?: string,
    /** Seconds, from Retry-After on 429/503. */
    readonly retryAfter?: number,
    /**
     * What the server said, alone (the Status message, e.g. an admission webhook's refusal), when `message` also
     * names the call and status; reports that say the call and status themselves use this, so neither repeats.
     */
    readonly detail?: string,
  ) {
    super(message);
    this.name = "KubeError";
  }
}
