import { CLUSTER_KINDS, clusterKindOf, refKey, refOf, type ClusterKind, type ClusterObject, type ObjectRef } from "../../src/reconcile/index.js";
import { KubeError, type ClusterEvent, type ClusterPort, type Discovery } from "../../src/controller/port.js";

/**
 * An in-memory cluster behind the ClusterPort: it keeps objects with resourceVersions (a stale update is a 409, a
 * create of an existing object is a 409, an update of an absent one a 404), applies a little of the API server's
 * defaulting (Calico `types`, a Kubernetes port's `protocol: TCP`, uid and timestamps), and records every write and
 * every state it passes through. Faults: a status (409, 429, 500, ...) on the Nth write, or a crash from the Nth
 * write on (every later call fails, as when the process dies; nothing more is written).
 */
export interface Fault {
  /** 1-based count of write calls (create, update, delete). */
  onWrite: number;
  status?: number;
  /** The process dies: this and every later call throws. */
  crash?: boolean;
}

export interface RecordedWrite {
  verb: "create" | "update" | "delete";
  kind: ClusterKind;
  namespace: string | null;
  name: string;
  /** The status it failed with (undefined: it succeeded). */
  failed?: number;
}

export class MemoryCluster {
  readonly objects = new Map<string, ClusterObject>();
  /** Every state after a successful write, the first one being the state before any write. */
  readonly states: Array<Map<string, ClusterObject>> = [];
  readonly writes: RecordedWrite[] = [];
  readonly events: ClusterEvent[] = [];
  faults: Fault[] = [];
  /** False: states are not recorded (large clusters: each state is a copy of every object). */
  recordStates = true;
  discovery: Discovery = { calico: "crd", kinds: CLUSTER_KINDS.map((k) => k.kind) };
  private version = 100;
  private dead = false;

  constructor() {
    this.states.push(new Map());
  }

  /** A new process after a crash: the cluster kept its state; the faults are spent. */
  revive(): this {
    this.dead = false;
    this.faults = [];
    return this;
  }

  /** Puts objects in place without recording a write (the state a test starts from). */
  seed(...objs: ClusterObject[]): this {
    for (const o of objs) this.store(structuredClone(o));
    this.states.length = 0;
    this.states.push(this.snapshot());
    return this;
  }

  /** An edit made by someone else (kubectl): stored with a new resourceVersion, not counted as tierguard's write. */
  edit(ref: ObjectRef, change: (o: ClusterObject) => void): void {
    const o = structuredClone(this.objects.get(refKey(ref))!);
    change(o);
    this.store(o);
  }

  remove(ref: ObjectRef): void {
    this.objects.delete(refKey(ref));
  }

  get(ref: ObjectRef): ClusterObject | undefined {
    return this.objects.get(refKey(ref));
  }

  /** Keys of the objects of a state, for "is it there at every moment" checks. */
  static keys(state: Map<string, ClusterObject>): string[] {
    return [...state.keys()].sort();
  }

  port(): ClusterPort {
    return {
      discover: async () => this.alive(() => structuredClone(this.discovery)),
      list: async (kind, labelSelector) => this.alive(() => [...this.objects.values()].filter((o) => clusterKindOf(o) === kind && matches(o, labelSelector)).map((o) => structuredClone(o))),
      get: async (ref) => this.alive(() => structuredClone(this.objects.get(refKey(ref)))),
      create: async (obj) => this.write("create", obj, () => {
        if (this.objects.has(refKey(refOf(obj)))) throw new KubeError(409, `${obj.kind} "${obj.metadata.name}" already exists`, "AlreadyExists");
        const stored = structuredClone(obj);
        delete stored.metadata.resourceVersion;
        stored.metadata.uid = `uid-${this.version}`;
        return this.store(stored);
      }),
      update: async (obj) => this.write("update", obj, () => {
        const cur = this.objects.get(refKey(refOf(obj)));
        if (!cur) throw new KubeError(404, `${obj.kind} "${obj.metadata.name}" not found`, "NotFound");
        if (obj.metadata.resourceVersion !== cur.metadata.resourceVersion) throw new KubeError(409, "the object has been modified; please apply your changes to the latest version and try again", "Conflict");
        const stored = structuredClone(obj);
        stored.metadata.uid = cur.metadata.uid;
        return this.store(stored);
      }),
      delete: async (ref) => {
        await this.write("delete", { kind: ref.kind, ref }, () => {
          this.objects.delete(refKey(ref));
          return undefined;
        });
      },
      event: async (e) => {
        if (!this.dead) this.events.push(e);
      },
    };
  }

  private alive<T>(f: () => T): T {
    if (this.dead) throw new Error("killed: the process died");
    return f();
  }

  private async write<T>(verb: RecordedWrite["verb"], target: ClusterObject | { kind: ClusterKind; ref: ObjectRef }, apply: () => T): Promise<T> {
    this.alive(() => undefined);
    const ref = "ref" in target ? target.ref : refOf(target);
    const rec: RecordedWrite = { verb, kind: ref.kind, namespace: ref.namespace ?? null, name: ref.name };
    this.writes.push(rec);
    const fault = this.faults.find((f) => f.onWrite === this.writes.length);
    if (fault?.crash) {
      this.dead = true;
      rec.failed = 0;
      throw new Error("killed: the process died");
    }
    if (fault?.status) {
      rec.failed = fault.status;
      // A 409 means someone wrote the object in between: its resourceVersion moves on.
      const cur = this.objects.get(refKey(ref));
      if (fault.status === 409 && cur) this.store(structuredClone(cur));
      throw new KubeError(fault.status, `injected ${fault.status}`, fault.status === 409 ? "Conflict" : fault.status === 429 ? "TooManyRequests" : "InternalError", fault.status === 429 ? 1 : undefined);
    }
    try {
      const out = apply();
      if (this.recordStates) this.states.push(this.snapshot());
      return structuredClone(out);
    } catch (e) {
      rec.failed = e instanceof KubeError ? e.status : 500;
      throw e;
    }
  }

  private store(o: ClusterObject): ClusterObject {
    o.metadata.resourceVersion = String(++this.version);
    defaults(o);
    this.objects.set(refKey(refOf(o)), o);
    return o;
  }

  private snapshot(): Map<string, ClusterObject> {
    return new Map([...this.objects].map(([k, v]) => [k, structuredClone(v)]));
  }
}

/** A little of the API server's defaulting, so "server defaults never cause a write" is tested. */
function defaults(o: ClusterObject): void {
  const kind = clusterKindOf(o);
  const spec = o.spec as Record<string, unknown>;
  if (kind === "KubernetesNetworkPolicy") {
    for (const dir of ["ingress", "egress"]) for (const rule of (spec[dir] as Array<{ ports?: Array<Record<string, unknown>> }> | undefined) ?? []) for (const p of rule.ports ?? []) p.protocol ??= "TCP";
    spec.policyTypes ??= spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
  } else if (kind && /NetworkPolicy$/.test(kind) && kind !== "StagedKubernetesNetworkPolicy" && spec.stagedAction !== "Delete") {
    spec.types ??= (spec.egress as unknown[] | undefined)?.length ? ((spec.ingress as unknown[] | undefined)?.length ? ["Ingress", "Egress"] : ["Egress"]) : ["Ingress"];
    spec.tier ??= "default";
  }
  (o.metadata as unknown as Record<string, unknown>).creationTimestamp ??= "2026-01-01T00:00:00Z";
}

function matches(o: ClusterObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [k, v] = term.split("=");
    return v === undefined ? o.metadata.labels?.[k] !== undefined : o.metadata.labels?.[k] === v;
  });
}

export const ALL_KINDS: ClusterKind[] = CLUSTER_KINDS.map((k) => k.kind);
