import { joinPath } from "../../contracts/index.js";
import { equivalentClusterNetworkPolicyYaml } from "../anp-to-cnp.js";
import { isClusterPolicy, type ClusterPolicyPeer, type ClusterPolicyResource, type ClusterPolicyRule, type Resource } from "../types.js";
import { parseNet } from "./cidr.js";
import { quote, type ValidationContext } from "./context.js";
import { checkAnpPort, checkCnpProtocol } from "./cnp-ports.js";
import { checkLabelSelector } from "./k8s-networkpolicy.js";

/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) and its v1alpha1 predecessors, as the CRDs validate them
 * (network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go, apis/v1alpha1/*_types.go): priority 0–1000,
 * exactly one subject, peer, protocol and port field, the list limits (v1alpha2: 25 rules, peers, protocols and
 * networks; v1alpha1: 100 rules, peers and ports, 25 networks), CIDR networks, the named-port/networks CEL rule,
 * and Kubernetes label selectors. Which Calico enforces which kind is a version rule: 3.32+ enforces only
 * ClusterNetworkPolicy, 3.31 and earlier only the v1alpha1 kinds.
 */
const MAX_PRIORITY = 1000;
const MAX_RULE_NAME = 100;
const MAX_NETWORKS = 25;
const MAX_CIDR_LENGTH = 43;
const DOMAIN_NAME = /^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

interface Limits {
  rules: number;
  peers: number;
  ports: number;
}
const V1ALPHA2: Limits = { rules: 25, peers: 25, ports: 25 };
const V1ALPHA1: Limits = { rules: 100, peers: 100, ports: 100 };

export function checkClusterPolicy(resource: Resource, ctx: ValidationContext): void {
  if (!isClusterPolicy(resource)) return;
  checkEnforcedByVersion(resource, ctx);
  const spec = resource.spec;
  const limits = resource.kind === "ClusterNetworkPolicy" ? V1ALPHA2 : V1ALPHA1;
  if (spec.priority !== undefined && (spec.priority < 0 || spec.priority > MAX_PRIORITY)) {
    ctx.report("cnp/priority-range", "spec.priority",
      `priority ${spec.priority} is out of range: use 0 to ${MAX_PRIORITY} (lower values are evaluated first)`);
  }
  if (resource.kind === "BaselineAdminNetworkPolicy" && resource.metadata.name !== undefined && resource.metadata.name !== "default") {
    ctx.report("cnp/banp-name", "metadata.name",
      `only one BaselineAdminNetworkPolicy may exist and it must be named "default"; found ${quote(resource.metadata.name)}`);
  }
  checkSubject(resource, ctx);
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction] ?? [];
    if (rules.length > limits.rules) {
      ctx.report("cnp/too-many-rules", `spec.${direction}`,
        `${rules.length} ${direction} rules; a ${resource.kind} allows at most ${limits.rules}: split the policy`);
    }
    rules.forEach((rule, i) => checkRule(resource, rule, direction, `spec.${direction}[${i}]`, limits, ctx));
  }
}

function checkEnforcedByVersion(r: ClusterPolicyResource, ctx: ValidationContext): void {
  if (r.kind === "ClusterNetworkPolicy") {
    if (ctx.version.model === "v3.31") {
      ctx.report("cnp/not-enforced", "kind",
        `Calico ${ctx.version.text} does not enforce ClusterNetworkPolicy (Calico 3.32 added it, in the kube-admin and ` +
          "kube-baseline tiers); tierguard does not evaluate it under this version. Use --calico-version 3.32, or an " +
          "AdminNetworkPolicy/BaselineAdminNetworkPolicy for 3.31", { at: "key" });
    }
    return;
  }
  if (ctx.version.model === "v3.31") return;
  ctx.report("cnp/admin-policy-not-enforced", "kind",
    `Calico ${ctx.version.text} no longer enforces ${r.kind} (policy.networking.k8s.io/v1alpha1): Calico 3.32 replaced ` +
      "it with ClusterNetworkPolicy (v1alpha2), so this policy has no effect and tierguard does not evaluate it. " +
      `Replace it with:\n${equivalentClusterNetworkPolicyYaml(r)}`, { at: "key" });
}

function checkSubject(r: ClusterPolicyResource, ctx: ValidationContext): void {
  const subject = r.spec.subject;
  if (!subject) return; // the schema reports a missing subject
  const set = (["namespaces", "pods"] as const).filter((k) => subject[k] !== undefined);
  if (set.length !== 1) {
    ctx.report("cnp/subject-one-of", "spec.subject",
      set.length === 0
        ? "subject selects nothing: set exactly one of namespaces or pods (Calico skips a policy without one)"
        : "subject sets both namespaces and pods: set exactly one (use pods with a namespaceSelector to combine them)");
  }
  checkLabelSelector(subject.namespaces, "spec.subject.namespaces", ctx);
  checkLabelSelector(subject.pods?.namespaceSelector, "spec.subject.pods.namespaceSelector", ctx);
  checkLabelSelector(subject.pods?.podSelector, "spec.subject.pods.podSelector", ctx);
}

function checkRule(
  r: ClusterPolicyResource,
  rule: ClusterPolicyRule,
  direction: "ingress" | "egress",
  path: string,
  limits: Limits,
  ctx: ValidationContext,
): void {
  if (rule.name !== undefined && rule.name.length > MAX_RULE_NAME) {
    ctx.report("cnp/rule-name-too-long", joinPath(path, "name"),
      `rule name is ${rule.name.length} characters; at most ${MAX_RULE_NAME} are allowed`);
  }
  const field = direction === "ingress" ? "from" : "to";
  const peers = rule[field];
  if (peers !== undefined && (peers.length === 0 || peers.length > limits.peers)) {
    ctx.report("cnp/peer-count", joinPath(path, field),
      `${field} has ${peers.length} peers; give 1 to ${limits.peers}`, { at: peers.length === 0 ? "key" : "value" });
  }
  (peers ?? []).forEach((peer, i) => checkPeer(peer, joinPath(joinPath(path, field), i), ctx));
  const v1alpha2 = r.kind === "ClusterNetworkPolicy";
  const list = v1alpha2 ? rule.protocols : rule.ports;
  const listField = v1alpha2 ? "protocols" : "ports";
  if (list !== undefined && (list.length === 0 || list.length > limits.ports)) {
    ctx.report("cnp/port-count", joinPath(path, listField),
      `${listField} has ${list.length} entries; give 1 to ${limits.ports}, or leave ${listField} out to match all traffic`,
      { at: list.length === 0 ? "key" : "value" });
  }
  if (v1alpha2) rule.protocols?.forEach((p, i) => checkCnpProtocol(p, joinPath(joinPath(path, "protocols"), i), ctx));
  else rule.ports?.forEach((p, i) => checkAnpPort(p, joinPath(joinPath(path, "ports"), i), ctx));
  const named = v1alpha2 ? rule.protocols?.some((p) => p.destinationNamedPort !== undefined) : rule.ports?.some((p) => p.namedPort !== undefined);
  const ipPeer = (rule.to ?? []).some((p) => p.networks !== undefined || p.nodes !== undefined || p.domainNames !== undefined);
  if (direction === "egress" && named && ipPeer) {
    ctx.report("cnp/named-port-with-networks", joinPath(path, listField),
      "a named port cannot be used with networks, nodes or domainNames peers: those have no named ports. " +
        "Use port numbers, or move the named port to a rule whose peers are pods or namespaces");
  }
  checkUnsupportedPeers(rule, direction, path, ctx);
}

function checkPeer(peer: ClusterPolicyPeer, path: string, ctx: ValidationContext): void {
  const set = (["namespaces", "pods", "networks", "nodes", "domainNames"] as const).filter((k) => peer[k] !== undefined);
  if (set.length !== 1) {
    ctx.report("cnp/peer-one-of", path,
      set.length === 0
        ? "the peer is empty: set exactly one of namespaces, pods or (egress) networks"
        : `the peer sets ${set.join(" and ")}: set exactly one field per peer, and list several peers instead`);
  }
  checkLabelSelector(peer.namespaces, joinPath(path, "namespaces"), ctx);
  checkLabelSelector(peer.pods?.namespaceSelector, joinPath(joinPath(path, "pods"), "namespaceSelector"), ctx);
  checkLabelSelector(peer.pods?.podSelector, joinPath(joinPath(path, "pods"), "podSelector"), ctx);
  checkLabelSelector(peer.nodes, joinPath(path, "nodes"), ctx);
  checkNetworks(peer.networks, joinPath(path, "networks"), ctx);
  peer.domainNames?.forEach((name, i) => {
    if (!DOMAIN_NAME.test(name)) {
      ctx.report("cnp/invalid-domain-name", joinPath(joinPath(path, "domainNames"), i),
        `${quote(name)} is not a domain name: use labels of letters, digits, '-' and '_', optionally starting with "*."`);
    }
  });
  if (peer.domainNames !== undefined && (peer.domainNames.length === 0 || peer.domainNames.length > MAX_NETWORKS)) {
    ctx.report("cnp/too-many-domain-names", joinPath(path, "domainNames"), `give 1 to ${MAX_NETWORKS} domain names`);
  }
}

function checkNetworks(networks: string[] | undefined, path: string, ctx: ValidationContext): void {
  if (networks === undefined) return;
  if (networks.length === 0 || networks.length > MAX_NETWORKS) {
    ctx.report("cnp/too-many-networks", path,
      `networks has ${networks.length} entries; give 1 to ${MAX_NETWORKS} (use several peers for more)`,
      { at: networks.length === 0 ? "key" : "value" });
  }
  networks.forEach((net, i) => {
    const at = joinPath(path, i);
    if (net.length > MAX_CIDR_LENGTH) {
      ctx.report("cnp/invalid-cidr", at, `${quote(net)} is longer than ${MAX_CIDR_LENGTH} characters, so it is not a CIDR`);
    } else if (!parseNet(net, { allowBare: false })) {
      ctx.report("cnp/invalid-cidr", at, `${quote(net)} is not a CIDR: write an address and a prefix length, e.g. 10.0.0.0/8`);
    }
  });
}

/**
 * `nodes` and `domainNames` are experimental and Calico does not implement them: its conversion fails for the whole
 * rule, and it fails closed (a Deny or Pass rule becomes deny-all, an Accept rule is dropped). tierguard evaluates
 * the rule the way Calico enforces it and says so.
 */
function checkUnsupportedPeers(rule: ClusterPolicyRule, direction: "ingress" | "egress", path: string, ctx: ValidationContext): void {
  if (direction !== "egress") return;
  (rule.to ?? []).forEach((peer, i) => {
    const field = peer.nodes !== undefined ? "nodes" : peer.domainNames !== undefined ? "domainNames" : undefined;
    if (!field || peer.namespaces || peer.pods || peer.networks) return;
    const effect = rule.action === "Accept" || rule.action === "Allow"
      ? "drops the whole rule"
      : "replaces the whole rule with one that denies all traffic";
    ctx.report("policy/not-evaluated", joinPath(joinPath(joinPath(path, "to"), i), field),
      `A ${field} peer (experimental) is not evaluated: Calico does not implement it and ${effect}; ` +
        "simulations and reviews follow what Calico enforces, not what the peer says", { severity: "warning", at: "key" });
  });
}
