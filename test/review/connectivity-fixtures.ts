/** Small repositories for the connectivity diff's tests: namespace shop (web, db) and namespace other (client). */
export const INVENTORY = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop } } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: other, labels: { kubernetes.io/metadata.name: other } } }
  - apiVersion: v1
    kind: Pod
    metadata: { name: web-1, namespace: shop, labels: { app: web, pod-template-hash: abc } }
    spec: { serviceAccountName: default }
    status: { podIP: 10.1.0.1 }
  - apiVersion: v1
    kind: Pod
    metadata: { name: web-2, namespace: shop, labels: { app: web, pod-template-hash: abc } }
    spec: { serviceAccountName: default }
    status: { podIP: 10.1.0.2 }
  - apiVersion: v1
    kind: Pod
    metadata: { name: db-1, namespace: shop, labels: { app: db } }
    spec: { serviceAccountName: default }
    status: { podIP: 10.1.0.3 }
  - apiVersion: v1
    kind: Pod
    metadata: { name: client-1, namespace: other, labels: { app: client } }
    spec: { serviceAccountName: default }
    status: { podIP: 10.2.0.1 }
`;

/** Kubernetes default deny of ingress in shop. */
export const DENY_SHOP = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: shop }
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

/** Kubernetes: db accepts web on TCP 9000. */
export const WEB_TO_DB = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-from-web, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: web } } }]
      ports: [{ port: 9000 }]
`;

/** Calico: the whole of namespace shop opened to 0.0.0.0/0 on TCP 5432, before the Kubernetes policies. */
export const SHOP_TO_INTERNET = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: open-shop }
spec:
  order: 10
  namespaceSelector: projectcalico.org/name == 'shop'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { nets: [0.0.0.0/0] }
      destination: { ports: [5432] }
`;

/** INVENTORY with web and a new admin workload in shop both carrying role=front. */
export const FRONT_INVENTORY = INVENTORY.replaceAll("labels: { app: web, pod-template-hash: abc }", "labels: { app: web, role: front, pod-template-hash: abc }") + `  - apiVersion: v1
    kind: Pod
    metadata: { name: admin-1, namespace: shop, labels: { app: admin, role: front } }
    spec: { serviceAccountName: default }
    status: { podIP: 10.1.0.9 }
`;

/** Kubernetes: db accepts every role=front pod on TCP 9000. */
export const DB_FROM_FRONT = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-from-front, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { role: front } } }]
      ports: [{ port: 9000 }]
`;
