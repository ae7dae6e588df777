import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { INVENTORY_RESOURCES, OPTIONAL_POLICY_RESOURCES, POLICY_RESOURCES } from "../../src/agent/index.js";
import { CLUSTER_KINDS } from "../../src/reconcile/index.js";
import { run } from "../cli/helpers.js";

/**
 * deploy/agent stays in step with the code: the DaemonSet runs the bare `tierguard agent` (the cluster through
 * informers, no state ConfigMap) with options the command has; the ClusterRole grants exactly the reads the
 * informers make and the Node patch; host network and CAP_NET_ADMIN only.
 */
const docs = (file: string) => parseAllDocuments(readFileSync(`deploy/agent/${file}`, "utf8")).map((d) => d.toJS());
const [daemonSet] = docs("daemonset.yaml");
const pod = daemonSet.spec.template.spec;
const container = pod.containers[0];

type Grant = string;
const grants = (rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>): Grant[] =>
  rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g || "core"}/${res}:${v}`)))).sort();

describe("deploy/agent", () => {
  test("the bare `tierguard agent`: no files, so the cluster source; every flag is one the command has", async () => {
    expect(container.args[0]).toBe("agent");
    const flags = container.args.slice(1).map((a: string) => a.split("=")[0]);
    expect(flags).toEqual(["--node", "--status-file", "--metrics-port", "--resync"]);
    expect(flags).not.toContain("--policies");
    expect(flags).not.toContain("--inventory");
    const help = await run(["agent", "--help"]);
    for (const f of flags) expect(help.stdout).toContain(`${f} <`);
    expect(container.env).toEqual([{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }]);
    // No ConfigMap of policies and inventory any more: only the status file's emptyDir.
    expect(pod.volumes).toEqual([{ name: "run", emptyDir: {} }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/healthz", port: "metrics" });
  });

  test("host network, UID 0 with every capability dropped but NET_ADMIN, nothing privileged, read-only root", () => {
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe("ClusterFirstWithHostNet");
    expect(pod.hostPID).toBeUndefined();
    expect(pod.automountServiceAccountToken).not.toBe(false); // the informers need the service account's token
    expect(container.securityContext).toEqual({ runAsUser: 0, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"], add: ["NET_ADMIN"] } });
    expect(pod.volumes.some((v: Record<string, unknown>) => "hostPath" in v)).toBe(false);
  });

  test("RBAC: get/list/watch exactly what the informers watch, patch nodes, nothing else; bound to the DaemonSet's account", () => {
    const [sa, role, binding] = docs("rbac.yaml");
    const watched = [...INVENTORY_RESOURCES, ...POLICY_RESOURCES, ...OPTIONAL_POLICY_RESOURCES].flatMap((r) => ["get", "list", "watch"].map((v) => `${r.group || "core"}/${r.plural}:${v}`));
    expect(grants(role.rules)).toEqual([...watched, "core/nodes:patch"].sort());
    expect(sa.metadata).toEqual({ name: "tierguard-agent", namespace: "tierguard" });
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "tierguard-agent", namespace: "tierguard" }]);
    const [kustomization] = docs("kustomization.yaml");
    expect(kustomization.resources).toEqual(["rbac.yaml", "daemonset.yaml"]);
  });

  test("the informers watch every policy kind the controller applies (ClusterNetworkPolicy where the cluster serves it)", () => {
    const watched = new Set([...POLICY_RESOURCES, ...OPTIONAL_POLICY_RESOURCES].map((r) => `${r.group}/${r.plural}`));
    const applied = CLUSTER_KINDS.map((k) => `${k.group}/${k.plural}`);
    expect(applied.filter((k) => !watched.has(k))).toEqual([]);
    expect(OPTIONAL_POLICY_RESOURCES.map((r) => `${r.group}/${r.plural}`)).toEqual(["policy.networking.k8s.io/clusternetworkpolicies"]);
    expect([...watched].filter((k) => !applied.includes(k))).toEqual([]);
  });
});
