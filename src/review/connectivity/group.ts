import type { FlowVerdictSide } from "../../impact/index.js";
import type { EndpointClass } from "./classes.js";
import type { Exercised } from "./exercised.js";
import type { PortClass } from "./ports.js";
import type { ConnectivityChange, ConnectivityMode, EndpointGroup } from "./types.js";

/**
 * From changed (class, class, port class) triples to what a reviewer reads: adjacent port classes merged into port
 * lists, workload classes that make up a whole namespace folded into the namespace (on either side), each change
 * told whether a recorded flow fell into it, and the list ranked broadest first (a namespace open to the internet
 * before one port between two workloads), enforced changes before pending ones.
 */
interface Side {
  group: EndpointGroup;
  classes: number[];
  pods: number;
  /** Identifies the side for grouping: its class index, or past the classes, its namespace's number. */
  id: number;
}

interface Entry {
  mode: ConnectivityMode;
  reachable: boolean;
  src: Side;
  dst: Side;
  protocol: string;
  /**
   * The source-port class (of the protocol) of the entry's port classes, until `mergeSources` merges several; set
   * only where some rule names source ports (a broad diff makes millions of entries before folding).
   */
  sourceClass?: number;
  sources?: number[];
  ports: number[];
  /** Interned deciding sides (SideTable ids). */
  before: number;
  after: number;
  uncertain?: Set<string>;
}

export interface Decided {
  mode: ConnectivityMode;
  reachable: boolean;
  before: number;
  after: number;
  uncertain?: readonly string[];
}

const INTERNET = 1_000_000;
const NETWORK = 1_000;
const MAX_UNCERTAIN = 10;

export class Aggregator {
  private readonly entries: Entry[] = [];
  private readonly classSides: Side[];
  /** Entries of the pair being visited (a few): found by mode, direction, protocol and deciding sides. */
  private pairEntries: Entry[] = [];
  private src!: Side;
  /** Source ports of each source-port class, by protocol (only protocols some rule names source ports for). */
  private readonly sourceTexts = new Map<number, string[][]>();
  private dst!: Side;

  constructor(
    private readonly classes: readonly EndpointClass[],
    private readonly portClasses: readonly PortClass[],
    private readonly sides: readonly FlowVerdictSide[],
  ) {
    for (const p of portClasses) {
      if (!p.sourcePorts) continue;
      let texts = this.sourceTexts.get(p.protocol);
      if (!texts) this.sourceTexts.set(p.protocol, (texts = []));
      texts[p.sourceClass] = p.sourcePorts;
    }
    this.classSides = classes.map((c) => ({ group: c.group, classes: [c.index], pods: c.pods, id: c.index }));
  }

  /** Every pair is visited once; its changes are added between `begin` and the next `begin`. */
  begin(s: EndpointClass, d: EndpointClass): void {
    this.src = this.classSides[s.index];
    this.dst = this.classSides[d.index];
    this.pairEntries = [];
  }

  add(port: number, decided: Decided): void {
    const { mode, reachable, before, after } = decided;
    const { protocolName: protocol, sourceClass } = this.portClasses[port];
    let e: Entry | undefined;
    for (const x of this.pairEntries) if (x.before === before && x.after === after && x.mode === mode && x.reachable === reachable && x.protocol === protocol && (x.sourceClass ?? 0) === sourceClass) e = x;
    if (!e) {
      e = { mode, reachable, src: this.src, dst: this.dst, protocol, ports: [], before, after };
      if (this.sourceTexts.size > 0) e.sourceClass = sourceClass;
      this.pairEntries.push(e);
      this.entries.push(e);
    }
    e.ports.push(port);
    if (decided.uncertain) {
      e.uncertain ??= new Set();
      for (const u of decided.uncertain) if (e.uncertain.size < MAX_UNCERTAIN) e.uncertain.add(u);
    }
  }

  /** The changes, each marked by whether a recorded flow exercised it (known only once the snapshot is replayed). */
  finish(exercised: Exercised): { newlyReachable: ConnectivityChange[]; newlyUnreachable: ConnectivityChange[] } {
    let list = this.mergeSources(this.entries);
    list = this.fold(list, "dst");
    list = this.fold(list, "src");
    const out = list.map((e) => this.change(e, exercised)).sort(compareChanges);
    return { newlyReachable: out.filter((c) => c.after.verdict === "allow"), newlyUnreachable: out.filter((c) => c.after.verdict === "deny") };
  }

  /**
   * Entries of a pair that differ only in their source-port class become one: a change for every source port has
   * no source ports to name, and one for some of them names them all. Nothing to do where no rule names source ports.
   */
  private mergeSources(list: Entry[]): Entry[] {
    if (this.sourceTexts.size === 0) return list;
    const byKey = new Map<string, Entry>();
    const out: Entry[] = [];
    for (const e of list) {
      const dst = [...new Set(e.ports.map((i) => this.portClasses[i].lo ?? 0))].sort((a, b) => a - b).join(",");
      const key = `${e.src.id}|${e.dst.id}|${e.mode}|${e.reachable}|${e.protocol}|${e.before}|${e.after}|${dst}`;
      const known = byKey.get(key);
      if (!known) {
        byKey.set(key, e);
        out.push(e);
        continue;
      }
      known.ports.push(...e.ports);
      (known.sources ??= [known.sourceClass!]).push(e.sourceClass!);
      for (const u of e.uncertain ?? []) if ((known.uncertain ??= new Set()).size < MAX_UNCERTAIN) known.uncertain.add(u);
    }
    for (const e of out) {
      e.ports.sort((a, b) => a - b);
      e.sources?.sort((a, b) => a - b);
    }
    return out;
  }

  /** The entry's source ports, unless it holds for every source port. */
  private sourcePortsOf(e: Entry): string[] | undefined {
    const protocol = this.portClasses[e.ports[0]].protocol;
    const texts = this.sourceTexts.get(protocol);
    const sources = e.sources ?? [e.sourceClass ?? 0];
    if (!texts || sources.length === texts.length) return undefined;
    return sources.flatMap((s) => texts[s]).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  }

  /** Entries that differ only in one side's workload classes, covering every class of a namespace, become one. */
  private fold(list: Entry[], which: "src" | "dst"): Entry[] {
    const namespaces = this.namespaces();
    const sideIds = this.classes.length + namespaces.size;
    // Signatures number at most the entries: the numeric key is exact while the product stays below 2^53.
    const numeric = list.length * sideIds * namespaces.size < Number.MAX_SAFE_INTEGER;
    const other = which === "src" ? "dst" : "src";
    const signatures = new Map<string, number>();
    const buckets = new Map<number | string, Entry[]>();
    const out: Entry[] = [];
    for (const e of list) {
      const side = e[which];
      if (side.group.kind !== "workload") {
        out.push(e);
        continue;
      }
      const text = `${e.mode}|${e.reachable}|${e.protocol}|${e.ports.join(",")}|${e.before}|${e.after}`;
      let sig = signatures.get(text);
      if (sig === undefined) signatures.set(text, (sig = signatures.size));
      const nsNumber = namespaces.get(side.group.namespace!)!.number;
      const key = numeric ? (sig * sideIds + e[other].id) * namespaces.size + nsNumber : `${sig}|${e[other].id}|${nsNumber}`;
      const b = buckets.get(key);
      if (b) b.push(e);
      else buckets.set(key, [e]);
    }
    for (const bucket of buckets.values()) {
      const ns = namespaces.get(bucket[0][which].group.namespace!)!;
      // Each class appears once in a bucket (a pair's entries differ in their key), so counting suffices.
      if (bucket.length < ns.side.classes.length) {
        out.push(...bucket);
        continue;
      }
      const uncertain = new Set(bucket.flatMap((e) => [...(e.uncertain ?? [])]).slice(0, MAX_UNCERTAIN));
      out.push({ ...bucket[0], [which]: ns.side, uncertain: uncertain.size > 0 ? uncertain : undefined });
    }
    return out;
  }

  /** Each namespace of a workload class: its number and its side (every class of it). */
  private namespaces(): Map<string, { number: number; side: Side }> {
    const out = new Map<string, { number: number; side: Side }>();
    for (const c of this.classes) {
      if (c.group.kind !== "workload") continue;
      const ns = c.group.namespace!;
      let n = out.get(ns);
      if (!n) {
        const group: EndpointGroup = { kind: "namespace", namespace: ns, name: `namespace ${ns}` };
        out.set(ns, (n = { number: out.size, side: { group, classes: [], pods: 0, id: this.classes.length + out.size } }));
      }
      n.side.classes.push(c.index);
      n.side.pods += c.pods;
    }
    return out;
  }

  private change(e: Entry, exercised: Exercised): ConnectivityChange {
    const ports = mergePorts(e.ports.map((i) => this.portClasses[i]));
    const sourcePorts = this.sourcePortsOf(e);
    // Destination ports only: merged source-port classes repeat the same destination ports.
    const dst = e.sources ? [...new Set(e.ports.map((i) => this.portClasses[i].lo))].map((lo) => e.ports.find((i) => this.portClasses[i].lo === lo)!) : e.ports;
    const span = dst.reduce((n, i) => n + ((this.portClasses[i].hi ?? 65535) - (this.portClasses[i].lo ?? 1) + 1), 0);
    return {
      source: e.src.group,
      destination: e.dst.group,
      protocol: e.protocol,
      ports,
      ...(sourcePorts ? { sourcePorts } : {}),
      exercised: exercised.any(e.src.classes, e.dst.classes, e.ports),
      before: this.sides[e.before],
      after: this.sides[e.after],
      ...(e.uncertain && e.uncertain.size > 0 ? { uncertain: [...e.uncertain] } : {}),
      mode: e.mode,
      breadth: weight(e.src) * weight(e.dst) * span,
    };
  }
}

function weight(s: Side): number {
  switch (s.group.kind) {
    case "anywhere":
      return INTERNET;
    case "network":
      return NETWORK;
    case "namespace":
      return Math.max(1, s.pods) * 2; // a whole namespace: today's pods and tomorrow's
    case "workload":
      return Math.max(1, s.pods);
  }
}

function mergePorts(classes: readonly PortClass[]): string[] {
  const sorted = classes.filter((c) => c.lo !== undefined).sort((a, b) => a.lo! - b.lo!);
  const out: Array<[number, number]> = [];
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last && c.lo! <= last[1] + 1) last[1] = Math.max(last[1], c.hi!);
    else out.push([c.lo!, c.hi!]);
  }
  return out.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}:${hi}`));
}

function compareChanges(a: ConnectivityChange, b: ConnectivityChange): number {
  const mode = (c: ConnectivityChange) => (c.mode === "pending" ? 1 : 0);
  return mode(a) - mode(b) || b.breadth - a.breadth || cmp(a.source.name, b.source.name) || cmp(a.destination.name, b.destination.name) || cmp(a.protocol, b.protocol) || cmp(a.ports.join(","), b.ports.join(",")) || cmp(String(a.sourcePorts ?? ""), String(b.sourcePorts ?? ""));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
