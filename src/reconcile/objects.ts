import { createHash } from "node:crypto";
import { buildResources, loadText, type CalicoModel, type Resource } from "../policy/index.js";
import { stableJson } from "../review/index.js";
import { clusterName } from "./names.js";
import { ANNOTATIONS, kindInfo, MANAGED_LABEL, MANAGED_VALUE, PR_LABEL, ROLE_LABEL, type ClusterKind, type ClusterObject, type ObjectRef, type Provenance } from "./types.js";

/**
 * Repository resources as the objects the API holds, and back. Out: plain API JSON (`projectcalico.org/v3`, or
 * `networking.k8s.io/v1` NetworkPolicy for a KubernetesNetworkPolicy), the spec as written, no source positions,
 * tierguard's labels and annotations, and a hash of what tierguard wrote. Back: a live object as a policy-model
 * Resource, so the engine evaluates what the cluster holds exactly as it evaluated the repository.
 */
export type Role = "enforced" | "preview";

/** Names what an object previews or defines: `Kind/namespace/name` of the repository resource (previews only). */
export const PREVIEW_OF_ANNOTATION = "tierguard.dev/previews";

export interface DesiredOptions {
  model: CalicoModel;
  provenance: Provenance;
  /** Undefined: "enforced". */
  role?: Role;
  /** Previews: the pull request (PR_LABEL). */
  pullRequest?: number;
}

/** A desired object with the repository resource it comes from. */
export interface Desired {
  object: ClusterObject;
  resource: Resource;
}

export function refKey(ref: { kind: string; namespace?: string | null; name: string }): string {
  return `${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

/** tierguard's kind of a live object: its apiVersion's group tells a Kubernetes NetworkPolicy from Calico's. */
export function clusterKindOf(obj: Pick<ClusterObject, "apiVersion" | "kind">): ClusterKind | undefined {
  if (obj.kind === "NetworkPolicy") return obj.apiVersion.startsWith("networking.k8s.io/") ? "KubernetesNetworkPolicy" : "NetworkPolicy";
  const known: ClusterKind[] = ["Tier", "GlobalNetworkSet", "NetworkSet", "GlobalNetworkPolicy", "ClusterNetworkPolicy", "StagedGlobalNetworkPolicy", "StagedNetworkPolicy", "StagedKubernetesNetworkPolicy"];
  return known.find((k) => k === obj.kind);
}

export function refOf(obj: ClusterObject): ObjectRef {
  const kind = clusterKindOf(obj);
  if (!kind) throw new Error(`not a kind tierguard manages: ${obj.apiVersion} ${obj.kind}`);
  const ref: ObjectRef = { kind, name: obj.metadata.name };
  if (kindInfo(kind).namespaced) ref.namespace = obj.metadata.namespace ?? "default";
  return ref;
}

export function isManaged(obj: ClusterObject): boolean {
  return obj.metadata.labels?.[MANAGED_LABEL] === MANAGED_VALUE;
}

/** "preview" for pull requests' staged copies; anything else tierguard manages counts as enforced. */
export function roleOf(obj: ClusterObject): Role {
  return obj.metadata.labels?.[ROLE_LABEL] === "preview" ? "preview" : "enforced";
}

/**
 * The hash of what tierguard writes that matters: the spec and the repository's own labels and annotations (never
 * the provenance, which changes with every commit and would rewrite every object on every sync).
 */
export function specHash(spec: unknown, labels: Record<string, string>, annotations: Record<string, string>): string {
  return "sha256:" + createHash("sha256").update(stableJson({ spec, labels, annotations })).digest("hex");
}

export function toClusterObject(r: Resource, opts: DesiredOptions): ClusterObject {
  const info = kindInfo(r.kind as ClusterKind);
  const role = opts.role ?? "enforced";
  const labels: Record<string, string> = { ...(r.metadata.labels ?? {}), [MANAGED_LABEL]: MANAGED_VALUE, [ROLE_LABEL]: role };
  if (role === "preview" && opts.pullRequest !== undefined) labels[PR_LABEL] = String(opts.pullRequest);
  const own = { ...(r.metadata.annotations ?? {}) };
  const spec = JSON.parse(JSON.stringify(r.spec ?? {})) as Record<string, unknown>;
  const { provenance: p } = opts;
  const annotations: Record<string, string> = { ...own, [ANNOTATIONS.commit]: p.commit, [ANNOTATIONS.time]: p.time, [ANNOTATIONS.source]: sourceOf(r) };
  if (p.pullRequest !== undefined) annotations[ANNOTATIONS.pullRequest] = String(p.pullRequest);
  if (p.author !== undefined) annotations[ANNOTATIONS.author] = p.author;
  annotations[ANNOTATIONS.hash] = specHash(spec, labels, own);
  const metadata: ClusterObject["metadata"] = { name: clusterName(r, opts.model), labels, annotations };
  if (info.namespaced) metadata.namespace = r.metadata.namespace ?? "default";
  return { apiVersion: info.group ? `${info.group}/${info.version}` : info.version, kind: info.apiKind, metadata, spec };
}

/**
 * The repository file. Not its line: positions are computed lazily (a second parse of each document, about half a
 * millisecond), which would cost a second per sync of 2,000 policies for a value that goes stale at the next edit
 * above it; conflicts, which need the line, ask for it then.
 */
function sourceOf(r: Resource): string {
  return r.source.source.file;
}

/** The labels and annotations a desired object carries that are the repository's, not tierguard's provenance. */
export function ownMarks(obj: ClusterObject): { labels: Record<string, string>; annotations: Record<string, string> } {
  const provenance = new Set<string>(Object.values(ANNOTATIONS));
  const annotations = Object.fromEntries(Object.entries(obj.metadata.annotations ?? {}).filter(([k]) => !provenance.has(k)));
  return { labels: { ...(obj.metadata.labels ?? {}) }, annotations };
}

/**
 * A live object as a policy-model Resource (name as the cluster holds it), read through the same loader and schema
 * check as a repository file, under the synthetic file name `cluster:<Kind>/<namespace>/<name>`. Undefined when
 * the object is not a kind the model knows.
 */
export function fromClusterObject(obj: ClusterObject): Resource | undefined {
  const kind = clusterKindOf(obj);
  if (!kind) return undefined;
  const { metadata } = obj;
  const plain = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: pick(metadata), spec: obj.spec ?? {} };
  const file = `cluster:${refKey({ kind, namespace: metadata.namespace, name: metadata.name })}`;
  const loaded = loadText(file, JSON.stringify(plain));
  const built = buildResources(loaded.documents, { defaultNamespace: metadata.namespace ?? "default" });
  return built.resources[0];
}

function pick(m: ClusterObject["metadata"]): Record<string, unknown> {
  const out: Record<string, unknown> = { name: m.name };
  if (m.namespace !== undefined) out.namespace = m.namespace;
  if (m.labels) out.labels = m.labels;
  if (m.annotations) out.annotations = m.annotations;
  return out;
}
