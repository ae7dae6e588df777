import { joinPath, type Diagnostic } from "../contracts/index.js";
import type { SourceMap } from "./source.js";

/**
 * A small structural schema: types, required fields, unknown fields and enumerations. It runs before the semantic
 * rules, reports every mismatch, and returns a cleaned copy in which ill-typed fields are dropped, so the semantic
 * rules and the engine only ever see well-typed data.
 */
export type Schema =
  | { t: "string" }
  | { t: "number"; integer?: boolean }
  | { t: "boolean" }
  | { t: "any" }
  | { t: "enum"; values: readonly string[] }
  /** A number or a string (ports, protocols): Kubernetes IntOrString and Calico's numorstring. */
  | { t: "intOrString" }
  | { t: "array"; items: Schema }
  | { t: "object"; fields: Readonly<Record<string, Schema>>; required?: readonly string[] }
  /** String-keyed map with uniform values, such as labels. */
  | { t: "map"; values: Schema };

export const str: Schema = { t: "string" };
export const num: Schema = { t: "number" };
export const int: Schema = { t: "number", integer: true };
export const bool: Schema = { t: "boolean" };
export const any: Schema = { t: "any" };
export const intOrString: Schema = { t: "intOrString" };
export const stringMap: Schema = { t: "map", values: str };
export const arr = (items: Schema): Schema => ({ t: "array", items });
export const oneOf = (...values: string[]): Schema => ({ t: "enum", values });
export const obj = (fields: Record<string, Schema>, required?: string[]): Schema => ({ t: "object", fields, required });

export interface SchemaContext {
  source: SourceMap;
  diagnostics: Diagnostic[];
  resource?: string;
}

export function checkSchema(value: unknown, schema: Schema, path: string, ctx: SchemaContext): unknown {
  return check(value, schema, path, ctx);
}

/**
 * A field's path, joined only when a finding needs it: a repository of thousands of policies has hundreds of
 * thousands of fields and almost none of them is ever reported.
 */
class LazyPath {
  private text: string | undefined;

  constructor(
    private readonly parent: Path,
    private readonly key: string | number,
  ) {}

  toString(): string {
    return (this.text ??= joinPath(String(this.parent), this.key));
  }
}

type Path = string | LazyPath;

function check(value: unknown, schema: Schema, path: Path, ctx: SchemaContext): unknown {
  if (value === null || value === undefined) return undefined; // null means unset, as in Kubernetes
  switch (schema.t) {
    case "any":
      return value;
    case "string":
      return typeof value === "string" ? value : wrongType(value, "a string", String(path), ctx);
    case "boolean":
      return typeof value === "boolean" ? value : wrongType(value, "true or false", String(path), ctx);
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return wrongType(value, schema.integer ? "a whole number" : "a number", String(path), ctx);
      }
      if (schema.integer && !Number.isInteger(value)) return wrongType(value, "a whole number", String(path), ctx);
      return value;
    case "intOrString":
      if (typeof value === "string") return value;
      if (typeof value === "number" && Number.isInteger(value)) return value;
      return wrongType(value, "a whole number or a string", String(path), ctx);
    case "enum":
      if (typeof value === "string" && schema.values.includes(value)) return value;
      return badEnum(value, schema.values, String(path), ctx);
    case "array": {
      if (!Array.isArray(value)) return wrongType(value, "a list", String(path), ctx);
      // An ill-typed object item becomes {} rather than disappearing, so later items keep their indices (and the
      // rule indices Calico would give them); ill-typed scalars are dropped, and the source map told, so that a
      // problem with a later item is reported at that item and not at its neighbour.
      const placeholder = schema.items.t === "object" ? {} : undefined;
      const out: unknown[] = [];
      value.forEach((item, i) => {
        const checked = check(item, schema.items, new LazyPath(path, i), ctx) ?? (item === null || item === undefined ? undefined : placeholder);
        if (checked !== undefined) out.push(checked);
        else ctx.source.noteDropped(String(path), i);
      });
      return out;
    }
    case "map":
      if (!isPlainObject(value)) return wrongType(value, "a map", String(path), ctx);
      return Object.fromEntries(
        Object.entries(value)
          .map(([k, v]) => [k, check(v, schema.values, new LazyPath(path, k), ctx)] as const)
          .filter(([, v]) => v !== undefined),
      );
    case "object":
      return checkObject(value, schema, path, ctx);
  }
}

function checkObject(value: unknown, schema: Extract<Schema, { t: "object" }>, at: Path, ctx: SchemaContext) {
  if (!isPlainObject(value)) return wrongType(value, "a map of fields", String(at), ctx);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const fieldSchema = Object.prototype.hasOwnProperty.call(schema.fields, k) ? schema.fields[k] : undefined;
    const fieldPath = new LazyPath(at, k);
    if (!fieldSchema) {
      const path = String(at);
      const guess = closest(k, Object.keys(schema.fields));
      report(ctx, "schema/unknown-field", String(fieldPath), true,
        `unknown field "${k}"${path ? ` in ${path}` : ""}` +
          (guess ? `; did you mean "${guess}"?` : `; known fields: ${Object.keys(schema.fields).join(", ")}`));
      continue;
    }
    const checked = check(v, fieldSchema, fieldPath, ctx);
    if (checked !== undefined) out[k] = checked;
  }
  for (const k of schema.required ?? []) {
    if (value[k] === undefined || value[k] === null) {
      const path = String(at);
      report(ctx, "schema/missing-field", path, false, `${joinPath(path, k)} is required`);
    }
  }
  return out;
}

function wrongType(value: unknown, expected: string, path: string, ctx: SchemaContext): undefined {
  report(ctx, "schema/wrong-type", path, false, `${path || "the document"} must be ${expected}; found ${describe(value)}`);
  return undefined;
}

function badEnum(value: unknown, allowed: readonly string[], path: string, ctx: SchemaContext): undefined {
  const caseFix = typeof value === "string" ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
  report(ctx, "schema/invalid-value", path, false,
    `${path} must be one of ${allowed.join(", ")}; found ${describe(value)}` +
      (caseFix ? ` (values are case-sensitive: write ${caseFix})` : ""));
  return undefined;
}

function report(ctx: SchemaContext, code: string, path: string, atKey: boolean, message: string): void {
  const loc = atKey ? ctx.source.keyAt(path) : ctx.source.at(path);
  ctx.diagnostics.push({ code, severity: "error", message, ...loc, path, resource: ctx.resource });
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value)}`;
  return `${typeof value === "number" ? "the number" : "the value"} ${String(value)}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The candidate within edit distance 2 (or a case-insensitive match), for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    if (c.toLowerCase() === word.toLowerCase()) return c;
    const d = editDistance(word.toLowerCase(), c.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
