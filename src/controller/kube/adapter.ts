import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { SILENT_LOG, type Log } from "../../contracts/index.js";
import { kindInfo, type ClusterKind, type ClusterObject, type KindInfo, type NodeMarks, type ObjectRef } from "../../reconcile/index.js";
import { KubeError, type ClusterEvent, type ClusterPort, type Discovery } from "../port.js";
import { sharedClients } from "./connection.js";
import { discover } from "./discover.js";
import { toKubeError } from "./errors.js";
import { buildEvent } from "./event.js";
import { DEFAULT_RETRY, realSleep, withRetry, type RetryPolicy } from "./retry.js";

/**
 * The ClusterPort over @kubernetes/client-node. Every object goes through `CustomObjectsApi` as plain JSON, the
 * Kubernetes NetworkPolicy too: the typed models (and `KubernetesObjectApi`) call its `from` `_from` and drop a
 * plain `from`, which on a cluster allows every source. Creates are server-side applies (fieldManager "tierguard",
 * no force: a field another manager owns is a 409, not a silent takeover) that fall back to a plain create when the
 * server answers NotFound (calico#12841, Calico 3.32.0's API server); after one such answer this port creates
 * plainly. 429 and 5xx are retried here (bounded backoff); 409 goes back to the caller, which re-reads.
 */
export interface KubePortOptions {
  /** Default "tierguard". */
  fieldManager?: string;
  log?: Log;
  /** Default: 5 tries, 5 s doubling, 3 min cap, real sleep. */
  retry?: Partial<RetryPolicy>;
  /** Event timestamps (ms since the epoch); default Date.now. */
  now?: () => number;
  /** The Event's reporting component and instance (e.g. the pod name). */
  component?: string;
  instance?: string;
}

type Scope = { group: string; version: string; plural: string; namespace?: string };

export class KubeClusterPort implements ClusterPort {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly clients: ReturnType<typeof sharedClients>;
  private readonly retry: RetryPolicy;
  private readonly log: Log;
  private readonly fieldManager: string;
  /** Set once the server answered a server-side apply create with NotFound (calico#12841). */
  private ssaCreateBroken = false;
  /** Tie-breaker of Event names written in the same millisecond. */
  private events = 0;

  constructor(
    kc: KubeConfig,
    private readonly opts: KubePortOptions = {},
  ) {
    this.clients = sharedClients(kc);
    this.custom = this.clients.make(CustomObjectsApi);
    this.core = this.clients.make(CoreV1Api);
    this.log = opts.log ?? SILENT_LOG;
    this.retry = { ...DEFAULT_RETRY, sleep: realSleep, log: this.log, ...opts.retry };
    this.fieldManager = opts.fieldManager ?? "tierguard";
  }

  discover(): Promise<Discovery> {
    return discover(this.clients, this.retry);
  }

  /** Ends the kept-alive connections (a CLI run ends; the long-running controller never needs it). */
  close(): void {
    this.clients.close();
  }

  async list(kind: ClusterKind, labelSelector?: string): Promise<ClusterObject[]> {
    const k = kindInfo(kind);
    const list = (await this.call(`list ${describe(k)}`, () => this.custom.listClusterCustomObject({ group: k.group, version: k.version, plural: k.plural, labelSelector }))) as { items?: unknown[] };
    return (list.items ?? []).map((o) => withKind(k, o));
  }

  async get(ref: ObjectRef): Promise<ClusterObject | undefined> {
    const k = kindInfo(ref.kind);
    const s = scope(k, ref.namespace);
    try {
      const o = await this.call(`get ${describe(k, ref)}`, () => (s.namespace ? this.custom.getNamespacedCustomObject({ ...s, namespace: s.namespace, name: ref.name }) : this.custom.getClusterCustomObject({ ...s, name: ref.name })));
      return withKind(k, o);
    } catch (e) {
      if (toKubeError(e).status === 404) return undefined;
      throw e;
    }
  }

  async create(obj: ClusterObject): Promise<ClusterObject> {
    const { k, s, name, body } = this.target(obj);
    if (!this.ssaCreateBroken) {
      try {
        const applied = await this.call(`apply ${describe(k, obj.metadata)}`, () => {
          const param = { ...s, name, body, fieldManager: this.fieldManager };
          const headers = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
          return s.namespace ? this.custom.patchNamespacedCustomObject({ ...param, namespace: s.namespace }, headers) : this.custom.patchClusterCustomObject(param, headers);
        });
        return withKind(k, applied);
      } catch (e) {
        if (toKubeError(e).status !== 404) throw e;
        this.ssaCreateBroken = true;
        this.log.warn({ kind: k.kind, name }, "kube: server-side apply of a new object answered NotFound (calico#12841); creating with POST from now on");
      }
    }
    const created = await this.call(`create ${describe(k, obj.metadata)}`, () => (s.namespace ? this.custom.createNamespacedCustomObject({ ...s, namespace: s.namespace, body }) : this.custom.createClusterCustomObject({ ...s, body })));
    return withKind(k, created);
  }

  async update(obj: ClusterObject): Promise<ClusterObject> {
    const { k, s, name } = this.target(obj);
    if (!obj.metadata.resourceVersion) throw new KubeError(422, `update ${describe(k, obj.metadata)}: metadata.resourceVersion is required (an update is never blind)`, "Invalid");
    const body = { ...obj, apiVersion: apiVersion(k), kind: k.apiKind };
    const updated = await this.call(`update ${describe(k, obj.metadata)}`, () => (s.namespace ? this.custom.replaceNamespacedCustomObject({ ...s, namespace: s.namespace, name, body }) : this.custom.replaceClusterCustomObject({ ...s, name, body })));
    return withKind(k, updated);
  }

  async delete(ref: ObjectRef): Promise<void> {
    const k = kindInfo(ref.kind);
    const s = scope(k, ref.namespace);
    try {
      await this.call(`delete ${describe(k, ref)}`, () => (s.namespace ? this.custom.deleteNamespacedCustomObject({ ...s, namespace: s.namespace, name: ref.name }) : this.custom.deleteClusterCustomObject({ ...s, name: ref.name })));
    } catch (e) {
      if (toKubeError(e).status !== 404) throw e;
    }
  }

  async event(e: ClusterEvent): Promise<void> {
    const now = this.opts.now?.() ?? Date.now();
    const body = buildEvent(e, now, this.events++, { component: this.opts.component ?? "tierguard", instance: this.opts.instance });
    try {
      await this.core.createNamespacedEvent({ namespace: e.namespace, body });
    } catch (err) {
      const k = toKubeError(err, `create Event ${e.reason} on ${e.regarding.kind} ${e.regarding.namespace ? `${e.regarding.namespace}/` : ""}${e.regarding.name}`);
      this.log.warn({ status: k.status, reason: k.reason, event: e.reason, message: k.message }, "kube: could not record an Event (the write itself stands)");
    }
  }

  /** Names and annotations only: a Node's status (images, conditions) is large and never needed here. */
  async nodes(): Promise<NodeMarks[]> {
    const list = await this.call("list Node", () => this.core.listNode());
    return list.items.map((n) => ({ name: n.metadata?.name ?? "", ...(n.metadata?.annotations ? { annotations: n.metadata.annotations } : {}) }));
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(what, fn, this.retry);
  }

  /** The object as the API takes it: its group's apiVersion and API kind, no server-owned metadata. */
  private target(obj: ClusterObject): { k: KindInfo; s: Scope; name: string; body: ClusterObject } {
    const k = kindOf(obj);
    const { resourceVersion: _rv, uid: _uid, ...metadata } = obj.metadata;
    return { k, s: scope(k, obj.metadata.namespace), name: obj.metadata.name, body: { ...obj, apiVersion: apiVersion(k), kind: k.apiKind, metadata } };
  }
}

const apiVersion = (k: KindInfo) => (k.group ? `${k.group}/${k.version}` : k.version);

function scope(k: KindInfo, namespace: string | undefined): Scope {
  if (k.namespaced && !namespace) throw new KubeError(400, `${k.kind} is namespaced: a namespace is required`, "BadRequest");
  return { group: k.group, version: k.version, plural: k.plural, namespace: k.namespaced ? namespace : undefined };
}

function describe(k: KindInfo, ref?: { namespace?: string; name: string }): string {
  if (!ref) return k.kind;
  return `${k.kind} ${k.namespaced && ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

/** tierguard's kind of an object, from its apiVersion and API kind (NetworkPolicy is two kinds in two groups). */
function kindOf(obj: ClusterObject): KindInfo {
  const k = kindInfo(obj.kind as ClusterKind);
  if (obj.kind === "NetworkPolicy" && obj.apiVersion.startsWith("networking.k8s.io/")) return kindInfo("KubernetesNetworkPolicy");
  if (!k) throw new KubeError(400, `${obj.apiVersion} ${obj.kind} is not a kind tierguard manages`, "BadRequest");
  return k;
}

/** Built-in kinds' list items come without kind and apiVersion: set them from the kind asked for. */
function withKind(k: KindInfo, o: unknown): ClusterObject {
  return { ...(o as ClusterObject), apiVersion: apiVersion(k), kind: k.apiKind };
}

export function kubeClusterPort(kc: KubeConfig, opts: KubePortOptions = {}): ClusterPort {
  return new KubeClusterPort(kc, opts);
}
