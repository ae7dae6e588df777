import { joinPath } from "../../contracts/index.js";
import type { EntityRule, Rule } from "../types.js";
import type { RuleSite, ValidationContext } from "./context.js";
import { quote, sidePath } from "./context.js";
import { checkProtocolValue } from "./protocol.js";
import { dns1123SubdomainProblem } from "./syntax.js";

/**
 * Kubernetes Service matches and HTTP (application-layer) matches on rules: where each may appear and what it may be
 * combined with (calico-semantics §5 "Services", §12 "Services" and "HTTP"; validator.go validateEntityRule,
 * validateHTTPRule, validate(Global)NetworkPolicySpec and the CEL rules on Rule and EntityRule).
 */
const MAX_HTTP_ITEMS = 20;
const MAX_HTTP_PATH = 1024;

export function checkServices(site: RuleSite, rule: Rule, ctx: ValidationContext): void {
  const wrongSide = site.direction === "egress" ? "source" : "destination";
  const rightSide = site.direction === "egress" ? "destination" : "source";
  if (rule[wrongSide]?.services) {
    ctx.report("service/wrong-side", sidePath(site, wrongSide, "services"),
      `services cannot be used in an ${site.direction} rule's ${wrongSide}; move them to the ${rightSide} ` +
        `(a service is matched as the ${rightSide === "destination" ? "destination of egress" : "source of ingress"})`,
      { at: "key" });
  }
  for (const side of ["source", "destination"] as const) {
    const entity = rule[side];
    if (entity?.services) checkServiceEntity(site, side, entity, side === rightSide, ctx);
  }
}

function checkServiceEntity(
  site: RuleSite,
  side: "source" | "destination",
  entity: EntityRule,
  allowedSide: boolean,
  ctx: ValidationContext,
): void {
  const path = sidePath(site, side, "services");
  const { name, namespace } = entity.services!;
  if (!name) {
    ctx.report("service/name-required", path, "services must name a Kubernetes Service; add services.name", { at: "key" });
  }
  for (const [field, value] of [["name", name], ["namespace", namespace]] as const) {
    const problem = value ? dns1123SubdomainProblem(value) : undefined;
    if (problem) ctx.report("service/invalid-name", joinPath(path, field), `services.${field} ${quote(value)} ${problem}`);
  }
  if (site.global && allowedSide && !namespace) {
    ctx.report("service/namespace-required", path,
      "a global policy has no namespace of its own, so services must say which namespace the Service is in; " +
        "add services.namespace", { at: "key" });
  }
  const conflicts: Array<[keyof EntityRule, string]> = [
    ["namespaceSelector", "namespaceSelector"],
    ["serviceAccounts", "serviceAccounts"],
    ["selector", "selector"],
    ["notSelector", "notSelector"],
    ["nets", "nets"],
    ["notNets", "notNets"],
  ];
  for (const [field, label] of conflicts) {
    if (!present(entity[field])) continue;
    ctx.report("service/conflicting-field", sidePath(site, side, field),
      `${label} cannot be combined with services in the same ${side}: a service match already decides which ` +
        `endpoints match; remove ${label} or put it in a separate rule`, { at: "key" });
  }
  if (side === "destination") {
    for (const field of ["ports", "notPorts"] as const) {
      if (!present(entity[field])) continue;
      ctx.report("service/ports", sidePath(site, side, field),
        `${field} cannot be combined with destination services: the Service's own ports are used; remove ${field}`,
        { at: "key" });
    }
  }
}

/** A field counts as set when it is non-empty, as Calico's CEL size() checks do. */
function present(value: unknown): boolean {
  if (value === undefined || value === "") return false;
  return !Array.isArray(value) || value.length > 0;
}

export function checkHttp(site: RuleSite, rule: Rule, ctx: ValidationContext): void {
  const http = rule.http;
  if (!http) return;
  const path = joinPath(site.path, "http");
  if (site.direction === "egress") {
    ctx.report("http/egress", path,
      "http matches are allowed only on ingress rules (application-layer policy applies to inbound requests); " +
        "remove http from this egress rule", { at: "key" });
  }
  if (rule.action !== undefined && rule.action !== "Allow") {
    ctx.report("http/action", path,
      `http matches are allowed only on Allow rules, not ${quote(rule.action)}; use action: Allow or remove http`, { at: "key" });
  }
  if (rule.protocol !== undefined) {
    const protocol = checkProtocolValue("protocol", rule.protocol);
    const number = protocol.number;
    if (number !== undefined && number !== 6) {
      ctx.report("http/protocol", joinPath(site.path, "protocol"),
        `a rule with http matches must use protocol TCP or no protocol, not ${quote(rule.protocol)}; ` +
          "set protocol: TCP or remove it");
    }
  }
  checkMethods(http.methods, joinPath(path, "methods"), ctx);
  checkPaths(http.paths, joinPath(path, "paths"), ctx);
}

function checkMethods(methods: string[] | undefined, path: string, ctx: ValidationContext): void {
  if (!methods) return;
  if (methods.length > MAX_HTTP_ITEMS) {
    ctx.report("http/too-many-methods", path, `${methods.length} HTTP methods; at most ${MAX_HTTP_ITEMS} are allowed`, { at: "key" });
  }
  methods.forEach((method, i) => {
    if (methods.indexOf(method) === i) return;
    ctx.report("http/duplicate-method", joinPath(path, i), `HTTP method ${quote(method)} is listed twice; remove the repeat`);
  });
}

function checkPaths(paths: Array<{ exact?: string; prefix?: string }> | undefined, path: string, ctx: ValidationContext): void {
  if (!paths) return;
  if (paths.length > MAX_HTTP_ITEMS) {
    ctx.report("http/too-many-paths", path, `${paths.length} HTTP paths; at most ${MAX_HTTP_ITEMS} are allowed`, { at: "key" });
  }
  paths.forEach((p, i) => {
    const itemPath = joinPath(path, i);
    if (p.exact && p.prefix) {
      ctx.report("http/path-both", itemPath, "an HTTP path sets both exact and prefix; keep one of them");
      return;
    }
    const field = p.exact ? "exact" : "prefix";
    const value = p.exact || p.prefix;
    if (!value) {
      ctx.report("http/path-missing", itemPath, "an HTTP path needs exact or prefix; add one, as in exact: /healthz");
      return;
    }
    if (value.length > MAX_HTTP_PATH) {
      ctx.report("http/path-too-long", joinPath(itemPath, field),
        `HTTP path is ${value.length} characters; at most ${MAX_HTTP_PATH} are allowed`);
    }
    if (!value.startsWith("/") || /[? #]/.test(value)) {
      ctx.report("http/path-invalid", joinPath(itemPath, field),
        `HTTP path ${quote(value)} must start with "/" and contain no "?", "#" or space (match the path only, ` +
          "without a query string or fragment)");
    }
  });
}
