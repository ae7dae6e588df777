/**
 * The one diagnostic shape used across tierguard: validation, review findings and flow-reader problems.
 * `line` and `col` are 1-based. `path` is the field path inside the resource, e.g.
 * `spec.ingress[0].source.selector`; empty for problems that concern the whole file or document.
 */
export type Severity = "error" | "warning" | "notice";

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  col: number;
  path: string;
  /** `Kind namespace/name` of the resource concerned, when there is one. */
  resource?: string;
}

export interface Location {
  file: string;
  line: number;
  col: number;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Orders diagnostics by file, line, column, then code, so output is stable. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.col - b.col ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** Appends a field name or index to a field path, quoting keys that are not plain identifiers. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) return base === "" ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}
