import type { ImpactFlow, ImpactReport } from "../../review/index.js";
import { mermaidId, mermaidText } from "./escape.js";
import { cmp, int, portWords } from "./format.js";

/**
 * A Mermaid `graph LR` of the service edges whose verdict changes: one edge per source, destination and direction
 * of change, red for newly denied and amber for newly allowed (and the words "denied"/"allowed" on the edge, for
 * readers who cannot tell the colours apart). Edges are the busiest first; past `maxEdges` they are left out and
 * counted, so the graph stays readable and the comment within budget.
 */
export const DEFAULT_MAX_GRAPH_EDGES = 30;
export const DENIED_COLOUR = "#d73a49";
export const ALLOWED_COLOUR = "#e3a008";

export interface ServiceEdge {
  change: "denied" | "allowed";
  src: string;
  dst: string;
  /** `7070/TCP`, busiest first. */
  ports: string[];
  flows: number;
  bytes: number;
}

export interface ServiceGraph {
  /** The fenced block, ready to print; empty when no edge changes. */
  lines: string[];
  edges: number;
  shown: number;
}

export function serviceEdges(impact: ImpactReport): ServiceEdge[] {
  const edges = new Map<string, ServiceEdge & { portFlows: Map<string, number> }>();
  const add = (change: ServiceEdge["change"], flows: readonly ImpactFlow[]) => {
    for (const f of flows) {
      const key = `${change}\u0000${f.src}\u0000${f.dst}`;
      const e = edges.get(key) ?? { change, src: f.src, dst: f.dst, ports: [], flows: 0, bytes: 0, portFlows: new Map<string, number>() };
      e.flows += f.flows;
      e.bytes += f.bytes;
      const port = portWords(f).replace(/^:/, "");
      e.portFlows.set(port, (e.portFlows.get(port) ?? 0) + f.flows);
      edges.set(key, e);
    }
  };
  add("denied", impact.newlyDenied);
  add("allowed", impact.newlyAllowed);
  return [...edges.values()]
    .map(({ portFlows, ...e }) => ({ ...e, ports: [...portFlows].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).map(([p]) => p) }))
    .sort((a, b) => b.flows - a.flows || b.bytes - a.bytes || cmp(a.change, b.change) || cmp(a.src, b.src) || cmp(a.dst, b.dst));
}

export function serviceGraph(impact: ImpactReport, maxEdges = DEFAULT_MAX_GRAPH_EDGES): ServiceGraph {
  const all = serviceEdges(impact);
  const shown = all.slice(0, Math.max(0, maxEdges));
  if (shown.length === 0) return { lines: [], edges: all.length, shown: 0 };
  const ids = new Map<string, string>();
  const used = new Set<string>();
  const nodes: string[] = [];
  const idOf = (name: string) => {
    let id = ids.get(name);
    if (id) return id;
    const base = mermaidId(name);
    id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(name, id);
    nodes.push(`  ${id}["${mermaidText(name)}"]`);
    return id;
  };
  const edgeLines: string[] = [];
  const denied: number[] = [];
  const allowed: number[] = [];
  shown.forEach((e, i) => {
    const from = idOf(e.src);
    const to = idOf(e.dst);
    const ports = e.ports.length > 3 ? `${e.ports.slice(0, 3).join(", ")} +${e.ports.length - 3}` : e.ports.join(", ");
    const label = mermaidText(`${e.change} · ${ports} · ${int(e.flows)}`);
    edgeLines.push(`  ${from} -->|"${label}"| ${to}`);
    (e.change === "denied" ? denied : allowed).push(i);
  });
  const styles: string[] = [];
  if (denied.length > 0) styles.push(`  linkStyle ${denied.join(",")} stroke:${DENIED_COLOUR},stroke-width:2px`);
  if (allowed.length > 0) styles.push(`  linkStyle ${allowed.join(",")} stroke:${ALLOWED_COLOUR},stroke-width:2px`);
  return { lines: ["```mermaid", "graph LR", ...nodes, ...edgeLines, ...styles, "```"], edges: all.length, shown: shown.length };
}
