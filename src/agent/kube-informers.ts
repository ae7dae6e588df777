import { CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import { NODE_APPLIED_AT_ANNOTATION, NODE_POLICY_DIGEST_ANNOTATION, NODE_RULESET_HASH_ANNOTATION } from "../contracts/index.js";
import type { CalicoVersion } from "../policy/version.js";
import { policyDigest, type DigestObject } from "../reconcile/node-digest.js";
import type { ClusterSnapshot, ClusterSource } from "./daemon.js";
import { apiPath, InformerSource, type ObjectInformer, type Served, type WatchedResource } from "./informer-source.js";

/**
 * The agent's cluster edge over @kubernetes/client-node: one informer per watched resource for InformerSource, and
 * the Node annotations that report what the agent enforces (src/contracts/node-status.ts: the ruleset hash, and the
 * digest of the managed policy objects it compiled from, which the controller compares with what it applied).
 * Objects stay plain JSON: the policy kinds are listed through CustomObjectsApi (the typed NetworkPolicy model would
 * turn `from` into `_from`); the core kinds come from CoreV1Api and are turned back into plain JSON. The client's informer stops on any error but 410,
 * so each one here restarts itself after a jittered exponential backoff. (The controller has its own watch; the
 * two adapters share no code by design.)
 */
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
 * The source as InformerSource, plus the digest (src/reconcile/node-digest.ts `policyDigest`) of the policy objects
 * of each snapshot: read from the same informers in the same tick as the snapshot (InformerSource reads its lists
 * before its first await), so the digest is of exactly the objects the agent compiles next.
 */
export class DigestingSource implements ClusterSource {
  /** The digest of the last snapshot taken; undefined before the first. */
  digest?: string;

  constructor(
    private readonly inner: ClusterSource,
    private readonly policies: () => DigestObject[],
  ) {}

  start(onChange: () => void): Promise<void> {
    return this.inner.start(onChange);
  }

  snapshot(): Promise<ClusterSnapshot | { error: string }> {
    const digest = policyDigest(this.policies());
    const snap = this.inner.snapshot();
    this.digest = digest;
    return snap;
  }

  stop(): void {
    this.inner.stop();
  }
}

/**
 * Reports what this node enforces on its Node object (a merge patch of the annotations in src/contracts), so the
 * controller can tell "programmed on every node". `digest` gives the policy digest of the ruleset being reported
 * (undefined: the hash alone, as before). The agent calls it after every successful sync, also when the kernel
 * already held the ruleset (a policy that selects nothing on this node changes the digest, not the ruleset); the
 * patch is sent only when the pair changed since the last patch that succeeded. A failure is logged, never
 * thrown: the ruleset is in force either way, and the next sync tries again.
 */
export function nodeHashReporter(kc: KubeConfig, node: string, opts: { now?: () => number; log?: (line: string) => void; digest?: () => string | undefined } = {}): (hash: string) => Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  let reported: string | undefined;
  return async (hash) => {
    const digest = opts.digest?.();
    const key = `${hash} ${digest ?? ""}`;
    if (key === reported) return;
    const at = new Date((opts.now ?? Date.now)()).toISOString();
    const annotations: Record<string, string> = { [NODE_RULESET_HASH_ANNOTATION]: hash, [NODE_APPLIED_AT_ANNOTATION]: at };
    if (digest !== undefined) annotations[NODE_POLICY_DIGEST_ANNOTATION] = digest;
    try {
      await core.patchNode({ name: node, body: { metadata: { annotations } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      reported = key;
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

/**
 * The in-cluster source and the Node reporter `tierguard agent run` uses when no policy and inventory files are
 * given. The factory is wrapped to keep the policy informers, whose objects the digest is computed over.
 */
export function kubeAgentSource(opts: { kubeconfig?: string; node: string; version: CalicoVersion; log?: (line: string) => void; informers?: KubeInformerOptions; now?: () => number }): { source: DigestingSource; reportHash: (hash: string) => Promise<void> } {
  const kc = agentKubeConfig(opts.kubeconfig);
  const source = digestingInformerSource(kubeInformerFactory(kc, { log: opts.log, ...opts.informers }), opts.node, opts.version, kubeServed(kc));
  return { source, reportHash: nodeHashReporter(kc, opts.node, { log: opts.log, now: opts.now, digest: () => source.digest }) };
}

/** InformerSource over `factory`, with the digest of the policy objects each snapshot compiles. */
export function digestingInformerSource(factory: (r: WatchedResource) => ObjectInformer, node: string, version: CalicoVersion, served?: Served): DigestingSource {
  const inner = new InformerSource(factory, node, version, served);
  return new DigestingSource(inner, () => inner.policyObjects() as DigestObject[]);
}

/**
 * Discovery for InformerSource's optional resources: whether `GET /apis/<group>/<version>` lists the resource. A 404
 * means the group-version is not served; any other failure is thrown, so the agent does not start blind to a kind.
 */
export function kubeServed(kc: KubeConfig): Served {
  const custom = kc.makeApiClient(CustomObjectsApi);
  return async (r) => {
    try {
      const list = await custom.getAPIResources({ group: r.group, version: r.version });
      return list.resources.some((x) => x.name === r.plural);
    } catch (e) {
      if ((e as { code?: number }).code === 404) return false;
      throw new Error(`discovering ${apiPath(r)}: ${describeKubeError(e)}`);
    }
  };
}
