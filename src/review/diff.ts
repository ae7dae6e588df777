import { defaultK8sSpec, policyTier } from "../policy/index.js";
import { describeResource, isClusterPolicy, isPolicy, type CalicoPolicySpec, type Resource, type Rule } from "../policy/index.js";
import { parseSelector } from "../selector/index.js";
import type { ResourceChange } from "./types.js";

/**
 * Which resources a change adds, removes, changes, moves or renames, by identity (kind, namespace, name), not by
 * path. "Meaning" is compared on a canonical form: selectors in Calico's canonical form, defaults filled in, key
 * order and formatting ignored, so a change of comments or layout needs no owner while any change of meaning does.
 */
export function identityOf(r: Resource): string {
  return `${r.kind}/${r.metadata.namespace ?? ""}/${r.metadata.name ?? ""}`;
}

export function diffResources(base: readonly Resource[], head: readonly Resource[]): ResourceChange[] {
  const baseById = new Map(base.map((r) => [identityOf(r), r]));
  const headById = new Map(head.map((r) => [identityOf(r), r]));
  const changes: ResourceChange[] = [];
  const removed: Resource[] = [];
  for (const [id, b] of baseById) {
    const h = headById.get(id);
    if (!h) {
      removed.push(b);
      continue;
    }
    const moved = b.source.file !== h.source.file;
    if (!moved && b.source.source.text === h.source.source.text) continue; // the same file, untouched
    const sameMeaning = canonical(b) === canonical(h);
    if (sameMeaning && !moved) {
      if (rawText(b) !== rawText(h)) changes.push({ kind: "reformatted", base: b, head: h, meaningChanged: false, summary: "formatting or comments changed" });
      continue;
    }
    const notes = [moved ? `moved from ${b.source.file} to ${h.source.file}` : "", sameMeaning ? "" : describeSpecChange(b, h)].filter(Boolean);
    changes.push({ kind: sameMeaning ? "moved" : "changed", base: b, head: h, meaningChanged: !sameMeaning, summary: notes.join("; ") });
  }
  const added = head.filter((r) => !baseById.has(identityOf(r)));
  // A removed and an added resource of one kind with the same meaning apart from the name: a rename.
  const unmatched = new Set(added);
  for (const b of removed) {
    const key = canonical(b, true);
    const h = [...unmatched].find((a) => a.kind === b.kind && canonical(a, true) === key);
    if (h) {
      unmatched.delete(h);
      changes.push({ kind: "renamed", base: b, head: h, meaningChanged: true, summary: `renamed from ${describeResource(b)} to ${describeResource(h)}` });
    } else {
      changes.push({ kind: "removed", base: b, meaningChanged: true, summary: `removed (was in ${b.source.file})` });
    }
  }
  for (const h of unmatched) changes.push({ kind: "added", head: h, meaningChanged: true, summary: `added in ${h.source.file}` });
  return changes;
}

function describeSpecChange(b: Resource, h: Resource): string {
  const tier = (r: Resource) => (isPolicy(r) ? policyTier(r) : undefined);
  const bt = tier(b);
  const ht = tier(h);
  if (bt !== ht) return `spec.tier changed from ${bt} to ${ht}`;
  return "spec changed";
}

/** The text of the document the resource came from, for telling a reformat from no change at all. */
function rawText(r: Resource): string {
  const span = r.source.span("");
  return span ? r.source.source.text.slice(span.start, span.end) : "";
}

/** Canonical JSON of what a resource means. `ignoreName` drops the name, for rename detection. */
export function canonical(r: Resource, ignoreName = false): string {
  const meta = { name: ignoreName ? undefined : r.metadata.name, namespace: r.metadata.namespace, labels: r.metadata.labels ?? {}, annotations: r.metadata.annotations ?? {} };
  let spec: unknown = r.spec;
  if (r.kind === "KubernetesNetworkPolicy") spec = defaultK8sSpec(r.spec);
  // A ClusterNetworkPolicy's spec is compared as written: its fields are not Calico's.
  else if (isPolicy(r) && r.kind !== "StagedKubernetesNetworkPolicy" && !isClusterPolicy(r)) spec = canonicalCalicoSpec(r.spec as CalicoPolicySpec);
  return stableJson({ kind: r.kind, metadata: meta, spec });
}

function canonicalCalicoSpec(spec: CalicoPolicySpec): CalicoPolicySpec {
  const rule = (x: Rule): Rule => ({
    ...x,
    source: x.source && canonicalEntity(x.source),
    destination: x.destination && canonicalEntity(x.destination),
    protocol: typeof x.protocol === "string" && /^\d+$/.test(x.protocol) ? Number(x.protocol) : x.protocol,
  });
  const hasEgress = (spec.egress?.length ?? 0) > 0;
  const hasIngress = (spec.ingress?.length ?? 0) > 0;
  const types = spec.types?.length ? [...spec.types].sort() : !hasEgress ? ["Ingress"] : hasIngress ? ["Egress", "Ingress"] : ["Egress"];
  return {
    ...spec,
    tier: spec.tier || "default",
    types,
    selector: canonicalSelector(spec.selector),
    namespaceSelector: spec.namespaceSelector === undefined ? undefined : canonicalSelector(spec.namespaceSelector),
    serviceAccountSelector: spec.serviceAccountSelector === undefined ? undefined : canonicalSelector(spec.serviceAccountSelector),
    ingress: (spec.ingress ?? []).map(rule),
    egress: (spec.egress ?? []).map(rule),
  };
}

function canonicalEntity(e: NonNullable<Rule["source"]>): NonNullable<Rule["source"]> {
  const sel = (s: string | undefined) => (s === undefined ? undefined : canonicalSelector(s));
  const ports = (p: Array<number | string> | undefined) => p?.map((x) => (typeof x === "string" && /^\d+$/.test(x) ? Number(x) : x));
  return { ...e, selector: sel(e.selector), notSelector: sel(e.notSelector), namespaceSelector: sel(e.namespaceSelector), ports: ports(e.ports), notPorts: ports(e.notPorts) };
}

function canonicalSelector(s: string | undefined): string {
  if (s === undefined || s.trim() === "") return "all()";
  try {
    return parseSelector(s).toString();
  } catch {
    return s;
  }
}

/** JSON with object keys sorted and undefined fields left out, so equal content gives equal text. */
export function stableJson(v: unknown): string {
  if (v === undefined) return "null";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(",")}}`;
}
