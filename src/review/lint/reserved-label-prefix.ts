import { joinPath } from "../../contracts/index.js";
import type { Resource } from "../../policy/index.js";
import type { Finding } from "../types.js";
import { isCalicoPolicy, rulesOf, warning, warningInside, type LintRule } from "./context.js";
import { keyOffset, trySelector } from "./selector-util.js";

/**
 * Label keys with the prefixes Calico reserves (calico-semantics §2): `projectcalico.org/` (implicit labels Calico
 * sets), `pcns.` and `pcsa.` (the prefixes it gives inherited namespace and service-account labels). In resource
 * labels they are never what the author meant; in selectors they usually are a mistake, except the implicit
 * labels selectors are documented to use, each in its own kind of selector.
 */
type SelectorContext = "endpoint" | "namespace" | "serviceAccount";

/** Implicit labels each kind of selector may legitimately read. */
const ALLOWED: Record<SelectorContext, ReadonlySet<string>> = {
  // Endpoints carry namespace, orchestrator and serviceaccount; network sets are selected by name and kind
  // (Calico Enterprise's recommendations write `projectcalico.org/name == 'x' && projectcalico.org/kind == 'NetworkSet'`).
  endpoint: new Set(["projectcalico.org/namespace", "projectcalico.org/orchestrator", "projectcalico.org/serviceaccount", "projectcalico.org/name", "projectcalico.org/kind"]),
  namespace: new Set(["projectcalico.org/name"]),
  serviceAccount: new Set(["projectcalico.org/name"]),
};

const NAME = "reserved-label-prefix";

export const reservedLabelPrefix: LintRule = {
  name: NAME,
  run(env) {
    return env.changed.flatMap((r) => [...resourceLabels(r), ...selectors(r)]);
  },
};

function resourceLabels(r: Resource): Finding[] {
  const tier = isCalicoPolicy(r) ? r.spec.tier || "default" : undefined;
  return Object.entries(r.metadata.labels ?? {}).flatMap(([key, value]) => {
    if (!reserved(key)) return [];
    if (key === "projectcalico.org/tier" && value === tier) return []; // what Calico itself writes, e.g. in an export
    const path = joinPath("metadata.labels", key);
    const why = key.startsWith("projectcalico.org/")
      ? "Calico sets labels with this prefix itself (projectcalico.org/tier from spec.tier, the implicit endpoint labels), so this one conflicts with or shadows them"
      : `Calico gives inherited ${key.startsWith("pcns.") ? "namespace" : "service-account"} labels this prefix, so selectors cannot tell this label from an inherited one`;
    return [warning(r, path, NAME, `Label ${key} on ${r.kind} ${r.metadata.name} uses a prefix Calico reserves: ${why}. Rename it under your own prefix (e.g. acme.io/${key.replace(/^(projectcalico\.org\/|pcns\.|pcsa\.)/, "")}) or remove it.`)];
  });
}

function selectors(r: Resource): Finding[] {
  if (!isCalicoPolicy(r)) return [];
  const out: Finding[] = [];
  const check = (path: string, text: string | undefined, context: SelectorContext) => {
    const sel = trySelector(text);
    if (!sel || text === undefined) return;
    for (const key of sel.labelKeys()) {
      const message = selectorProblem(key, context, path);
      if (message) out.push(warningInside(r, path, keyOffset(text, key), NAME, message));
    }
  };
  check("spec.selector", r.spec.selector, "endpoint");
  check("spec.namespaceSelector", r.spec.namespaceSelector, "namespace");
  check("spec.serviceAccountSelector", r.spec.serviceAccountSelector, "serviceAccount");
  for (const { rule, path } of rulesOf(r)) {
    for (const side of ["source", "destination"] as const) {
      const e = rule[side];
      if (!e) continue;
      const at = `${path}.${side}`;
      check(`${at}.selector`, e.selector, "endpoint");
      check(`${at}.notSelector`, e.notSelector, "endpoint");
      check(`${at}.namespaceSelector`, e.namespaceSelector, "namespace");
      check(`${at}.serviceAccounts.selector`, e.serviceAccounts?.selector, "serviceAccount");
    }
  }
  return out;
}

function reserved(key: string): boolean {
  return key.startsWith("projectcalico.org/") || key.startsWith("pcns.") || key.startsWith("pcsa.");
}

function selectorProblem(key: string, context: SelectorContext, path: string): string | undefined {
  if (!reserved(key) || ALLOWED[context].has(key)) return undefined;
  const field = path.slice(path.lastIndexOf(".") + 1);
  if (context !== "endpoint" && (key.startsWith("pcns.") || key.startsWith("pcsa."))) {
    const added = context === "namespace" ? "pcns." : "pcsa.";
    return `${path} reads ${key}: Calico adds the ${added} prefix to every label of a ${field} itself, so this reads ${added}${key} and matches nothing. Write ${key.slice(5)} instead.`;
  }
  if (key.startsWith("pcns.")) {
    return `${path} reads ${key}, the inherited copy of a namespace label. Say what you mean with a namespaceSelector (${key.slice(5)} ...) next to the selector; the pcns. form is an implementation detail and also matches network sets.`;
  }
  if (key.startsWith("pcsa.")) {
    return `${path} reads ${key}, the inherited copy of a service-account label. Use serviceAccounts.selector (or spec.serviceAccountSelector) with ${key.slice(5)} instead.`;
  }
  if (context === "namespace") {
    const hint = key === "projectcalico.org/namespace" ? " To match a namespace by name, write projectcalico.org/name == '<namespace>'." : " Namespaces carry only projectcalico.org/name (and their own labels, such as kubernetes.io/metadata.name).";
    return `${path} reads ${key}, which no namespace carries, so this matches nothing.${hint}`;
  }
  if (context === "serviceAccount") {
    return `${path} reads ${key}, which no service account carries, so this matches nothing. Match a service account by name with projectcalico.org/name == '<name>'.`;
  }
  return `${path} reads ${key}: no endpoint carries it (Calico's implicit labels are projectcalico.org/namespace, orchestrator and serviceaccount), so this term never matches. Use a label of your own.`;
}
