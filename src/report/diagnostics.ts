import type { Diagnostic } from "../contracts/index.js";

/**
 * Diagnostics for people (compiler-style lines a terminal or editor can jump to) and for machines (JSON).
 * Pure: returns strings.
 */
export function renderDiagnosticsText(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const where = d.path ? ` (${d.path}${d.resource ? ` in ${d.resource}` : ""})` : d.resource ? ` (${d.resource})` : "";
      return `${d.file}:${d.line}:${d.col}: ${d.severity} [${d.code}] ${d.message}${where}`;
    })
    .join("\n");
}

export interface DiagnosticCounts {
  errors: number;
  warnings: number;
  notices: number;
}

export function countDiagnostics(diagnostics: readonly Diagnostic[]): DiagnosticCounts {
  const c = { errors: 0, warnings: 0, notices: 0 };
  for (const d of diagnostics) {
    if (d.severity === "error") c.errors++;
    else if (d.severity === "warning") c.warnings++;
    else c.notices++;
  }
  return c;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function summaryLine(c: DiagnosticCounts, files: number, resources: number): string {
  return `${plural(c.errors, "error")}, ${plural(c.warnings, "warning")}, ${plural(c.notices, "notice")} in ${plural(files, "file")} (${plural(resources, "resource")})`;
}
