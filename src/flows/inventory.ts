import { joinPath } from "../policy/index.js";
import { isObject, show, type JsonObject } from "./fields.js";
import type { FlowProblem, FlowProblemCode } from "./types.js";

/**
 * The cluster inventory a replay needs to put labels back on flow endpoints: namespaces, pods and service accounts,
 * read from the parsed documents of `kubectl get namespaces,pods,serviceaccounts -A -o yaml` (a `kind: List`), from
 * API lists (`PodList`, whose items carry no kind), or from plain objects. Other kinds are skipped silently.
 */
export interface InventoryPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** spec.serviceAccountName, else the deprecated spec.serviceAccount, else "default". */
  serviceAccount: string;
  /** status.podIPs[].ip, else status.podIP; empty for a pod not yet scheduled. */
  ips: string[];
  /** Named container ports, and those of init containers with `restartPolicy: Always` (sidecars). */
  namedPorts: Array<{ name: string; protocol: string; port: number }>;
  /** The controller owner's name (else the first owner's); undefined for a bare pod. */
  ownerName?: string;
  generateName?: string;
  /** True for spec.hostNetwork: the pod's IPs are its node's, so they are not indexed in `podsByIp`. */
  hostNetwork: boolean;
  /** status.phase; undefined when absent. */
  phase?: string;
}

export interface Inventory {
  namespaces: Map<string, { labels: Record<string, string> }>;
  pods: InventoryPod[];
  /** Keyed `namespace/name`. */
  serviceAccounts: Map<string, { labels: Record<string, string> }>;
  /** Pods that own their IPs: not hostNetwork; a running pod wins an IP over a finished one. */
  podsByIp: Map<string, InventoryPod>;
  /** Keyed `namespace/name`. */
  podsByName: Map<string, InventoryPod>;
}

/**
 * Each namespace's labels, as a policy set matches `namespaceSelector`s against them: built here once, for every
 * command and check that evaluates with an inventory.
 */
export function inventoryNamespaceLabels(inventory: Inventory): Map<string, Record<string, string>>;
export function inventoryNamespaceLabels(inventory: Inventory | undefined): Map<string, Record<string, string>> | undefined;
export function inventoryNamespaceLabels(inventory: Inventory | undefined): Map<string, Record<string, string>> | undefined {
  return inventory ? new Map([...inventory.namespaces].map(([k, v]) => [k, v.labels])) : undefined;
}

/** Problems carry `document` and `path` (line 0): the values came without positions. */
export function parseInventory(docs: unknown[]): { inventory: Inventory; diagnostics: FlowProblem[] } {
  const inventory: Inventory = {
    namespaces: new Map(),
    pods: [],
    serviceAccounts: new Map(),
    podsByIp: new Map(),
    podsByName: new Map(),
  };
  const diagnostics: FlowProblem[] = [];
  docs.forEach((doc, document) => {
    const problem = (code: FlowProblemCode, path: string, message: string): void => {
      const where = path === "" ? `document ${document + 1}` : `${path} (document ${document + 1})`;
      diagnostics.push({ code, line: 0, document, path, message: `${where}: ${message}` });
    };
    if (doc === null || doc === undefined) return; // an empty YAML document
    if (!isObject(doc)) return problem("inventory/not-an-object", "", `expected a Kubernetes object or List, found ${show(doc)}`);
    const kind = doc.kind;
    if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(doc.items)) {
      const implied = kind === "List" ? undefined : kind.slice(0, -"List".length);
      doc.items.forEach((item, i) => readItem(item, implied, joinPath("items", i), inventory, problem));
    } else {
      readItem(doc, undefined, "", inventory, problem);
    }
  });
  indexByIp(inventory, diagnostics);
  return { inventory, diagnostics };
}

type Report = (code: FlowProblemCode, path: string, message: string) => void;

function readItem(item: unknown, impliedKind: string | undefined, path: string, inv: Inventory, problem: Report): void {
  if (!isObject(item)) return problem("inventory/not-an-object", path, `expected a Kubernetes object, found ${show(item)}`);
  const kind = item.kind ?? impliedKind;
  if (typeof kind !== "string" || kind === "") return problem("inventory/missing-kind", joinPath(path, "kind"), "the item has no kind");
  if (kind !== "Namespace" && kind !== "Pod" && kind !== "ServiceAccount") return;
  const at = (...keys: (string | number)[]): string => keys.reduce<string>((p, k) => joinPath(p, k), path);
  const meta = isObject(item.metadata) ? item.metadata : {};
  const name = meta.name;
  if (typeof name !== "string" || name === "") return problem("inventory/missing-name", at("metadata", "name"), `the ${kind} has no metadata.name`);
  const labels = readLabels(meta.labels, at("metadata", "labels"), problem);
  if (!labels) return;
  if (kind === "Namespace") {
    if (inv.namespaces.has(name)) return problem("inventory/duplicate", path, `namespace ${name} is listed twice; the first is kept`);
    inv.namespaces.set(name, { labels });
    return;
  }
  const namespace = meta.namespace;
  if (typeof namespace !== "string" || namespace === "") {
    return problem("inventory/missing-namespace", at("metadata", "namespace"), `${kind} ${name} has no metadata.namespace`);
  }
  const key = `${namespace}/${name}`;
  if (kind === "ServiceAccount") {
    if (inv.serviceAccounts.has(key)) return problem("inventory/duplicate", path, `service account ${key} is listed twice; the first is kept`);
    inv.serviceAccounts.set(key, { labels });
    return;
  }
  if (inv.podsByName.has(key)) return problem("inventory/duplicate", path, `pod ${key} is listed twice; the first is kept`);
  const pod = readPod(item, meta, namespace, name, labels, at, problem);
  if (!pod) return;
  inv.pods.push(pod);
  inv.podsByName.set(key, pod);
}

function readPod(
  item: JsonObject,
  meta: JsonObject,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  at: (...keys: (string | number)[]) => string,
  problem: Report,
): InventoryPod | undefined {
  const spec = isObject(item.spec) ? item.spec : {};
  const status = isObject(item.status) ? item.status : {};
  const sa = [spec.serviceAccountName, spec.serviceAccount].find((s) => typeof s === "string" && s !== "");
  const ips = new Set<string>();
  if (typeof status.podIP === "string" && status.podIP !== "") ips.add(status.podIP);
  if (Array.isArray(status.podIPs)) {
    for (const p of status.podIPs) if (isObject(p) && typeof p.ip === "string" && p.ip !== "") ips.add(p.ip);
  }
  const namedPorts: InventoryPod["namedPorts"] = [];
  let ok = true;
  for (const group of ["containers", "initContainers"] as const) {
    const containers = Array.isArray(spec[group]) ? spec[group] : [];
    containers.forEach((c, ci) => {
      // Init containers serve traffic only as sidecars, which Kubernetes marks with restartPolicy Always.
      if (!isObject(c) || !Array.isArray(c.ports) || (group === "initContainers" && c.restartPolicy !== "Always")) return;
      c.ports.forEach((p, pi) => {
        if (!isObject(p) || typeof p.name !== "string" || p.name === "") return;
        const port = p.containerPort;
        if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
          ok = false;
          problem("inventory/bad-port", at("spec", group, ci, "ports", pi, "containerPort"), `port ${p.name} of pod ${namespace}/${name} has containerPort ${show(port)}, not 1-65535`);
          return;
        }
        const protocol = typeof p.protocol === "string" && p.protocol !== "" ? p.protocol : "TCP";
        namedPorts.push({ name: p.name, protocol, port });
      });
    });
  }
  if (!ok) return undefined;
  const pod: InventoryPod = {
    namespace,
    name,
    labels,
    serviceAccount: (sa as string | undefined) ?? "default",
    ips: [...ips],
    namedPorts,
    hostNetwork: spec.hostNetwork === true,
  };
  const owners = Array.isArray(meta.ownerReferences) ? meta.ownerReferences.filter(isObject) : [];
  const owner = owners.find((o) => o.controller === true) ?? owners[0];
  if (owner && typeof owner.name === "string") pod.ownerName = owner.name;
  if (typeof meta.generateName === "string" && meta.generateName !== "") pod.generateName = meta.generateName;
  if (typeof status.phase === "string") pod.phase = status.phase;
  return pod;
}

/** Label values must be strings; YAML may have turned an unquoted `1` or `true` into a scalar, which is undone. */
function readLabels(raw: unknown, path: string, problem: Report): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) return void problem("inventory/bad-labels", path, `labels must be a map, found ${show(raw)}`);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      return void problem("inventory/bad-labels", joinPath(path, k), `label ${k} has value ${show(v)}, not a string`);
    }
    labels[k] = String(v);
  }
  return labels;
}

const FINISHED = new Set(["Succeeded", "Failed"]);

/**
 * A finished pod keeps its IP in status after the IP has gone to a new pod, so running pods are indexed first and a
 * finished pod only takes an IP nobody else holds. Two live pods on one IP is reported; the first keeps it.
 */
function indexByIp(inv: Inventory, diagnostics: FlowProblem[]): void {
  const live = inv.pods.filter((p) => !p.hostNetwork && !FINISHED.has(p.phase ?? ""));
  const finished = inv.pods.filter((p) => !p.hostNetwork && FINISHED.has(p.phase ?? ""));
  for (const pod of live) {
    for (const ip of pod.ips) {
      const holder = inv.podsByIp.get(ip);
      if (!holder) {
        inv.podsByIp.set(ip, pod);
        continue;
      }
      diagnostics.push({
        code: "inventory/duplicate-ip",
        line: 0,
        message: `pods ${holder.namespace}/${holder.name} and ${pod.namespace}/${pod.name} both hold ${ip}; flows from it are attributed to the first`,
      });
    }
  }
  for (const pod of finished) for (const ip of pod.ips) if (!inv.podsByIp.has(ip)) inv.podsByIp.set(ip, pod);
}
