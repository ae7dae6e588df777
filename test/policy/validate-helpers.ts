import { buildResources, loadText, parseCalicoVersion, validateResources, type CalicoVersion, type Diagnostic } from "../../src/policy/index.js";

/** The part of a diagnostic a table row asserts: what, where in the file, and which field. */
export interface Found {
  code: string;
  line: number;
  col: number;
  path: string;
  /** Present only for non-errors, so rows list severity only where it is advisory. */
  severity?: "warning" | "notice";
}

/** A table row: YAML in, the exact diagnostics out (none for a valid input). */
export interface Row {
  name: string;
  yaml: string;
  version?: string;
  expected: Found[];
}

export function version(text: string): CalicoVersion {
  const v = parseCalicoVersion(text);
  if ("error" in v) throw new Error(v.error);
  return v;
}

/** Loads YAML, fails on any load or schema error (fixtures must be schema-valid), and validates. */
export function validateYaml(yaml: string, calico = "3.32"): Diagnostic[] {
  const loaded = loadText("test.yaml", yaml);
  const built = buildResources(loaded.documents);
  const errors = [...loaded.diagnostics, ...built.diagnostics].filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`fixture has load or schema errors: ${JSON.stringify(errors, null, 2)}`);
  // "Not evaluated" notices have their own test (not-evaluated.test.ts); the rule tables assert validation proper.
  return validateResources(built.resources, { version: version(calico) }).filter((d) => d.code !== "policy/not-evaluated");
}

export function found(yaml: string, calico = "3.32"): Found[] {
  return validateYaml(yaml, calico).map(({ code, line, col, path, severity }) =>
    severity === "error" ? { code, line, col, path } : { code, line, col, path, severity });
}

/**
 * A policy whose first rule starts on line 6, column 7, so rule fields are easy to place: rule line n is file line
 * 5 + n; a top-level rule key is at column 7 and a key nested under source/destination at column 9.
 */
export function rulePolicy(rule: string[], options: { kind?: string; direction?: "ingress" | "egress" } = {}): string {
  const kind = options.kind ?? "NetworkPolicy";
  const global = kind.includes("Global");
  return [
    "apiVersion: projectcalico.org/v3",
    `kind: ${kind}`,
    global ? "metadata: { name: p }" : "metadata: { name: p, namespace: ns }",
    "spec:",
    `  ${options.direction ?? "ingress"}:`,
    ...rule.map((line, i) => (i === 0 ? `    - ${line}` : `      ${line}`)),
    "",
  ].join("\n");
}
