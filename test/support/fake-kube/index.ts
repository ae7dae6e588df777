import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLUSTER_NETWORK_POLICY, seedResources, type CalicoMode } from "./discovery.js";
import { Faults } from "./faults.js";
import { kubeconfigText } from "./kubeconfig.js";
import { makeHandler, type RecordedRequest } from "./router.js";
import { Store, type KubeObject, type RecordedState } from "./store.js";
import { Watches } from "./watch.js";

/**
 * An in-process fake Kubernetes API server for tests, driven by the real @kubernetes/client-node: https on
 * 127.0.0.1 (a random port) with the self-signed certificate beside this file, a bearer token, state per resource,
 * discovery, list, watch (bookmarks, server-side ends, 410), get, create, update, merge / JSON / server-side apply
 * patches, delete, injected faults, and a record of every request and every state it passed through.
 *
 *   const kube = await startFakeKube({ calico: "crd" });
 *   const kc = new k8s.KubeConfig(); kc.loadFromString(kube.kubeconfig);
 *   ...
 *   await kube.stop();
 *
 * Server-side apply is simplified: it merges, prunes what the same field manager stopped applying, and (without
 * `force`) answers 409 Conflict when it would change a field of an object that manager never applied.
 * Not modelled (a real server differs): namespaces need not exist; no managedFields; no pagination (limit/continue),
 * strategic merge patch, generateName, finalizers, subresources or admission defaults; an update must carry
 * metadata.resourceVersion (as custom resources require).
 */
export interface FakeKubeOptions {
  /** How projectcalico.org/v3 is served (default "crd"). */
  calico?: CalicoMode;
  /** Only these Calico kinds (API kind names) are served; default all tierguard manages. */
  calicoKinds?: readonly string[];
  /** calico#12841: server-side apply of an absent Calico object answers 404 NotFound (Calico 3.32.0). */
  ssaCreateNotFound?: boolean;
  /** The bearer token clients must send (default "fake-token"). */
  token?: string;
  /** The server ends every watch after this many ms. */
  watchTimeoutMs?: number;
  /** Bookmarks every this many ms on watches that allow them. */
  bookmarkMs?: number;
  /** Also serve policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy (a cluster with Calico 3.32+ installs its CRD). */
  clusterNetworkPolicy?: boolean;
  /** Objects present from the start (not in `states` or `requests`). */
  objects?: readonly KubeObject[];
  /** Record a snapshot of all objects after every write (default true; off for large benchmarks). */
  recordStates?: boolean;
}

export interface FakeKube {
  url: string;
  /** The kubeconfig text (CA data and token) and a file holding it (removed by stop()). */
  kubeconfig: string;
  kubeconfigPath: string;
  store: Store;
  faults: Faults;
  watches: Watches;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Every state after a successful write (the store's record). */
  readonly states: RecordedState[];
  /** TLS connections accepted so far (a client that reuses its connections keeps this low). */
  readonly connections: number;
  /** Adds objects as they are, without recording them as writes. */
  seed(...objects: KubeObject[]): void;
  /** Forgets the recorded requests and states (e.g. after the set-up of a test). */
  resetRecords(): void;
  /** Requests that wrote (POST, PUT, PATCH, DELETE), as `METHOD path`. */
  writes(): string[];
  /**
   * The indices of the recorded states in which no object of that kind and name exists (the no-gap property:
   * a policy enforced before and after must give `[]`). `apiVersion` and `kind` as the API writes them.
   */
  absentIn(ref: { apiVersion: string; kind: string; namespace?: string; name: string }): number[];
  stop(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const FAKE_CA = readFileSync(join(HERE, "server.crt"), "utf8");
const KEY = readFileSync(join(HERE, "server.key"), "utf8");

export async function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const store = new Store();
  seedResources(store, opts.calico ?? "crd", opts.calicoKinds);
  if (opts.clusterNetworkPolicy) store.register(CLUSTER_NETWORK_POLICY);
  const faults = new Faults();
  const watches = new Watches(store, { watchTimeoutMs: opts.watchTimeoutMs, bookmarkMs: opts.bookmarkMs });
  const requests: RecordedRequest[] = [];
  const token = opts.token ?? "fake-token";
  let address = "";
  const server: Server = createServer({ cert: FAKE_CA, key: KEY }, makeHandler({ store, faults, watches, token, requests, serverAddress: () => address, ssaCreateNotFound: opts.ssaCreateNotFound ?? false }));
  let connections = 0;
  server.on("secureConnection", () => connections++);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `https://${address}`;
  const kubeconfig = kubeconfigText({ server: url, caPem: FAKE_CA, token });
  const dir = await mkdtemp(join(tmpdir(), "fake-kube-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  await writeFile(kubeconfigPath, kubeconfig);
  const seed = (...objects: KubeObject[]) => {
    const record = store.recordStates;
    store.recordStates = false;
    for (const o of objects) {
      const def = store.byKind(o.apiVersion, o.kind);
      if (!def) throw new Error(`fake-kube: no resource serves ${o.apiVersion} ${o.kind}`);
      store.create(def, o.metadata.namespace, o);
    }
    store.recordStates = record;
  };
  seed(...(opts.objects ?? []));
  store.states.length = 0;
  store.recordStates = opts.recordStates ?? true;
  return {
    url,
    kubeconfig,
    kubeconfigPath,
    store,
    faults,
    watches,
    requests,
    get states() {
      return store.states;
    },
    get connections() {
      return connections;
    },
    seed,
    resetRecords() {
      requests.length = 0;
      store.states.length = 0;
    },
    writes: () => requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`),
    absentIn: (ref) =>
      store.states.flatMap((s, i) => (s.objects.some((o) => o.apiVersion === ref.apiVersion && o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === ref.namespace) ? [] : [i])),
    async stop() {
      watches.endAll();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type { CalicoMode } from "./discovery.js";
export type { FaultSpec } from "./faults.js";
export type { RecordedRequest } from "./router.js";
export type { KubeObject, RecordedState, ResourceDef, StoreEvent } from "./store.js";
export { Store } from "./store.js";
export { StatusError } from "./status.js";
