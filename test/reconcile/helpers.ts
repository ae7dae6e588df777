import { buildResources, loadText, type Resource } from "../../src/policy/index.js";
import { DEFAULT_PROVENANCE } from "./provenance.js";

/** Resources from YAML written in the test (positions kept, as the repository loader keeps them). */
export function resources(yaml: string, file = "policies.yaml"): Resource[] {
  const loaded = loadText(file, yaml);
  if (loaded.diagnostics.length > 0) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return buildResources(loaded.documents, { defaultNamespace: "default" }).resources;
}

export { DEFAULT_PROVENANCE };

/** A policy repository of `n` NetworkPolicies in namespace shop, tier security (plus the tier). */
export function manyPolicies(names: readonly string[], opts: { tier?: string; action?: string } = {}): string {
  const tier = opts.tier ?? "security";
  const docs = [`apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: ${tier}\nspec:\n  order: 100\n`];
  for (const n of names) {
    docs.push(
      `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: ${n}\n  namespace: shop\nspec:\n  tier: ${tier}\n  order: 10\n  selector: app == "${n}"\n  ingress:\n    - action: ${opts.action ?? "Allow"}\n      source:\n        selector: app == "web"\n`,
    );
  }
  return docs.join("---\n");
}
