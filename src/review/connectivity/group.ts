import { parseIp } from "../../engine/index.js";
import type { FlowVerdictSide, ImpactReport } from "../../impact/index.js";
import { regionOf, type EndpointClass } from "./classes.js";
import { portText, type PortClass } from "./ports.js";
import type { ConnectivityChange, EndpointGroup } from "./types.js";

/**
 * From changed (class, class, port class) triples to what a reviewer reads: adjacent port classes merged into port
 * lists, workload classes that make up a whole namespace folded into the namespace (on either side), each change
 * told whether a recorded flow exercised it, and the list ranked broadest first (a namespace open to the internet
 * before one port between two workloads).
 */
interface Side {
  group: EndpointGroup;
  classes: Set<number>;
  pods: number;
}

interface Entry {
  reachable: boolean;
  src: Side;
  dst: Side;
  protocol: string;
  ports: number[];
  before: FlowVerdictSide;
  after: FlowVerdictSide;
  uncertain: Set<string>;
}

export interface Decided {
  before: FlowVerdictSide;
  after: FlowVerdictSide;
  reachable: boolean;
  uncertain: string[];
}

const INTERNET = 1_000_000;
const NETWORK = 1_000;

export class Aggregator {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly classes: readonly EndpointClass[],
    private readonly portClasses: readonly PortClass[],
    private readonly impact: ImpactReport | undefined,
  ) {}

  add(s: EndpointClass, d: EndpointClass, port: number, decided: Decided): void {
    const p = this.portClasses[port];
    const key = `${decided.reachable ? 1 : 0}|${s.index}|${d.index}|${p.protocolName}|${sideKey(decided.before)}|${sideKey(decided.after)}`;
    let e = this.entries.get(key);
    if (!e) {
      const side = (c: EndpointClass): Side => ({ group: c.group, classes: new Set([c.index]), pods: c.pods });
      e = { reachable: decided.reachable, src: side(s), dst: side(d), protocol: p.protocolName, ports: [], before: decided.before, after: decided.after, uncertain: new Set() };
      this.entries.set(key, e);
    }
    e.ports.push(port);
    for (const u of decided.uncertain) if (e.uncertain.size < 10) e.uncertain.add(u);
  }

  finish(): { newlyReachable: ConnectivityChange[]; newlyUnreachable: ConnectivityChange[] } {
    let list = [...this.entries.values()];
    list = this.fold(list, "dst");
    list = this.fold(list, "src");
    const out = list.map((e) => this.change(e)).sort(compareChanges);
    return { newlyReachable: out.filter((c) => c.after.verdict === "allow"), newlyUnreachable: out.filter((c) => c.after.verdict === "deny") };
  }

  /** Entries that differ only in one side's workload classes, covering every class of a namespace, become one. */
  private fold(list: Entry[], which: "src" | "dst"): Entry[] {
    const byNamespace = new Map<string, Set<number>>();
    const podsIn = new Map<string, number>();
    for (const c of this.classes) {
      if (c.group.kind !== "workload") continue;
      const ns = c.group.namespace!;
      if (!byNamespace.has(ns)) byNamespace.set(ns, new Set());
      byNamespace.get(ns)!.add(c.index);
      podsIn.set(ns, (podsIn.get(ns) ?? 0) + c.pods);
    }
    const other = which === "src" ? "dst" : "src";
    const buckets = new Map<string, Entry[]>();
    const out: Entry[] = [];
    for (const e of list) {
      const side = e[which];
      if (side.group.kind !== "workload") {
        out.push(e);
        continue;
      }
      const key = `${e.reachable}|${e[other].group.name}|${e.protocol}|${e.ports.join(",")}|${sideKey(e.before)}|${sideKey(e.after)}|${side.group.namespace}`;
      const b = buckets.get(key);
      if (b) b.push(e);
      else buckets.set(key, [e]);
    }
    for (const bucket of buckets.values()) {
      const ns = bucket[0][which].group.namespace!;
      const covered = new Set(bucket.flatMap((e) => [...e[which].classes]));
      const all = byNamespace.get(ns)!;
      if (covered.size < all.size || [...all].some((c) => !covered.has(c))) {
        out.push(...bucket);
        continue;
      }
      const uncertain = new Set(bucket.flatMap((e) => [...e.uncertain]).slice(0, 10));
      const group: EndpointGroup = { kind: "namespace", namespace: ns, name: `namespace ${ns}` };
      out.push({ ...bucket[0], [which]: { group, classes: covered, pods: podsIn.get(ns)! }, uncertain });
    }
    return out;
  }

  private change(e: Entry): ConnectivityChange {
    const ports = mergePorts(e.ports.map((i) => this.portClasses[i]));
    const span = e.ports.reduce((n, i) => n + ((this.portClasses[i].hi ?? 65535) - (this.portClasses[i].lo ?? 1) + 1), 0);
    return {
      source: e.src.group,
      destination: e.dst.group,
      protocol: e.protocol,
      ports,
      exercised: this.exercised(e),
      before: e.before,
      after: e.after,
      ...(e.uncertain.size > 0 ? { uncertain: [...e.uncertain] } : {}),
      breadth: weight(e.src) * weight(e.dst) * span,
    };
  }

  /** A replayed flow of the same kind between the same ends, protocol and port, decided by one of the same rules. */
  private exercised(e: Entry): boolean {
    const flows = e.reachable ? this.impact?.newlyAllowed : this.impact?.newlyDenied;
    if (!flows) return false;
    const rules = new Set([e.before.decidedBy, e.after.decidedBy]);
    return flows.some((f) => {
      if (!rules.has(f.before.decidedBy) && !rules.has(f.after.decidedBy)) return false;
      if (e.protocol !== "any" && e.protocol !== "any other protocol" && e.protocol.toLowerCase() !== f.protocol.toLowerCase()) return false;
      const ps = e.ports.map((i) => this.portClasses[i]);
      if (f.port !== undefined && ps[0]?.lo !== undefined && !ps.some((p) => f.port! >= p.lo! && f.port! <= p.hi!)) return false;
      return this.sideHas(e.src, f.src) && this.sideHas(e.dst, f.dst);
    });
  }

  private sideHas(side: Side, text: string): boolean {
    const g = side.group;
    if (g.kind === "workload" || g.kind === "namespace") return text.split("/")[0] === g.namespace;
    if (text === "pub" || text === "pvt") return true;
    const ip = parseIp(text);
    const region = ip && regionOf(this.classes, ip);
    return region !== undefined && side.classes.has(region.index);
  }
}

function sideKey(s: FlowVerdictSide): string {
  return `${s.direction ?? ""}|${s.decidedBy}`;
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
    if (last && c.lo! === last[1] + 1) last[1] = c.hi!;
    else out.push([c.lo!, c.hi!]);
  }
  return out.map(([lo, hi]) => portText({ index: 0, protocol: 0, protocolName: "", lo, hi })!);
}

function compareChanges(a: ConnectivityChange, b: ConnectivityChange): number {
  return b.breadth - a.breadth || cmp(a.source.name, b.source.name) || cmp(a.destination.name, b.destination.name) || cmp(a.protocol, b.protocol) || cmp(a.ports.join(","), b.ports.join(","));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

