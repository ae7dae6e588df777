import { diffArrays, diffLines } from "diff";
import type { Resource } from "../policy/index.js";
import { canonical, stableJson } from "../review/index.js";
import { describePorts, portCoverage, type PortList } from "./ports.js";
import { compareSelectors } from "./selectors.js";

/**
 * What a change means, in words: a rule added or removed, a port range widened, a selector narrowed, an action
 * flipped. Both sides are compared in the review's canonical form (selectors printed canonically, defaults filled
 * in, key order ignored), so only changes of meaning are described. Where no sentence fits, the canonical forms of
 * the field are shown as a textual diff.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const RULE_LISTS = new Set(["spec.ingress", "spec.egress"]);

export function describeMeaningChange(base: Resource, head: Resource): string[] {
  const b = JSON.parse(canonical(base)) as { [k: string]: Json };
  const h = JSON.parse(canonical(head)) as { [k: string]: Json };
  const out: string[] = [];
  compareValue("metadata", b.metadata, h.metadata, out);
  compareValue("spec", b.spec, h.spec, out);
  return out;
}

/** Any two JSON values (tierguard.yaml, say), field by field under `root`. */
export function describeValueChange(root: string, b: unknown, h: unknown): string[] {
  const out: string[] = [];
  compareValue(root, b as Json, h as Json, out);
  return out;
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function short(v: Json | undefined): string {
  if (v === undefined) return "(unset)";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function compareValue(path: string, b: Json | undefined, h: Json | undefined, out: string[]): void {
  if (stableJson(b) === stableJson(h)) return;
  if (RULE_LISTS.has(path) && Array.isArray(b) && Array.isArray(h)) return compareRules(path, b, h, out);
  if (/(\.|^)(selector|notSelector|namespaceSelector|serviceAccountSelector)$/.test(path) && (typeof b === "string" || typeof h === "string")) {
    return void out.push(`${path}: ${compareSelectors(asString(b), asString(h))}`);
  }
  if (/(\.|^)(ports|notPorts)$/.test(path) && portList(b) && portList(h)) return void out.push(`${path}: ${comparePorts(b, h)}`);
  if (/(\.|^)(nets|notNets)$/.test(path) && (Array.isArray(b) || Array.isArray(h))) return void out.push(`${path}: ${compareSets(b, h, "CIDR")}`);
  if (/(\.|^)action$/.test(path) && typeof b === "string" && typeof h === "string") return void out.push(`${path}: action flipped from ${b} to ${h}`);
  if (/^metadata\.(labels|annotations)$/.test(path) && (isObject(b) || isObject(h))) return compareMap(path, isObject(b) ? b : {}, isObject(h) ? h : {}, out);
  if (isObject(b) && isObject(h)) {
    const keys = [...new Set([...Object.keys(b), ...Object.keys(h)])].sort();
    for (const k of keys) compareValue(path ? `${path}.${k}` : k, b[k], h[k], out);
    return;
  }
  const scalars = (v: Json | undefined) => Array.isArray(v) && v.every((x) => x === null || typeof x !== "object");
  if (scalars(b) && scalars(h)) return void out.push(`${path}: ${compareSets(b, h, "entry", "entries")}`);
  if (b === undefined) return void out.push(`${path} set to ${short(h)}`);
  if (h === undefined) return void out.push(`${path} removed (was ${short(b)})`);
  if (typeof b !== "object" && typeof h !== "object") return void out.push(`${path} changed from ${short(b)} to ${short(h)}`);
  out.push(`${path} changed:`, ...textDiff(b, h));
}

/** Calico's port lists (numbers, ranges, names); Kubernetes' `{port, protocol}` objects are compared as text. */
function portList(v: Json | undefined): boolean {
  return v === undefined || (Array.isArray(v) && v.every((x) => typeof x === "number" || typeof x === "string"));
}

function asString(v: Json | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function compareMap(path: string, b: { [k: string]: Json }, h: { [k: string]: Json }, out: string[]): void {
  const what = path.endsWith("labels") ? "label" : "annotation";
  for (const k of [...new Set([...Object.keys(b), ...Object.keys(h)])].sort()) {
    if (!(k in b)) out.push(`${what} ${k}=${short(h[k])} added`);
    else if (!(k in h)) out.push(`${what} ${k} removed (was ${short(b[k])})`);
    else if (b[k] !== h[k]) out.push(`${what} ${k} changed from ${short(b[k])} to ${short(h[k])}`);
  }
}

/**
 * Rules are matched as a sequence (an inserted rule is one rule added, not every later rule changed); a rule
 * removed where one is added at the same place is the same rule changed, described field by field.
 */
function compareRules(path: string, b: Json[], h: Json[], out: string[]): void {
  const parts = diffArrays(b.map(stableJson), h.map(stableJson));
  let bi = 0;
  let hi = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const next = parts[i + 1];
    if (part.removed && next?.added) {
      const pairs = Math.min(part.count ?? part.value.length, next.count ?? next.value.length);
      for (let k = 0; k < pairs; k++) compareValue(`${path}[${hi + k}]`, b[bi + k], h[hi + k], out);
      for (let k = pairs; k < part.value.length; k++) out.push(`${path}: rule removed (was ${path}[${bi + k}]: ${ruleWords(b[bi + k])})`);
      for (let k = pairs; k < next.value.length; k++) out.push(`${path}[${hi + k}]: rule added: ${ruleWords(h[hi + k])}`);
      bi += part.value.length;
      hi += next.value.length;
      i++;
    } else if (part.removed) {
      for (let k = 0; k < part.value.length; k++) out.push(`${path}: rule removed (was ${path}[${bi + k}]: ${ruleWords(b[bi + k])})`);
      bi += part.value.length;
    } else if (part.added) {
      for (let k = 0; k < part.value.length; k++) out.push(`${path}[${hi + k}]: rule added: ${ruleWords(h[hi + k])}`);
      hi += part.value.length;
    } else {
      bi += part.value.length;
      hi += part.value.length;
    }
  }
}

/** One rule in a line: `Allow TCP from app == "web" to ports 8080`. */
export function ruleWords(rule: Json | undefined): string {
  if (!isObject(rule)) return short(rule);
  const words: string[] = [typeof rule.action === "string" ? rule.action : "rule"];
  if (rule.protocol !== undefined) words.push(String(rule.protocol));
  for (const side of ["source", "destination"] as const) {
    const e = rule[side];
    if (!isObject(e)) continue;
    const bits: string[] = [];
    if (typeof e.selector === "string") bits.push(e.selector);
    if (typeof e.namespaceSelector === "string") bits.push(`namespaces ${e.namespaceSelector}`);
    if (Array.isArray(e.nets)) bits.push(e.nets.join(", "));
    if (Array.isArray(e.ports)) bits.push(`ports ${describePorts(e.ports as PortList)}`);
    if (bits.length > 0) words.push(`${side === "source" ? "from" : "to"} ${bits.join(" ")}`);
  }
  // Kubernetes rules: from/to peers and ports.
  for (const k of ["from", "to", "ports"] as const) if (rule[k] !== undefined) words.push(`${k} ${short(rule[k])}`);
  return words.join(" ");
}

function comparePorts(b: Json | undefined, h: Json | undefined): string {
  const bl = (Array.isArray(b) ? b : []) as PortList;
  const hl = (Array.isArray(h) ? h : []) as PortList;
  const before = describePorts(bl) || "any";
  const after = describePorts(hl) || "any";
  const cb = portCoverage(bl);
  const ch = portCoverage(hl);
  if (b === undefined) return `ports restricted to ${after} (was any port): narrowed`;
  if (h === undefined) return `port restriction ${before} removed (now any port): widened`;
  if (cb.subsetOf(ch)) return `ports widened from ${before} to ${after}`;
  if (ch.subsetOf(cb)) return `ports narrowed from ${before} to ${after}`;
  return `ports changed from ${before} to ${after}`;
}

function compareSets(b: Json | undefined, h: Json | undefined, what: string, whats = `${what}s`): string {
  const bs = new Set((Array.isArray(b) ? b : []).map(String));
  const hs = new Set((Array.isArray(h) ? h : []).map(String));
  const added = [...hs].filter((x) => !bs.has(x));
  const removed = [...bs].filter((x) => !hs.has(x));
  const parts: string[] = [];
  if (added.length > 0) parts.push(`${added.length > 1 ? whats : what} ${added.join(", ")} added`);
  if (removed.length > 0) parts.push(`${removed.length > 1 ? whats : what} ${removed.join(", ")} removed`);
  return parts.join("; ") || "reordered";
}

/** The canonical forms of a field, one JSON line per element, as `-`/`+` lines. */
function textDiff(b: Json | undefined, h: Json | undefined): string[] {
  const pretty = (v: Json | undefined) => (v === undefined ? "" : JSON.stringify(JSON.parse(stableJson(v)), null, 2) + "\n");
  const lines: string[] = [];
  for (const part of diffLines(pretty(b), pretty(h))) {
    if (!part.added && !part.removed) continue;
    for (const line of part.value.replace(/\n$/, "").split("\n")) lines.push(`  ${part.added ? "+" : "-"} ${line}`);
  }
  return lines;
}
