/**
 * The one diagnostic family used across tierguard (STYLE habit 4: code, file, line, column, field path).
 * `line` and `col` are 1-based. `path` is the field path inside the resource, e.g.
 * `spec.ingress[0].source.selector`.
 *
 * - `Diagnostic`: validation and loading, always fully positioned (`path` empty when the problem concerns the whole
 *   file or document).
 * - `Finding` (src/review/types.ts) extends `Located` with review-only fields; its column and path are optional
 *   because some checks concern a whole file.
 * - `OffsetProblem`: what a pre-parse scan reports (a byte offset, before lines exist); the loader turns it into a
 *   `Diagnostic`.
 */
export type Severity = "error" | "warning" | "notice";

/** What every member of the family carries. Undefined `col`/`path`: the problem concerns the whole file/line. */
export interface Located {
  /** `<area>/<kebab-name>`, stable: annotations, SARIF rules and tests key on it. */
  code: string;
  severity: Severity;
  /** What is wrong and what to do next. */
  message: string;
  /** Repository-relative (or command-line) path of the file concerned. */
  file: string;
  line: number;
  col?: number;
  path?: string;
  /** `Kind namespace/name` of the resource concerned, when there is one. */
  resource?: string;
}

export interface Diagnostic extends Located {
  col: number;
  path: string;
}

/** A problem found by scanning text before it is parsed: `offset` is a 0-based index into the text. */
export interface OffsetProblem<Code extends string = string> {
  code: Code;
  message: string;
  offset: number;
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
