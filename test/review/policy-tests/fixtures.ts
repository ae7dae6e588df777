/**
 * Small review fixtures: an inventory written as `kubectl get namespaces,pods,serviceaccounts -A -o yaml` prints
 * it, and YAML builders for the policies the policy-test and lint tables use.
 */
export interface PodFixture {
  ns: string;
  name: string;
  labels: Record<string, string>;
  ip?: string;
  sa?: string;
  ports?: Array<{ name: string; port: number; protocol?: string }>;
}

export function inventoryYaml(pods: PodFixture[], namespaces: Record<string, Record<string, string>> = {}): string {
  const nsNames = new Set([...Object.keys(namespaces), ...pods.map((p) => p.ns)]);
  const items: string[] = [];
  for (const ns of nsNames) {
    const labels = { "kubernetes.io/metadata.name": ns, ...(namespaces[ns] ?? {}) };
    items.push(`- apiVersion: v1
  kind: Namespace
  metadata:
    name: ${ns}
    labels: ${JSON.stringify(labels)}`);
  }
  for (const p of pods) {
    const ports = (p.ports ?? []).map((x) => `{ name: ${x.name}, containerPort: ${x.port}, protocol: ${x.protocol ?? "TCP"} }`).join(", ");
    items.push(`- apiVersion: v1
  kind: Pod
  metadata:
    name: ${p.name}
    namespace: ${p.ns}
    labels: ${JSON.stringify(p.labels)}
  spec:
    serviceAccountName: ${p.sa ?? "default"}
    containers: [{ name: main, ports: [${ports}] }]
  status:
    phase: Running
    podIP: "${p.ip ?? ""}"
    podIPs: [${p.ip ? `{ ip: "${p.ip}" }` : ""}]`);
  }
  return `apiVersion: v1
kind: List
items:
${items.join("\n")}
`;
}

/** The line (1-based) of the first line of `text` that contains `fragment`. */
export function lineOf(text: string, fragment: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(fragment));
  if (i < 0) throw new Error(`"${fragment}" not in text`);
  return i + 1;
}
