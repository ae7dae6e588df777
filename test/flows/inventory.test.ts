import { describe, expect, test } from "@jest/globals";
import { parse } from "yaml";
import { parseInventory, type InventoryPod } from "../../src/flows/index.js";
import { loadText } from "../../src/policy/load.js";

/** `kubectl get namespaces,pods,serviceaccounts -A -o yaml`, trimmed of status noise. */
const KUBECTL_LIST = `apiVersion: v1
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    creationTimestamp: "2024-06-01T10:00:00Z"
    labels:
      kubernetes.io/metadata.name: shop
      team: payments
    name: shop
    resourceVersion: "412"
    uid: 6f1c2a8e-3b1d-4c55-9a0e-2f4b7c9d1e21
  spec:
    finalizers:
    - kubernetes
  status:
    phase: Active
- apiVersion: v1
  kind: Pod
  metadata:
    generateName: frontend-7d9c5b8f4-
    labels:
      app: frontend
      pod-template-hash: 7d9c5b8f4
    name: frontend-7d9c5b8f4-x2k8p
    namespace: shop
    ownerReferences:
    - apiVersion: apps/v1
      blockOwnerDeletion: true
      controller: true
      kind: ReplicaSet
      name: frontend-7d9c5b8f4
      uid: 0b5e7c1a-9f3d-4e2b-8a6c-1d2e3f4a5b6c
  spec:
    containers:
    - image: nginx:1.27
      name: web
      ports:
      - containerPort: 8080
        name: http
        protocol: TCP
      - containerPort: 9090
        name: metrics
      - containerPort: 8443
        protocol: TCP
    initContainers:
    - image: envoyproxy/envoy:v1.30
      name: proxy
      restartPolicy: Always
      ports:
      - containerPort: 15001
        name: envoy-admin
    - image: migrate:1.2
      name: migrate
      ports:
      - containerPort: 5000
        name: migrations
    serviceAccountName: frontend
  status:
    phase: Running
    podIP: 10.244.1.17
    podIPs:
    - ip: 10.244.1.17
    - ip: fd00:10:244:1::11
- apiVersion: v1
  kind: Pod
  metadata:
    labels:
      run: debug
    name: debug
    namespace: shop
  spec:
    containers:
    - image: busybox:1.36
      name: debug
  status:
    phase: Running
    podIP: 10.244.2.5
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    labels:
      app.kubernetes.io/name: frontend
    name: frontend
    namespace: shop
kind: List
metadata:
  resourceVersion: ""
`;

const FRONTEND: InventoryPod = {
  namespace: "shop",
  name: "frontend-7d9c5b8f4-x2k8p",
  labels: { app: "frontend", "pod-template-hash": "7d9c5b8f4" },
  serviceAccount: "frontend",
  ips: ["10.244.1.17", "fd00:10:244:1::11"],
  namedPorts: [
    { name: "http", protocol: "TCP", port: 8080 },
    { name: "metrics", protocol: "TCP", port: 9090 },
    { name: "envoy-admin", protocol: "TCP", port: 15001 },
  ],
  ownerName: "frontend-7d9c5b8f4",
  generateName: "frontend-7d9c5b8f4-",
  hostNetwork: false,
  phase: "Running",
};
const DEBUG: InventoryPod = {
  namespace: "shop", name: "debug", labels: { run: "debug" }, serviceAccount: "default", ips: ["10.244.2.5"],
  namedPorts: [], hostNetwork: false, phase: "Running",
};

const pod = (name: string, extra: Record<string, unknown> = {}, status: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "ns" }, spec: { containers: [], ...extra }, status,
});

describe("parseInventory", () => {
  test("reads a kubectl List of namespaces, pods and service accounts", () => {
    const { inventory, diagnostics } = parseInventory([parse(KUBECTL_LIST)]);
    expect(diagnostics).toEqual([]);
    expect(inventory.namespaces).toEqual(new Map([["shop", { labels: { "kubernetes.io/metadata.name": "shop", team: "payments" } }]]));
    expect(inventory.pods).toEqual([FRONTEND, DEBUG]);
    expect(inventory.serviceAccounts).toEqual(new Map([["shop/frontend", { labels: { "app.kubernetes.io/name": "frontend" } }]]));
    expect([...inventory.podsByIp.keys()]).toEqual(["10.244.1.17", "fd00:10:244:1::11", "10.244.2.5"]);
    expect(inventory.podsByIp.get("fd00:10:244:1::11")).toBe(inventory.pods[0]);
    expect(inventory.podsByName.get("shop/debug")).toBe(inventory.pods[1]);
  });

  test("several documents, API lists whose items carry no kind, and other kinds skipped", () => {
    const docs = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns", labels: { version: 2, canary: true } } },
      null,
      { apiVersion: "v1", kind: "PodList", items: [{ metadata: { name: "a", namespace: "ns" }, spec: { serviceAccount: "legacy" } }] },
      { apiVersion: "v1", kind: "Service", metadata: { name: "svc", namespace: "ns" } },
      { apiVersion: "v1", kind: "List", items: [{ kind: "ConfigMap", metadata: {} }] },
    ];
    const { inventory, diagnostics } = parseInventory(docs);
    expect(diagnostics).toEqual([]);
    expect(inventory.namespaces.get("ns")).toEqual({ labels: { version: "2", canary: "true" } });
    expect(inventory.pods.map((p) => [p.name, p.serviceAccount, p.ips])).toEqual([["a", "legacy", []]]);
  });

  test("host-network pods are listed but do not claim their node's IP", () => {
    const docs = [pod("agent", { hostNetwork: true }, { podIP: "172.18.0.2", phase: "Running" })];
    const { inventory } = parseInventory(docs);
    expect(inventory.pods.map((p) => [p.name, p.hostNetwork])).toEqual([["agent", true]]);
    expect(inventory.podsByIp.size).toBe(0);
  });

  test("a running pod wins an IP over a finished pod that still reports it", () => {
    const docs = [pod("job-1", {}, { podIP: "10.0.0.9", phase: "Succeeded" }), pod("web", {}, { podIP: "10.0.0.9", phase: "Running" })];
    const { inventory, diagnostics } = parseInventory(docs);
    expect(diagnostics).toEqual([]);
    expect(inventory.podsByIp.get("10.0.0.9")?.name).toBe("web");
  });

  test.each([
    ["a document that is not an object", ["kind: Pod"], "inventory/not-an-object", 0, ""],
    ["a List item that is not an object", [{ kind: "List", items: [pod("a"), 7] }], "inventory/not-an-object", 0, "items[1]"],
    ["an item with no kind", [{ kind: "List", items: [{ metadata: { name: "x" } }] }], "inventory/missing-kind", 0, "items[0].kind"],
    ["a pod with no name", [null, { kind: "List", items: [pod("a"), { kind: "Pod", metadata: { namespace: "ns" } }] }], "inventory/missing-name", 1, "items[1].metadata.name"],
    ["a namespace with no metadata", [{ kind: "Namespace" }], "inventory/missing-name", 0, "metadata.name"],
    ["a pod with no namespace", [{ kind: "Pod", metadata: { name: "a" } }], "inventory/missing-namespace", 0, "metadata.namespace"],
    ["a service account with no namespace", [{ kind: "ServiceAccount", metadata: { name: "sa" } }], "inventory/missing-namespace", 0, "metadata.namespace"],
    ["labels as a list", [{ kind: "Namespace", metadata: { name: "n", labels: ["a=b"] } }], "inventory/bad-labels", 0, "metadata.labels"],
    ["a label whose value is a map", [{ kind: "Namespace", metadata: { name: "n", labels: { a: { b: 1 } } } }], "inventory/bad-labels", 0, "metadata.labels.a"],
    ["a named port out of range", [pod("a", { containers: [{ name: "c", ports: [{ name: "http", containerPort: 0 }] }] })], "inventory/bad-port", 0, "spec.containers[0].ports[0].containerPort"],
    ["a pod listed twice", [pod("a"), pod("a")], "inventory/duplicate", 1, ""],
  ])("reports %s", (_name, docs, code, document, path) => {
    const { diagnostics } = parseInventory(docs);
    expect(diagnostics.map((d) => [d.code, d.line, d.document, d.path])).toEqual([[code, 0, document, path]]);
  });

  test("two live pods on one IP: reported, and the first keeps it", () => {
    const docs = [pod("a", {}, { podIP: "10.0.0.1" }), pod("b", {}, { podIP: "10.0.0.1" })];
    const { inventory, diagnostics } = parseInventory(docs);
    expect(diagnostics).toEqual([
      { code: "inventory/duplicate-ip", line: 0, message: "pods ns/a and ns/b both hold 10.0.0.1; flows from it are attributed to the first" },
    ]);
    expect(inventory.pods).toHaveLength(2);
    expect(inventory.podsByIp.get("10.0.0.1")?.name).toBe("a");
  });

  test("a problem's document and path lead back to the line through the policy loader's source map", () => {
    const text = KUBECTL_LIST.replace("    name: debug\n", "");
    const loaded = loadText("inventory.yaml", text);
    const { diagnostics } = parseInventory(loaded.documents.map((d) => d.value));
    expect(diagnostics).toHaveLength(1);
    const [p] = diagnostics;
    expect(p).toMatchObject({ code: "inventory/missing-name", document: 0, path: "items[2].metadata.name" });
    expect(p.message).toBe("items[2].metadata.name (document 1): the Pod has no metadata.name");
    const at = loaded.documents[p.document!].source.at(p.path!);
    // The name is missing, so the map points at its nearest present ancestor: the pod's metadata, which opens here.
    expect(text.split("\n")[at.line]).toBe("      run: debug");
    expect(text.split("\n")[at.line - 1]).toBe("    labels:");
  });
});
