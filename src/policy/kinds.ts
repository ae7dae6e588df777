import { any, arr, bool, int, intOrString, num, obj, oneOf, str, stringMap, type Schema } from "./schema.js";
import type { ResourceKind } from "./types.js";

/**
 * Which kinds tierguard models, their schemas, and which other kinds are real (skipped with a notice) rather than
 * typos (an error). Field lists follow api/pkg/apis/projectcalico/v3 and networking.k8s.io/v1.
 */
const metadata = obj({
  name: str,
  generateName: str,
  namespace: str,
  labels: stringMap,
  annotations: stringMap,
  uid: str,
  resourceVersion: str,
  generation: int,
  creationTimestamp: any,
  deletionTimestamp: any,
  deletionGracePeriodSeconds: int,
  ownerReferences: any,
  finalizers: arr(str),
  managedFields: any,
  selfLink: str,
});

const icmp = obj({ type: int, code: int });
const entityRule = obj({
  nets: arr(str),
  notNets: arr(str),
  selector: str,
  notSelector: str,
  namespaceSelector: str,
  ports: arr(intOrString),
  notPorts: arr(intOrString),
  serviceAccounts: obj({ names: arr(str), selector: str }),
  services: obj({ name: str, namespace: str }),
  domains: arr(str),
});
const rule = obj({
  action: str,
  ipVersion: int,
  protocol: intOrString,
  notProtocol: intOrString,
  icmp,
  notICMP: icmp,
  source: entityRule,
  destination: entityRule,
  http: obj({ methods: arr(str), paths: arr(obj({ exact: str, prefix: str })), headers: arr(any) }),
  metadata: obj({ annotations: stringMap }),
});

const policyFields = {
  tier: str,
  order: num,
  selector: str,
  serviceAccountSelector: str,
  types: arr(oneOf("Ingress", "Egress")),
  ingress: arr(rule),
  egress: arr(rule),
  performanceHints: arr(str),
};
const globalPolicyFields = {
  ...policyFields,
  namespaceSelector: str,
  doNotTrack: bool,
  preDNAT: bool,
  applyOnForward: bool,
};
const stagedAction = oneOf("Set", "Delete", "Learn", "Ignore");

const labelSelector = obj({
  matchLabels: stringMap,
  matchExpressions: arr(obj({ key: str, operator: str, values: arr(str) }, ["key", "operator"])),
});
const k8sPeer = obj({ podSelector: labelSelector, namespaceSelector: labelSelector, ipBlock: obj({ cidr: str, except: arr(str) }, ["cidr"]) });
const k8sPort = obj({ protocol: str, port: intOrString, endPort: int });
const k8sSpecFields = {
  podSelector: labelSelector,
  policyTypes: arr(str),
  ingress: arr(obj({ from: arr(k8sPeer), ports: arr(k8sPort) })),
  egress: arr(obj({ to: arr(k8sPeer), ports: arr(k8sPort) })),
};

// policy.networking.k8s.io: ClusterNetworkPolicy v1alpha2 (apis/v1alpha2/clusternetworkpolicy_types.go) and its
// v1alpha1 predecessors (apis/v1alpha1/*_types.go). Enumerations and required fields are the CRD's; counts, ranges
// and one-of rules are semantic (validate/cnp.ts).
const namespacedPod = obj({ namespaceSelector: labelSelector, podSelector: labelSelector }, ["namespaceSelector", "podSelector"]);
const subject = obj({ namespaces: labelSelector, pods: namespacedPod });
const ingressPeer = obj({ namespaces: labelSelector, pods: namespacedPod });
const egressPeer = obj({ namespaces: labelSelector, pods: namespacedPod, networks: arr(str), nodes: labelSelector, domainNames: arr(str) });
const cnpPort = obj({ number: int, range: obj({ start: int, end: int }, ["start", "end"]) });
const cnpProtocol = obj({
  tcp: obj({ destinationPort: cnpPort }),
  udp: obj({ destinationPort: cnpPort }),
  sctp: obj({ destinationPort: cnpPort }),
  destinationNamedPort: str,
});
const cnpAction = oneOf("Accept", "Deny", "Pass");
const cnpSpec = obj({
  tier: oneOf("Admin", "Baseline"),
  priority: int,
  subject,
  ingress: arr(obj({ name: str, action: cnpAction, from: arr(ingressPeer), protocols: arr(cnpProtocol) }, ["action", "from"])),
  egress: arr(obj({ name: str, action: cnpAction, to: arr(egressPeer), protocols: arr(cnpProtocol) }, ["action", "to"])),
}, ["tier", "priority", "subject"]);
const anpPort = obj({
  portNumber: obj({ protocol: str, port: int }, ["port"]),
  namedPort: str,
  portRange: obj({ protocol: str, start: int, end: int }, ["start", "end"]),
});
const anpRules = (actions: Schema) => ({
  ingress: arr(obj({ name: str, action: actions, from: arr(ingressPeer), ports: arr(anpPort) }, ["action", "from"])),
  egress: arr(obj({ name: str, action: actions, to: arr(egressPeer), ports: arr(anpPort) }, ["action", "to"])),
});
const anpSpec = obj({ priority: int, subject, ...anpRules(oneOf("Allow", "Deny", "Pass")) }, ["priority", "subject"]);
const banpSpec = obj({ subject, ...anpRules(oneOf("Allow", "Deny")) }, ["subject"]);

export interface KindInfo {
  kind: ResourceKind;
  group: string;
  versions: readonly string[];
  spec: Schema;
  /** True for kinds whose spec may be absent (network sets, tiers). */
  specOptional: boolean;
}

const CALICO = "projectcalico.org";
const K8S = "networking.k8s.io";
export const NPAPI_GROUP = "policy.networking.k8s.io";

export const MODELLED_KINDS: ReadonlyArray<KindInfo & { sourceKind: string }> = [
  { sourceKind: "Tier", kind: "Tier", group: CALICO, versions: ["v3"], specOptional: true, spec: obj({ order: num, defaultAction: str }) },
  { sourceKind: "NetworkPolicy", kind: "NetworkPolicy", group: CALICO, versions: ["v3"], specOptional: true, spec: obj(policyFields) },
  { sourceKind: "GlobalNetworkPolicy", kind: "GlobalNetworkPolicy", group: CALICO, versions: ["v3"], specOptional: true, spec: obj(globalPolicyFields) },
  { sourceKind: "StagedNetworkPolicy", kind: "StagedNetworkPolicy", group: CALICO, versions: ["v3"], specOptional: true, spec: obj({ ...policyFields, stagedAction }) },
  { sourceKind: "StagedGlobalNetworkPolicy", kind: "StagedGlobalNetworkPolicy", group: CALICO, versions: ["v3"], specOptional: true, spec: obj({ ...globalPolicyFields, stagedAction }) },
  { sourceKind: "StagedKubernetesNetworkPolicy", kind: "StagedKubernetesNetworkPolicy", group: CALICO, versions: ["v3"], specOptional: true, spec: obj({ ...k8sSpecFields, stagedAction }) },
  { sourceKind: "NetworkSet", kind: "NetworkSet", group: CALICO, versions: ["v3"], specOptional: true, spec: obj({ nets: arr(str), allowedEgressDomains: arr(str) }) },
  { sourceKind: "GlobalNetworkSet", kind: "GlobalNetworkSet", group: CALICO, versions: ["v3"], specOptional: true, spec: obj({ nets: arr(str), allowedEgressDomains: arr(str) }) },
  { sourceKind: "NetworkPolicy", kind: "KubernetesNetworkPolicy", group: K8S, versions: ["v1"], specOptional: false, spec: obj(k8sSpecFields) },
  { sourceKind: "ClusterNetworkPolicy", kind: "ClusterNetworkPolicy", group: NPAPI_GROUP, versions: ["v1alpha2"], specOptional: false, spec: cnpSpec },
  { sourceKind: "AdminNetworkPolicy", kind: "AdminNetworkPolicy", group: NPAPI_GROUP, versions: ["v1alpha1"], specOptional: false, spec: anpSpec },
  { sourceKind: "BaselineAdminNetworkPolicy", kind: "BaselineAdminNetworkPolicy", group: NPAPI_GROUP, versions: ["v1alpha1"], specOptional: false, spec: banpSpec },
];

/** Real kinds of the two policy groups that tierguard does not model: skipped with a notice, never an error. */
const OTHER_KNOWN_KINDS: Readonly<Record<string, readonly string[]>> = {
  [CALICO]: [
    "BGPConfiguration", "BGPFilter", "BGPPeer", "BlockAffinity", "CalicoNodeStatus", "ClusterInformation",
    "FelixConfiguration", "HostEndpoint", "IPAMConfiguration", "IPPool", "IPReservation", "KubeControllersConfiguration",
    "Node", "Profile", "WorkloadEndpoint",
    // Calico Enterprise
    "AlertException", "DeepPacketInspection", "EgressGatewayPolicy", "ExternalNetwork", "GlobalAlert",
    "GlobalAlertTemplate", "GlobalReport", "GlobalReportType", "GlobalThreatFeed", "LicenseKey", "ManagedCluster",
    "PacketCapture", "PolicyRecommendationScope", "RemoteClusterConfiguration", "SecurityEventWebhook", "UISettings",
    "UISettingsGroup", "BFDConfiguration",
  ],
  [K8S]: ["Ingress", "IngressClass", "IPAddress", "ServiceCIDR", "NetworkPolicyList"],
  [NPAPI_GROUP]: [],
};

export type KindLookup =
  | { found: "modelled"; info: KindInfo }
  | { found: "other-known"; group: string }
  | { found: "unknown-in-group"; group: string; candidates: readonly string[] }
  | { found: "wrong-version"; info: KindInfo; version: string }
  | { found: "foreign"; group: string };

/** Classifies an apiVersion/kind pair. `apiVersion` is `group/version`, or `v1` for the core group. */
export function lookupKind(apiVersion: string, kind: string): KindLookup {
  const slash = apiVersion.indexOf("/");
  const group = slash === -1 ? "" : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  if (group !== CALICO && group !== K8S && group !== NPAPI_GROUP) return { found: "foreign", group };
  const info = MODELLED_KINDS.find((k) => k.group === group && k.sourceKind === kind);
  if (info) return info.versions.includes(version) ? { found: "modelled", info } : { found: "wrong-version", info, version };
  if (OTHER_KNOWN_KINDS[group].includes(kind)) return { found: "other-known", group };
  const candidates = [
    ...MODELLED_KINDS.filter((k) => k.group === group).map((k) => k.sourceKind),
    ...OTHER_KNOWN_KINDS[group],
  ];
  return { found: "unknown-in-group", group, candidates };
}

export const METADATA_SCHEMA = metadata;
