import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { podInterfaces, podsOnNode } from "../dataplane/index.js";
import { DEFAULT_LOAD_LIMITS, loadText } from "../policy/index.js";

/**
 * The pods of the inventory whose `spec.nodeName` is this node, and the host-side interfaces of those that name one
 * (dataplane/endpoints.ts INTERFACE_ANNOTATION). The inventory model keeps no node names, so the
 * file is parsed once more here (JSON with JSON.parse, YAML through the loader); problems were already reported
 * by the inventory reader.
 */
export async function readNodePods(path: string, node: string, cwd: string): Promise<{ pods: Set<string>; interfaces: Map<string, string> }> {
  const text = await readFile(resolve(cwd, path), "utf8");
  const trimmed = text.trimStart();
  let docs: unknown[];
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const v: unknown = JSON.parse(text);
    docs = Array.isArray(v) ? v : [v];
  } else {
    const max = 512 * 1024 * 1024;
    docs = loadText(path, text, { ...DEFAULT_LOAD_LIMITS, maxFileBytes: max, maxDocumentBytes: max, maxAliasCount: 1000, maxDocuments: 10_000, maxNodes: max }).documents.map((d) => d.value);
  }
  return { pods: podsOnNode(docs, node), interfaces: podInterfaces(docs, node) };
}
