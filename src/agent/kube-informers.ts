import { CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { CalicoVersion } from "../policy/version.js";
import { apiPath, InformerSource, type ObjectInformer, type WatchedResource } from "./informer-source.js";

/**
 * The agent's cluster edge over @kubernetes/client-node: one informer per watched resource for InformerSource, and
 * the Node annotation that reports the ruleset hash the agent enforces. Objects stay plain JSON: the policy kinds
 * are listed through CustomObjectsApi (the typed NetworkPolicy model would turn `from` into `_from`); the core
 * kinds come from CoreV1Api and are turned back into plain JSON. The client's informer stops on any error but 410,
 * so each one here restarts itself after a jittered exponential backoff. (The controller has its own watch; the
 * two adapters share no code by design.)
 */
export const NODE_HASH_ANNOTATION = "tierguard.dev/ruleset-hash";
export const NODE_APPLIED_AT_ANNOTATION = "tierguard.dev/ruleset-applied-at";

export interface KubeInformerOptions {
  /** First restart delay after an error (default 1 s), doubling up to `capMs` (default 60 s), jittered to 50–100%. */
  baseMs?: number;
  capMs?: number;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  log?: (line: string) => void;
}

type List = KubernetesListObject<KubernetesObject>;

/** One line for a log: `HTTP 500 InternalError: <the Status message>`, not the client's dump of body and headers. */
export function describeKubeError(e: unknown): string {
  const code = (e as { code?: unknown; statusCode?: unknown })?.code ?? (e as { statusCode?: unknown })?.statusCode;
  if (typeof code === "number") {
    let status: { reason?: string; message?: string } = {};
    try {
      const body = (e as { body?: unknown }).body;
      status = typeof body === "string" ? JSON.parse(body) : ((body as typeof status) ?? {});
    } catch {
      // not a Status body: the code alone says enough
    }
    return `HTTP ${code}${status.reason ? ` ${status.reason}` : ""}${status.message ? `: ${status.message}` : ""}`;
  }
  return ((e as Error)?.message ?? String(e)).split("\n")[0];
}

/** Plain JSON (dates as strings, no model classes), as the watch delivers its objects. */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function lister(kc: KubeConfig, r: WatchedResource): () => Promise<List> {
  if (r.group !== "") {
    const custom = kc.makeApiClient(CustomObjectsApi);
    return async () => (await custom.listClusterCustomObject({ group: r.group, version: r.version, plural: r.plural })) as List;
  }
  const core = kc.makeApiClient(CoreV1Api);
  const calls: Record<string, () => Promise<unknown>> = {
    namespaces: () => core.listNamespace(),
    pods: () => core.listPodForAllNamespaces(),
    serviceaccounts: () => core.listServiceAccountForAllNamespaces(),
  };
  const call = calls[r.plural];
  if (!call) throw new Error(`kube-informers: no list for core resource ${r.plural}`);
  return async () => plain((await call()) as List);
}

/** An informer that restarts itself after errors; the source still hears each error (and reports it once). */
function restarting(kc: KubeConfig, r: WatchedResource, opts: KubeInformerOptions): ObjectInformer {
  const inf = makeInformer(kc, apiPath(r), lister(kc, r));
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  let failures = 0;
  let stopped = false;
  let timer: unknown;
  inf.on("error", (err: unknown) => {
    if (stopped) return;
    failures++;
    const base = Math.min(opts.capMs ?? 60_000, (opts.baseMs ?? 1_000) * 2 ** (failures - 1));
    const wait = Math.round(base * (0.5 + (opts.random ?? Math.random)() / 2));
    opts.log?.(`watch ${apiPath(r)} failed (${describeKubeError(err)}); restarting in ${wait} ms`);
    timer = setTimer(() => void inf.start().catch(() => undefined), wait);
  });
  for (const ev of ["add", "update", "delete"] as const) inf.on(ev, () => (failures = 0));
  return {
    list: () => [...inf.list()],
    on: (event, cb) => (event === "error" ? inf.on("error", (e: unknown) => cb(new Error(describeKubeError(e)))) : inf.on(event, cb as (o: KubernetesObject) => void)),
    start: () => inf.start(),
    stop: () => {
      stopped = true;
      clearTimer(timer);
      return inf.stop();
    },
  };
}

/** The factory InformerSource takes: `new InformerSource(kubeInformerFactory(kc), node, version)`. */
export function kubeInformerFactory(kc: KubeConfig, opts: KubeInformerOptions = {}): (r: WatchedResource) => ObjectInformer {
  return (r) => restarting(kc, r, opts);
}

/**
 * Reports the enforced hash on this node's Node object (a merge patch of two annotations), so the controller can
 * tell "programmed on every node". A failure is logged, never thrown: the ruleset is in force either way.
 */
export function nodeHashReporter(kc: KubeConfig, node: string, opts: { now?: () => number; log?: (line: string) => void } = {}): (hash: string) => Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  return async (hash) => {
    const at = new Date((opts.now ?? Date.now)()).toISOString();
    const body = { metadata: { annotations: { [NODE_HASH_ANNOTATION]: hash, [NODE_APPLIED_AT_ANNOTATION]: at } } };
    try {
      await core.patchNode({ name: node, body }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    } catch (e) {
      opts.log?.(`warning: could not annotate node ${node} with ruleset ${hash}: ${describeKubeError(e)}`);
    }
  };
}

/** Credentials: `--kubeconfig FILE`, or the pod's service account (in cluster). */
export function agentKubeConfig(kubeconfig?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else if (!process.env.KUBERNETES_SERVICE_HOST) throw new Error("not running in a cluster (KUBERNETES_SERVICE_HOST is unset) and no --kubeconfig given");
  else kc.loadFromCluster();
  return kc;
}

/** The in-cluster source and the Node reporter `tierguard agent run` uses when no policy and inventory files are given. */
export function kubeAgentSource(opts: { kubeconfig?: string; node: string; version: CalicoVersion; log?: (line: string) => void; informers?: KubeInformerOptions }): { source: InformerSource; reportHash: (hash: string) => Promise<void> } {
  const kc = agentKubeConfig(opts.kubeconfig);
  return {
    source: new InformerSource(kubeInformerFactory(kc, { log: opts.log, ...opts.informers }), opts.node, opts.version),
    reportHash: nodeHashReporter(kc, opts.node, { log: opts.log }),
  };
}
