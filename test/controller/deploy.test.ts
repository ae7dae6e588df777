import { describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { parseControllerConfig } from "../../src/controller/config.js";
import { apiCallKey, CONTROLLER_API_CALLS, isPermitted } from "../../src/controller/rbac.js";
import { CLUSTER_KINDS } from "../../src/reconcile/index.js";

/**
 * deploy/controller as `kubectl kustomize` renders it: the ClusterRole grants exactly the calls the controller makes
 * (CONTROLLER_API_CALLS, no more, no less, no wildcard), the Deployment runs `tierguard controller` with probes on
 * its endpoints, limits and a locked-down container, and the configuration it is given passes the controller's own
 * check. Needs kubectl (Debian: kubernetes-client); skipped with a message where it is missing.
 */
const KUBECTL = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].find(existsSync);
if (!KUBECTL) console.warn("test/controller/deploy.test.ts: kubectl not found (apt-get install kubernetes-client): the rendered manifests are not checked");
const maybe = KUBECTL ? describe : describe.skip;

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
}

function render(): Obj[] {
  const text = execFileSync(KUBECTL!, ["kustomize", "deploy/controller"], { encoding: "utf8" });
  return parseAllDocuments(text).map((d) => d.toJS() as Obj);
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** Every (group, resource, verb) a ClusterRole grants, as rbac.ts keys them. */
function granted(rules: Rule[]): string[] {
  return rules.flatMap((r) => (r.apiGroups ?? []).flatMap((group) => (r.resources ?? []).flatMap((resource) => r.verbs.map((verb) => apiCallKey({ group, resource, verb: verb as never })))));
}

maybe("deploy/controller, rendered", () => {
  const objects = KUBECTL ? render() : [];
  const find = (kind: string) => objects.filter((o) => o.kind === kind);

  test("the ClusterRole grants exactly the calls the controller makes: no more, no less, no wildcard or named subset", () => {
    const [role] = find("ClusterRole");
    const rules = role.rules as Rule[];
    expect([...granted(rules)].sort()).toEqual(CONTROLLER_API_CALLS.map(apiCallKey).sort());
    expect(new Set(granted(rules)).size).toBe(granted(rules).length); // each grant once
    for (const r of rules) {
      expect(r.resourceNames).toBeUndefined();
      expect(r.nonResourceURLs).toBeUndefined();
      expect([...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs]).not.toContain("*");
    }
  });

  test("the call list covers every managed kind with every verb, Calico's tier pseudo-resources, events and discovery", () => {
    for (const k of CLUSTER_KINDS) for (const verb of ["get", "list", "watch", "create", "update", "patch", "delete"] as const) expect(isPermitted({ group: k.group, resource: k.plural, verb })).toBe(true);
    expect(isPermitted({ group: "projectcalico.org", resource: "tier.networkpolicies", verb: "update" })).toBe(true);
    expect(isPermitted({ group: "projectcalico.org", resource: "tier.stagedkubernetesnetworkpolicies", verb: "create" })).toBe(true);
    expect(isPermitted({ group: "", resource: "events", verb: "create" })).toBe(true);
    expect(isPermitted({ group: "events.k8s.io", resource: "events", verb: "create" })).toBe(false);
    expect(isPermitted({ group: "apiextensions.k8s.io", resource: "customresourcedefinitions", verb: "list" })).toBe(true);
    // What it never does: read Secrets, delete CRDs, touch the tiers' pseudo-resource for network sets.
    expect(isPermitted({ group: "", resource: "secrets", verb: "get" })).toBe(false);
    expect(isPermitted({ group: "apiextensions.k8s.io", resource: "customresourcedefinitions", verb: "delete" })).toBe(false);
    expect(isPermitted({ group: "projectcalico.org", resource: "tier.networksets", verb: "get" })).toBe(false);
    expect(isPermitted({ group: "events.k8s.io", resource: "events", verb: "delete" })).toBe(false);
  });

  test("the binding gives that role to the controller's ServiceAccount, in the namespace everything lands in", () => {
    const [binding] = find("ClusterRoleBinding");
    const [sa] = find("ServiceAccount");
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: find("ClusterRole")[0].metadata.name });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: sa.metadata.name, namespace: "tierguard" }]);
    const namespaced = objects.filter((o) => !["Namespace", "ClusterRole", "ClusterRoleBinding"].includes(o.kind));
    expect(namespaced.map((o) => [o.kind, o.metadata.namespace])).toEqual(namespaced.map((o) => [o.kind, "tierguard"]));
    expect(objects.map((o) => o.kind).sort()).toEqual(["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Namespace", "Service", "ServiceAccount"]);
    for (const o of objects) expect([o.kind, o.metadata.labels?.["app.kubernetes.io/part-of"]]).toEqual([o.kind, "tierguard"]);
  });

  test("one replica of `tierguard controller`, replaced stop-first, probes on /healthz and /readyz, limits, a locked-down container", () => {
    const [deployment] = find("Deployment");
    const pod = deployment.spec.template.spec;
    const [c] = pod.containers;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
    expect(pod.serviceAccountName).toBe(find("ServiceAccount")[0].metadata.name);
    expect(c.args).toEqual(["controller", "--listen", ":8080"]);
    expect(c.ports).toEqual([{ name: "http", containerPort: 8080 }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(Object.keys(c.resources.requests).sort()).toEqual(["cpu", "memory"]);
    expect(Object.keys(c.resources.limits).sort()).toEqual(["cpu", "ephemeral-storage", "memory"]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });

  test("the metrics Service reaches the pod's http port, not-ready pods included", () => {
    const [service] = find("Service");
    const pod = find("Deployment")[0].spec.template;
    expect(service.spec.selector).toEqual({ "app.kubernetes.io/name": pod.metadata.labels["app.kubernetes.io/name"] });
    expect(service.spec.ports).toEqual([{ name: "http", port: 8080, targetPort: "http" }]);
    expect(service.spec.publishNotReadyAddresses).toBe(true);
  });

  test("the configuration the pod gets (ConfigMap, Secret, flags) passes the controller's own check", () => {
    const [config] = find("ConfigMap");
    const [c] = find("Deployment")[0].spec.template.spec.containers;
    expect(c.envFrom).toEqual([{ configMapRef: { name: config.metadata.name } }]);
    const [secret] = parseAllDocuments(readFileSync("deploy/controller/secret.example.yaml", "utf8")).map((d) => d.toJS());
    const fromSecret = Object.fromEntries(c.env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, secret.stringData[e.valueFrom.secretKeyRef.key]]));
    const plain = Object.fromEntries(c.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    const env = { ...config.data, ...plain, ...Object.fromEntries(Object.entries(fromSecret).filter(([, v]) => v !== undefined)) };
    const key = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    const { problems, config: parsed } = parseControllerConfig({ listen: c.args[2] }, env, (p) => (p === plain.PRIVATE_KEY_PATH ? key : ""));
    expect(problems).toEqual([]);
    expect(parsed).toMatchObject({ environment: "production", repo: { owner: "acme", repo: "network-policies" }, auth: { kind: "app", appId: 123456, installationId: 7890123 }, intervalMs: 60_000, listen: { host: "0.0.0.0", port: 8080 } });
    expect(c.volumeMounts.find((m: any) => m.name === "private-key").mountPath).toBe(plain.PRIVATE_KEY_PATH.replace(/\/[^/]+$/, ""));
  });
});
