import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { parseInventory, type Inventory } from "../flows/inventory.js";
import { DEFAULT_LOAD_LIMITS, loadText, type Diagnostic } from "../policy/index.js";
import { describeFsError } from "./files.js";

/**
 * Reads an inventory (`kubectl get namespaces,pods,serviceaccounts -A -o yaml`, or `-o json`). JSON is parsed
 * with JSON.parse (fast for large clusters); YAML through the loader, which keeps positions for problems.
 */
export const DEFAULT_MAX_INVENTORY_BYTES = 512 * 1024 * 1024;

/** `path` is shown in diagnostics as given; a relative one is read from `cwd` (default: the process's). */
export async function readInventory(
  path: string,
  options: { cwd?: string; maxBytes?: number } = {},
): Promise<{ inventory?: Inventory; diagnostics: Diagnostic[] }> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INVENTORY_BYTES;
  const full = resolve(options.cwd ?? process.cwd(), path);
  const fail = (code: string, message: string) => ({ diagnostics: [{ code, severity: "error" as const, message, file: path, line: 1, col: 1, path: "" }] });
  let text: string;
  let size: number;
  try {
    const info = await stat(full);
    if (info.size > maxBytes) return fail("inventory/too-large", `inventory is ${info.size} bytes; the limit is ${maxBytes}`);
    const bytes = await readFile(full);
    size = bytes.length;
    text = bytes.toString("utf8");
  } catch (e) {
    return fail("inventory/unreadable", describeFsError(e));
  }
  return inventoryFromText(text, path, maxBytes, size);
}

/**
 * An inventory already in memory (read from a git blob, or fetched from the GitHub API); `path` names it in
 * diagnostics. `bytes`: its size when the caller read it as bytes, which spares a pass over the whole text.
 */
export function inventoryFromText(text: string, path: string, maxBytes = DEFAULT_MAX_INVENTORY_BYTES, bytes?: number): { inventory?: Inventory; diagnostics: Diagnostic[] } {
  const fail = (code: string, message: string) => ({ diagnostics: [{ code, severity: "error" as const, message, file: path, line: 1, col: 1, path: "" }] });
  const size = bytes ?? Buffer.byteLength(text);
  if (size > maxBytes) return fail("inventory/too-large", `inventory is ${size} bytes; the limit is ${maxBytes}`);
  let values: unknown[];
  let locate: (doc: number, fieldPath: string) => { line: number; col: number } = () => ({ line: 1, col: 1 });
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      const v = JSON.parse(text);
      values = Array.isArray(v) ? v : [v];
    } catch (e) {
      return fail("inventory/malformed-json", `inventory is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    // A cluster's inventory is large by nature: its node count is bounded by its size alone (a node takes a byte).
    const limits = { ...DEFAULT_LOAD_LIMITS, maxFileBytes: maxBytes, maxDocumentBytes: maxBytes, maxAliasCount: 1000, maxNodes: maxBytes };
    const loaded = loadText(path, text, limits);
    if (loaded.diagnostics.some((d) => d.severity === "error")) return { diagnostics: loaded.diagnostics };
    values = loaded.documents.map((d) => d.value);
    locate = (doc, fieldPath) => {
      const at = loaded.documents[doc]?.source.at(fieldPath);
      return at ? { line: at.line, col: at.col } : { line: 1, col: 1 };
    };
  }
  const { inventory, diagnostics } = parseInventory(values);
  return {
    inventory,
    diagnostics: diagnostics.map((p) => ({
      code: p.code,
      severity: "warning" as const,
      message: p.message,
      file: path,
      ...locate(p.document ?? 0, p.path ?? ""),
      path: p.path ?? "",
    })),
  };
}
