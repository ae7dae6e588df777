import type { CounterInfo, NftChain, NftMap } from "./model.js";
import type { NftSet } from "./sets.js";

/**
 * The ruleset as one `nft -f` file that replaces the table in a single transaction: declare the table (so the
 * delete cannot fail on a first load), delete it, create it anew. `flush table` would keep the sets' old elements.
 * Output is deterministic: everything is sorted by name by the compiler.
 */
export interface RenderInput {
  table: string;
  chains: readonly NftChain[];
  sets: readonly NftSet[];
  maps: readonly NftMap[];
  counters: readonly CounterInfo[];
}

export interface RenderOptions {
  /** Printed as the table's comment, so `nft list table` shows what is enforced. */
  hash?: string;
  /** Counter values carried over from the table being replaced, by counter name. */
  counterValues?: ReadonlyMap<string, { packets: number; bytes: number }>;
}

/** nft keeps at most 127 bytes of a comment. */
export const MAX_COMMENT = 127;

export function renderRuleset(r: RenderInput, options: RenderOptions = {}): string {
  const out: string[] = [];
  out.push(`table inet ${r.table}`, `delete table inet ${r.table}`, `table inet ${r.table} {`);
  if (options.hash) out.push(`\tcomment ${quote(`tierguard ruleset ${options.hash}`)}`);
  for (const c of r.counters) {
    const v = options.counterValues?.get(c.name);
    out.push(`\tcounter ${c.name} {${v ? ` packets ${v.packets} bytes ${v.bytes} ` : " "}}`);
  }
  for (const s of r.sets) {
    out.push(`\tset ${s.name} {`, `\t\ttype ${s.type}`, ...(s.interval === false ? [] : ["\t\tflags interval"]), `\t\tcomment ${quote(s.comment)}`);
    if (s.elements.length > 0) out.push(...elementLines(s.elements));
    out.push("\t}");
  }
  for (const m of r.maps) {
    out.push(`\tmap ${m.name} {`, `\t\ttype ${m.family === 4 ? "ipv4_addr" : "ipv6_addr"} : verdict`);
    if (m.elements.length > 0) out.push(...elementLines(m.elements.map(([ip, chain]) => `${ip} : jump ${chain}`)));
    out.push("\t}");
  }
  for (const c of r.chains) {
    out.push(`\tchain ${c.name} {`);
    if (c.comment) out.push(`\t\tcomment ${quote(c.comment)}`);
    if (c.hook) out.push(`\t\ttype filter hook ${c.hook.name ?? "forward"} priority ${c.hook.priority}; policy accept;`);
    for (const rule of c.rules) {
      const text = [rule.match, rule.counter ? `counter name ${rule.counter}` : "", rule.verdict].filter(Boolean).join(" ");
      out.push(`\t\t${text}${rule.comment ? ` comment ${quote(rule.comment)}` : ""}`);
    }
    out.push("\t}");
  }
  out.push("}");
  return out.join("\n") + "\n";
}

function elementLines(elements: readonly string[]): string[] {
  const lines = ["\t\telements = {"];
  elements.forEach((e, i) => lines.push(`\t\t\t${e}${i < elements.length - 1 ? "," : ""}`));
  lines.push("\t\t}");
  return lines;
}

const encoder = new TextEncoder();

function quote(text: string): string {
  let t = text.replace(/["\\]/g, "'");
  if (t.length * 3 > MAX_COMMENT) while (encoder.encode(t).length > MAX_COMMENT) t = t.slice(0, -1);
  return `"${t}"`;
}
