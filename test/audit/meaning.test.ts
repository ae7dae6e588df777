import { describe, expect, test } from "@jest/globals";
import { describeMeaningChange } from "../../src/audit/index.js";
import { loadBundle, type Resource } from "../../src/policy/index.js";

/**
 * The meaning of a change, field by field: one row per kind of change, each with the exact words. Both sides go
 * through the review's canonical form, so what differs only in spelling (quotes, key order, a port as "80") says
 * nothing.
 */
function calico(spec: string, meta = ""): Resource {
  const text = `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\n${meta}spec:\n${spec}`;
  const r = loadBundle([{ file: "p.yaml", text }]).resources[0];
  if (!r) throw new Error(`no resource in:\n${text}`);
  return r;
}

const rule = (o: { action?: string; selector?: string; ports?: string; nets?: string } = {}) =>
  `    - action: ${o.action ?? "Allow"}\n      protocol: TCP\n      source:\n        selector: ${o.selector ?? "app == 'a'"}\n${o.nets ? `        nets: ${o.nets}\n` : ""}      destination:\n        ports: ${o.ports ?? "[80]"}\n`;
const policy = (o: { selector?: string; order?: number; tier?: string; rules?: string[] } = {}) =>
  `  tier: ${o.tier ?? "app"}\n  order: ${o.order ?? 100}\n  selector: ${o.selector ?? "app == 'web'"}\n  types: [Ingress]\n  ingress:\n${(o.rules ?? [rule()]).join("")}`;

describe("describeMeaningChange", () => {
  const rows: Array<[string, Resource, Resource, string[]]> = [
    ["same meaning, other spelling", calico(policy()), calico(policy({ selector: `"app == \\"web\\""`, rules: [rule({ ports: `["80"]` })] })), []],
    ["ports narrowed", calico(policy({ rules: [rule({ ports: `[80, "8000:9000"]` })] })), calico(policy({ rules: [rule({ ports: `[80, 8080]` })] })),
      ["spec.ingress[0].destination.ports: ports narrowed from 80, 8000:9000 to 80, 8080"]],
    ["ports changed", calico(policy()), calico(policy({ rules: [rule({ ports: "[443]" })] })), ["spec.ingress[0].destination.ports: ports changed from 80 to 443"]],
    ["selector widened", calico(policy({ selector: "app == 'web' && tier == 'x'" })), calico(policy()),
      [`spec.selector: selector widened from (app == "web" && tier == "x") to app == "web"`]],
    ["selector changed", calico(policy()), calico(policy({ selector: "app == 'api'" })), [`spec.selector: selector changed from app == "web" to app == "api"`]],
    ["a CIDR added", calico(policy({ rules: [rule({ nets: "[10.0.0.0/8]" })] })), calico(policy({ rules: [rule({ nets: "[10.0.0.0/8, 192.168.0.0/16]" })] })),
      ["spec.ingress[0].source.nets: CIDR 192.168.0.0/16 added"]],
    ["a rule removed in the middle", calico(policy({ rules: [rule(), rule({ selector: "app == 'b'" }), rule({ selector: "app == 'c'" })] })),
      calico(policy({ rules: [rule(), rule({ selector: "app == 'c'" })] })), [`spec.ingress: rule removed (was spec.ingress[1]: Allow TCP from app == "b" to ports 80)`]],
    ["order and tier", calico(policy()), calico(policy({ order: 200, tier: "security" })), ["spec.order changed from 100 to 200", "spec.tier changed from app to security"]],
    ["a label added", calico(policy()), calico(policy(), "  labels:\n    team: shop\n"), ["label team=shop added"]],
  ];
  test.each(rows)("%s", (_name, base, head, expected) => {
    expect(describeMeaningChange(base, head)).toEqual(expected);
  });

  test("a Kubernetes policy's peers changed: the canonical forms as a textual diff", () => {
    const k8s = (from: string) =>
      loadBundle([{ file: "k.yaml", text: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n${from}      ports:\n        - port: 80\n` }]).resources[0];
    const out = describeMeaningChange(k8s("        - podSelector:\n            matchLabels: {app: a}\n"), k8s("        - podSelector:\n            matchLabels: {app: b}\n"));
    expect(out[0]).toBe("spec.ingress[0].from changed:");
    expect(out.slice(1)).toEqual(expect.arrayContaining([`  - ${" ".repeat(8)}"app": "a"`, `  + ${" ".repeat(8)}"app": "b"`]));
  });
});
