import { lintCheck } from "../../../src/review/lint/index.js";
import type { Finding } from "../../../src/review/types.js";
import { reviewContext } from "../../helpers/review.js";
import { inventoryYaml } from "../policy-tests/fixtures.js";

/**
 * A small cluster for the lint tables: tiers `sec` (order 50, Pass) and `app` (order 100, Deny); shop/web, shop/api,
 * dev/tool and kube-system's CoreDNS. Each row adds files at head (and optionally at base).
 */
export const TIERS = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: sec }
spec: { order: 50, defaultAction: Pass }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: app }
spec: { order: 100, defaultAction: Deny }
`;

export const INVENTORY = inventoryYaml([
  { ns: "shop", name: "web-1", labels: { app: "web" }, ip: "10.1.0.1", sa: "web" },
  { ns: "shop", name: "api-1", labels: { app: "api" }, ip: "10.1.0.2", sa: "api" },
  { ns: "dev", name: "tool-1", labels: { app: "tool" }, ip: "10.1.0.3" },
  { ns: "kube-system", name: "coredns-1", labels: { "k8s-app": "kube-dns" }, ip: "10.1.0.10", sa: "coredns" },
]);

export const NOW = new Date("2025-07-03T12:00:00Z");

export interface LintFixture {
  /** Files at base besides tiers.yaml; the head has them too unless `head` overrides them. */
  base?: Record<string, string>;
  head: Record<string, string>;
  /** null: no inventory (no known workloads). */
  inventory?: string | null;
  config?: string;
}

export function lint(f: LintFixture, code?: string): Finding[] {
  const base: Record<string, string> = { "tiers.yaml": TIERS, ...(f.base ?? {}) };
  const head = { ...base, ...f.head };
  for (const [k, v] of Object.entries(head)) if (v === "") delete head[k];
  const inventory = f.inventory === null ? undefined : f.inventory ?? INVENTORY;
  const ctx = reviewContext({ base, head, inventory, config: f.config });
  const all = lintCheck({ now: NOW })(ctx);
  return code ? all.filter((x) => x.code === code) : all;
}

export const brief = (f: Finding) => ({ code: f.code, severity: f.severity, file: f.file, line: f.line, path: f.path });

/** A Calico policy document. */
export function np(name: string, ns: string, spec: string, kind = "NetworkPolicy"): string {
  return `apiVersion: projectcalico.org/v3
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${ns}
spec:
${spec.replace(/^\n/, "").replace(/\s+$/, "")}
`;
}

export function gnp(name: string, spec: string, kind = "GlobalNetworkPolicy"): string {
  return `apiVersion: projectcalico.org/v3
kind: ${kind}
metadata:
  name: ${name}
spec:
${spec.replace(/^\n/, "").replace(/\s+$/, "")}
`;
}
