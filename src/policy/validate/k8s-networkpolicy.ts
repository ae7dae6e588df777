import { joinPath } from "../../contracts/index.js";
import { closest } from "../schema.js";
import type { IpBlock, K8sPeer, K8sPort, LabelSelector, Resource } from "../types.js";
import type { ValidationContext } from "./context.js";
import { hint, quote } from "./context.js";
import { netContains, parseNet } from "./cidr.js";
import { isStagedDelete } from "./staged.js";
import { labelValueProblem, portNameProblem, qualifiedNameProblem } from "./syntax.js";

/**
 * The Kubernetes API server's validation of networking.k8s.io/v1 NetworkPolicy, which a
 * StagedKubernetesNetworkPolicy must also pass to convert (kubernetes pkg/apis/networking/validation
 * ValidateNetworkPolicySpec, ValidateNetworkPolicyPort, ValidateNetworkPolicyPeer, ValidateIPBlock, and
 * apimachinery ValidateLabelSelector). The name is checked by the names module.
 */
const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];
const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const POLICY_TYPES = ["Ingress", "Egress"];

export function checkK8sPolicy(resource: Resource, ctx: ValidationContext): void {
  if (resource.kind !== "KubernetesNetworkPolicy" && resource.kind !== "StagedKubernetesNetworkPolicy") return;
  if (isStagedDelete(resource)) return;
  const spec = resource.spec;
  checkLabelSelector(spec.podSelector, "spec.podSelector", ctx);
  checkPolicyTypes(spec.policyTypes, ctx);
  spec.ingress?.forEach((rule, i) => {
    const path = joinPath("spec.ingress", i);
    rule.from?.forEach((peer, j) => checkPeer(peer, joinPath(joinPath(path, "from"), j), ctx));
    rule.ports?.forEach((port, j) => checkPort(port, joinPath(joinPath(path, "ports"), j), ctx));
  });
  spec.egress?.forEach((rule, i) => {
    const path = joinPath("spec.egress", i);
    rule.to?.forEach((peer, j) => checkPeer(peer, joinPath(joinPath(path, "to"), j), ctx));
    rule.ports?.forEach((port, j) => checkPort(port, joinPath(joinPath(path, "ports"), j), ctx));
  });
}

function checkPolicyTypes(types: string[] | undefined, ctx: ValidationContext): void {
  if (!types) return;
  if (types.length > POLICY_TYPES.length) {
    ctx.report("k8s/too-many-policy-types", "spec.policyTypes",
      `policyTypes lists ${types.length} entries; at most two are allowed (Ingress and Egress)`, { at: "key" });
    return;
  }
  types.forEach((type, i) => {
    const path = joinPath("spec.policyTypes", i);
    if (types.indexOf(type) !== i) {
      ctx.report("k8s/duplicate-policy-type", path, `policy type ${quote(type)} is listed twice; remove the repeat`);
    }
    if (!POLICY_TYPES.includes(type)) {
      ctx.report("k8s/policy-type", path,
        `policy type ${quote(type)} is not valid: use Ingress or Egress (case-sensitive)${hint(closest(type, POLICY_TYPES))}`);
    }
  });
}

function checkPeer(peer: K8sPeer, path: string, ctx: ValidationContext): void {
  const { podSelector, namespaceSelector, ipBlock } = peer;
  if (!podSelector && !namespaceSelector && !ipBlock) {
    ctx.report("k8s/empty-peer", path,
      "a peer must set podSelector, namespaceSelector or ipBlock; to allow every source or destination, " +
        "leave out from/to instead of writing an empty peer");
    return;
  }
  checkLabelSelector(podSelector, joinPath(path, "podSelector"), ctx);
  checkLabelSelector(namespaceSelector, joinPath(path, "namespaceSelector"), ctx);
  if (ipBlock && (podSelector || namespaceSelector)) {
    ctx.report("k8s/peer-ipblock-combined", joinPath(path, "ipBlock"),
      "ipBlock cannot be combined with podSelector or namespaceSelector in one peer; make them separate list items",
      { at: "key" });
  }
  if (ipBlock) checkIpBlock(ipBlock, joinPath(path, "ipBlock"), ctx);
}

function checkIpBlock(block: IpBlock, path: string, ctx: ValidationContext): void {
  if (block.cidr === undefined) return; // the schema reports a missing cidr
  const cidr = parseNet(block.cidr, { allowBare: false });
  if (!cidr) {
    ctx.report("k8s/ipblock-cidr", joinPath(path, "cidr"),
      `ipBlock.cidr ${quote(block.cidr)} is not a CIDR; write it with a prefix length, as in 10.0.0.0/16` +
        (parseNet(block.cidr, { allowBare: true }) ? ` (for one address use ${block.cidr}/${block.cidr.includes(":") ? 128 : 32})` : ""));
    return;
  }
  block.except?.forEach((text, i) => {
    const exceptPath = joinPath(joinPath(path, "except"), i);
    const except = parseNet(text, { allowBare: false });
    if (!except) {
      ctx.report("k8s/ipblock-except", exceptPath, `except entry ${quote(text)} is not a CIDR; write it as 10.0.1.0/24`);
    } else if (!netContains(cidr, except) || except.prefix <= cidr.prefix) {
      ctx.report("k8s/ipblock-except", exceptPath,
        `except entry ${quote(text)} must be a strict subset of cidr ${quote(block.cidr)}; use a longer prefix inside ` +
          "that range or remove it");
    }
  });
}

function checkPort(port: K8sPort, path: string, ctx: ValidationContext): void {
  if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) {
    const guess = closest(port.protocol, PROTOCOLS);
    ctx.report("k8s/protocol", joinPath(path, "protocol"),
      `protocol ${quote(port.protocol)} is not supported by Kubernetes NetworkPolicy: use TCP, UDP or SCTP ` +
        `(case-sensitive)${hint(guess)}`);
  }
  const value = port.port;
  if (value === undefined) {
    if (port.endPort !== undefined) {
      ctx.report("k8s/end-port", joinPath(path, "endPort"), "endPort needs a numeric port to start the range; add port");
    }
    return;
  }
  if (typeof value === "number") {
    checkPortNumber(value, "port", joinPath(path, "port"), ctx);
    if (port.endPort === undefined) return;
    checkPortNumber(port.endPort, "endPort", joinPath(path, "endPort"), ctx);
    if (port.endPort < value) {
      ctx.report("k8s/end-port-order", joinPath(path, "endPort"),
        `endPort ${port.endPort} is below port ${value}; endPort must be greater than or equal to port`);
    }
    return;
  }
  if (port.endPort !== undefined) {
    ctx.report("k8s/end-port", joinPath(path, "endPort"),
      `endPort needs a numeric port, but port is the name ${quote(value)}; use a port number or remove endPort`);
  }
  const problem = portNameProblem(value);
  if (problem) {
    ctx.report("k8s/port-name", joinPath(path, "port"),
      `port ${quote(value)} is not a number 1 to 65535 or a valid port name: a port name ${problem}`);
  }
}

function checkPortNumber(value: number, field: string, path: string, ctx: ValidationContext): void {
  if (value >= 1 && value <= 65535) return;
  ctx.report("k8s/port-range", path, `${field} ${value} is out of range: port numbers are 1 to 65535`);
}

/** metav1.LabelSelector: valid keys and values, and operators with or without values as each requires. */
export function checkLabelSelector(selector: LabelSelector | undefined, path: string, ctx: ValidationContext): void {
  if (!selector) return;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const labelPath = joinPath(joinPath(path, "matchLabels"), key);
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) ctx.report("k8s/label-key", labelPath, `label key ${quote(key)} ${keyProblem}`, { at: "key" });
    const valueProblem = labelValueProblem(value);
    if (valueProblem) ctx.report("k8s/label-value", labelPath, `label value ${quote(value)} ${valueProblem}`);
  }
  selector.matchExpressions?.forEach((expr, i) => {
    const exprPath = joinPath(joinPath(path, "matchExpressions"), i);
    const keyProblem = expr.key === undefined ? undefined : qualifiedNameProblem(expr.key);
    if (keyProblem) ctx.report("k8s/label-key", joinPath(exprPath, "key"), `label key ${quote(expr.key)} ${keyProblem}`);
    checkOperator(expr.operator, expr.values, exprPath, ctx);
    expr.values?.forEach((value, j) => {
      const problem = labelValueProblem(value);
      if (problem) ctx.report("k8s/label-value", joinPath(joinPath(exprPath, "values"), j), `value ${quote(value)} ${problem}`);
    });
  });
}

function checkOperator(operator: string | undefined, values: string[] | undefined, path: string, ctx: ValidationContext): void {
  if (operator === undefined) return; // the schema reports a missing operator
  const count = values?.length ?? 0;
  if (operator === "In" || operator === "NotIn") {
    if (count === 0) {
      ctx.report("k8s/selector-values-required", joinPath(path, "values"),
        `operator ${operator} needs at least one value; add values, or use Exists / DoesNotExist`,
        { at: values === undefined ? "value" : "key" });
    }
  } else if (operator === "Exists" || operator === "DoesNotExist") {
    if (count > 0) {
      ctx.report("k8s/selector-values-forbidden", joinPath(path, "values"),
        `operator ${operator} takes no values; remove values, or use In / NotIn to match specific values`, { at: "key" });
    }
  } else {
    ctx.report("k8s/selector-operator", joinPath(path, "operator"),
      `operator ${quote(operator)} is not valid: use In, NotIn, Exists or DoesNotExist (case-sensitive)` +
        hint(closest(operator, OPERATORS)));
  }
}
