import type { Endpoint } from "../engine/index.js";
import { isVolatileLabel, UNKNOWN_POD_LABELS } from "../engine/index.js";

/** The list lives in the engine (labels.ts), beside the other label vocabulary every layer reads. */
export { VOLATILE_LABELS, isVolatileLabel } from "../engine/index.js";

/**
 * Stable workload identities. A recommendation must keep matching a workload across rollouts, so its selectors use
 * the labels that name the workload and never those a controller stamps on each revision or replica: a selector on
 * `pod-template-hash` stops matching at the next rollout, and one on `statefulset.kubernetes.io/pod-name` matches a
 * single replica.
 */

/** Labels that name a workload, most telling first; the first one a workload carries is its identity. */
export const IDENTITY_LABELS: readonly string[] = [
  "app.kubernetes.io/name",
  "app",
  "k8s-app",
  "name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/component",
  "component",
  "role",
  "tier",
  "run",
];

/** Implicit labels the engine adds (calico-semantics §2); they are not the pod's own. */
const IMPLICIT = /^(projectcalico\.org\/|pcns\.|pcsa\.)/;

/** Kubernetes label syntax (an optional DNS-subdomain prefix, a name of up to 63 characters; values likewise). */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  return slash === -1 ? LABEL_NAME.test(key) : LABEL_PREFIX.test(key.slice(0, slash)) && LABEL_NAME.test(key.slice(slash + 1));
}

/** Values are quoted in selectors; one a cluster could not carry (a quote, a space) is never used. */
export function isLabelValue(value: string): boolean {
  return value === "" || LABEL_NAME.test(value);
}

/** A namespace name (DNS label): only these can appear in a selector or as metadata.namespace. */
export function isNamespaceName(name: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name);
}

/**
 * A workload's own labels without the volatile ones, sorted by key. Undefined when the flow records aggregated its
 * labels away and no inventory gave them back: the workload then cannot be told apart inside its namespace.
 * Labels known only in part (Goldmane keeps those every aggregated pod shares) are used: each pod carries them.
 */
export function stableLabels(ep: Endpoint): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  let own = 0;
  for (const [k, v] of ep.labels.map) {
    if (IMPLICIT.test(k)) continue;
    own++;
    if (!isVolatileLabel(k) && isLabelKey(k) && isLabelValue(v)) out.push([k, v]);
  }
  if ((ep.labels.unknown & UNKNOWN_POD_LABELS) !== 0 && own === 0) return undefined;
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export interface WorkloadIdentity {
  /** The Calico selector, e.g. `app == 'frontend'`. */
  selector: string;
  /** Why these labels, for the YAML comment. */
  reason: string;
  /** A short name for the workload (the identity label's value), for policy names and messages. */
  short: string;
}

/** The key a set of stable labels is grouped under. */
export function labelsKey(labels: ReadonlyArray<[string, string]>): string {
  return labels.map(([k, v]) => `${k}=${v}`).join(",");
}

/**
 * Identities for the workloads of one namespace: for each, the first identity label it carries, extended with the
 * next ones while another workload of the namespace would share the selector, else every stable label.
 */
export function chooseIdentities(workloads: ReadonlyArray<ReadonlyArray<[string, string]>>): Map<string, WorkloadIdentity> {
  const out = new Map<string, WorkloadIdentity>();
  const all = workloads.map((w) => ({ key: labelsKey(w), map: new Map(w) }));
  for (const labels of workloads) {
    const key = labelsKey(labels);
    if (out.has(key)) continue;
    const own = new Map(labels);
    const chosen: string[] = [];
    let unique = false;
    for (const k of IDENTITY_LABELS) {
      if (!own.has(k)) continue;
      chosen.push(k);
      unique = all.every((o) => o.key === key || chosen.some((c) => o.map.get(c) !== own.get(c)));
      if (unique) break;
    }
    let reason: string;
    if (chosen.length > 0 && unique) {
      reason = chosen.length === 1 ? `label ${chosen[0]}, the first workload-naming label it carries` : `labels ${chosen.join(", ")}, as fewer would also select another workload of the namespace`;
    } else {
      chosen.splice(0, chosen.length, ...labels.map(([k]) => k));
      reason = labels.length === 0 ? "no stable labels, so the whole namespace" : "every stable label, as no workload-naming label tells it apart";
    }
    const selector = chosen.map((k) => `${k} == '${own.get(k)}'`).join(" && ") || "all()";
    const short = chosen.length > 0 ? own.get(chosen[0])! : "all";
    out.set(key, { selector, reason, short });
  }
  return out;
}
