import { inventoryDocs, type PodSpec } from "./helpers.js";

/** Policies and clusters for the golden files, one per group of semantic points of issue 12. */
export const PODS: PodSpec[] = [
  { ns: "shop", name: "web-1", ip: "10.0.1.10", ip6: "fd00::10", labels: { app: "web" }, sa: "web", ports: [{ name: "http", port: 8080 }] },
  { ns: "shop", name: "api-1", ip: "10.0.1.20", labels: { app: "api" }, sa: "api", ports: [{ name: "http", port: 9090 }, { name: "dns", port: 53, protocol: "UDP" }] },
  { ns: "shop", name: "db-1", ip: "10.0.2.30", node: "node-b", labels: { app: "db" }, ports: [{ name: "pg", port: 5432 }] },
  { ns: "ops", name: "mon-1", ip: "10.0.3.40", node: "node-b", labels: { app: "mon" }, sa: "prom" },
];

export const DOCS = inventoryDocs(
  PODS,
  { shop: { team: "shop", env: "prod" }, ops: { team: "ops" } },
  { "shop/web": { role: "frontend" }, "shop/api": { role: "backend" }, "shop/default": {}, "ops/prom": { role: "monitoring" } },
);

export const TIERS = `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100 }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: platform }
spec: { order: 200, defaultAction: Pass }
`;

/** Tiers in order, Pass, end-of-tier deny, a tier whose default is Pass, Log, the profile's allow. */
export const TIERED = `${TIERS}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: quarantine }
spec:
  tier: security
  order: 10
  selector: quarantine == "true"
  types: [Ingress, Egress]
  ingress: [{ action: Deny }]
  egress: [{ action: Deny }]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: pass-shop }
spec:
  tier: security
  order: 20
  namespaceSelector: team == "shop"
  types: [Ingress, Egress]
  ingress:
    - action: Log
      source: { nets: [192.0.2.0/24] }
    - action: Deny
      source: { nets: [198.51.100.0/24] }
    - action: Pass
  egress:
    - action: Pass
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: platform-monitoring }
spec:
  tier: platform
  order: 10
  selector: all()
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { namespaceSelector: team == "ops", serviceAccounts: { names: [prom] } }
      destination: { ports: [9100, "9200:9300"] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  order: 100
  selector: app == "web"
  types: [Ingress, Egress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [http] }
  egress:
    - action: Allow
      protocol: TCP
      destination: { selector: app == "api", ports: [http] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: only-on-node-b, namespace: shop }
spec:
  selector: app == "db"
  ingress: [{ action: Allow }]
`;

/** Staged policies: counted in the pending walk, absent from the enforced one; a staged Delete hides its twin. */
export const STAGED = `${TIERS}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  selector: app == "api"
  ingress: [{ action: Allow, protocol: TCP, source: { selector: app == "web" } }]
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: api-tight, namespace: shop }
spec:
  tier: security
  selector: app == "api"
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: app == "web" }
      destination: { ports: [9090] }
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  stagedAction: Delete
`;

/** Kubernetes policies in the default tier: ipBlock with except, namespace and pod selectors, named and numbered ports. */
export const KUBERNETES = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api-ingress, namespace: shop }
spec:
  podSelector: { matchLabels: { app: api } }
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { team: ops } }
          podSelector: { matchLabels: { app: mon } }
        - ipBlock: { cidr: 172.16.0.0/16, except: [172.16.5.0/24] }
      ports:
        - port: http
        - port: 53
          protocol: UDP
  egress:
    - to: [{ podSelector: {} }]
      ports: [{ port: 5432, endPort: 5440 }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default-allow-late, namespace: shop }
spec:
  selector: all()
  ingress: [{ action: Allow }]
`;

/** Every rule field: protocols, ICMP, nets/notNets (overlapping, merged), network sets, notSelector, ports. */
export const FIELDS = `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: partners, labels: { feed: partners } }
spec: { nets: [203.0.113.0/25, 203.0.113.128/25, 203.0.113.7/32] }
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: office, namespace: shop, labels: { kind: office } }
spec: { nets: [100.64.0.0/16] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: fields, namespace: shop }
spec:
  selector: app == "web"
  types: [Ingress, Egress]
  ingress:
    - action: Allow
      protocol: ICMP
      icmp: { type: 8, code: 0 }
    - action: Deny
      protocol: ICMP
      notICMP: { type: 0 }
    - action: Allow
      protocol: UDP
      source: { nets: [10.0.0.0/8, 10.1.0.0/16, 10.2.3.0/24], notNets: [10.9.0.0/16] }
      destination: { notPorts: [7000, "7100:7200"] }
    - action: Allow
      notProtocol: TCP
      source: { selector: feed == "partners", namespaceSelector: global() }
    - action: Allow
      protocol: TCP
      source: { selector: kind == "office" }
    - action: Deny
      protocol: TCP
      source: { notSelector: app == "api" }
      destination: { ports: [http, 443, "8000:8100", "8050:8200"] }
    - action: Allow
      ipVersion: 6
      source: { nets: ["2001:db8::/32"] }
    - action: Allow
      source: { nets: ["2001:db8::/32"] }
  egress:
    - action: Allow
      protocol: UDP
      destination: { ports: [dns] }
    - action: Allow
      protocol: TCP
      source: { ports: ["1024:65535"] }
      destination: { namespaceSelector: team == "ops" }
    - action: Deny
`;

export const NOT_EVALUATED = `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: uses-http, namespace: shop }
spec:
  selector: app == "web"
  ingress:
    - action: Allow
      protocol: TCP
      http: { methods: [GET] }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: untracked }
spec:
  selector: app == "api"
  doNotTrack: true
  applyOnForward: true
  ingress: [{ action: Allow }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: uses-services-elsewhere, namespace: shop }
spec:
  selector: app == "db"
  egress:
    - action: Allow
      destination: { services: { name: kubernetes, namespace: default } }
`;
