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
  if (group !== CALICO && group !== K8S) return { found: "foreign", group };
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
