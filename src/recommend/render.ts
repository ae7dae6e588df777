import { Document, isScalar, isSeq, visit, type Node } from "yaml";
import { rfc3339 } from "./lifecycle.js";
import type { Justification, RecNetworkSet, RecPolicy, RecRule, Recommendation } from "./types.js";

/**
 * The recommendation as Calico v3 YAML, one document per resource, each rule preceded by a comment naming the flows
 * that justify it. Deterministic: resources, rules, keys and lists are sorted by the builder, and nothing here reads
 * the clock (times come from the flows).
 */
export interface RenderedFile {
  /**
   * `<namespace>-isolation.yaml` (the name of the namespace's policy, so writing into the folder that holds an
   * earlier recommendation replaces its file), or `<tier>-tier.yaml` for the Tier.
   */
  name: string;
  text: string;
}

export function renderFiles(rec: Recommendation, summary: string[]): RenderedFile[] {
  const files: RenderedFile[] = [];
  if (rec.tier.emit) files.push({ name: `${rec.tier.name}-tier.yaml`, text: tierDoc(rec) });
  const namespaces = [...new Set([...rec.policies.map((p) => p.namespace), ...rec.networkSets.map((s) => s.namespace)])].sort();
  for (const ns of namespaces) {
    const docs = [
      ...rec.policies.filter((p) => p.namespace === ns).map((p) => policyDoc(p, rec.tier.name, summary)),
      ...rec.networkSets.filter((s) => s.namespace === ns).map(networkSetDoc),
    ];
    files.push({ name: `${ns}-isolation.yaml`, text: docs.join("---\n") });
  }
  return files;
}

/** Every file as one multi-document stream. */
export function renderStream(files: readonly RenderedFile[]): string {
  return files.map((f) => f.text).join("---\n");
}

function tierDoc(rec: Recommendation): string {
  const doc = new Document({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: rec.tier.name }, spec: { order: rec.tier.order, defaultAction: "Pass" } });
  doc.commentBefore = ` The recommendation tier: the repository has no Tier ${rec.tier.name}, so tierguard adds one after the tiers it\n defines (order ${rec.tier.order}). End of tier: Pass, so a workload no recommendation selects goes on to the next tier.`;
  return show(doc);
}

function policyDoc(p: RecPolicy, tier: string, summary: string[]): string {
  const annotations = {
    "policyrecommendation.tigera.io/lastUpdated": rfc3339(p.lastChange),
    "policyrecommendation.tigera.io/name": p.name,
    "policyrecommendation.tigera.io/namespace": p.namespace,
    "policyrecommendation.tigera.io/scope": "namespace",
    "policyrecommendation.tigera.io/status": p.status,
  };
  const body = {
    apiVersion: "projectcalico.org/v3",
    kind: "StagedNetworkPolicy",
    metadata: { name: p.name, namespace: p.namespace, labels: { "policyrecommendation.tigera.io/scope": "namespace" }, annotations },
    spec: {
      tier,
      stagedAction: "Set",
      selector: p.selector,
      types: ["Ingress", "Egress"],
      ingress: p.ingress.map((r) => r.body),
      egress: p.egress.map((r) => r.body),
    },
  };
  const doc = new Document(body);
  const ids = p.identities.map((i) => `   ${i.selector}: ${i.reason}`);
  doc.commentBefore = [
    ` Recommended by tierguard recommend: isolation of ${p.selector === `projectcalico.org/namespace == '${p.namespace}'` ? `namespace ${p.namespace}` : `${p.selector} in ${p.namespace}`}, learned`,
    ` from the flows that reached tier ${tier}. Status ${p.status}.`,
    ...summary.map((s) => ` ${s}`),
    ...(ids.length > 0 ? [" Workload identities (never a volatile label such as pod-template-hash, controller-revision-hash or"," statefulset.kubernetes.io/pod-name):", ...ids] : []),
  ].join("\n");
  for (const direction of ["ingress", "egress"] as const) {
    p[direction].forEach((r, i) => {
      const node = doc.getIn(["spec", direction, i], true) as Node;
      node.commentBefore = ruleComment(r);
    });
  }
  return show(doc);
}

function ruleComment(r: RecRule): string {
  const lines: string[] = [];
  if (r.note) lines.push(` ${r.note}${r.why.records === 0 && r.body.action !== "Deny" ? " (no flow observed)" : ""}`);
  if (r.why.records > 0) lines.push(` ${justify(r.why)}`);
  if (r.stale) lines.push(` STALE: no flow since ${rfc3339(r.why.last!)}; offered for removal (kept, so the proof still holds)`);
  return lines.join("\n");
}

function justify(w: Justification): string {
  const when = w.first !== undefined ? `, first seen ${rfc3339(w.first)}, last seen ${rfc3339(w.last ?? w.first)}` : "";
  return `${w.connections} connections in ${w.records} flow records${when}; e.g. ${w.example}`;
}

function networkSetDoc(s: RecNetworkSet): string {
  const doc = new Document({ apiVersion: "projectcalico.org/v3", kind: "NetworkSet", metadata: { name: s.name, namespace: s.namespace, labels: s.labels }, spec: { nets: s.nets } });
  doc.commentBefore = ` External addresses of ${s.namespace}, merged because their rules exceeded --max-rules.`;
  return show(doc);
}

/** Port ranges quoted ("80:82" is a base-60 number to YAML 1.1 readers); short lists in flow style. */
function show(doc: Document): string {
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === "string" && /^\d+:\d+$/.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
    Pair(_, pair) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if ((key === "ports" || key === "types") && isSeq(pair.value)) pair.value.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}
