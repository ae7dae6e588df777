import { cidrContains, parseCidr, parseFlowProtocol, parseIp, type Cidr, type Endpoint } from "../../engine/index.js";
import type { ImpactFlow, ImpactReport } from "../../impact/index.js";
import type { ReviewContext } from "../context.js";
import { regionIndex, type EndpointClass } from "./classes.js";
import type { PortClass } from "./ports.js";

/**
 * Which (source class, destination class, port class) triples a recorded flow of the snapshot falls into. A change
 * is exercised when one of those triples is among its own: the same classes the diff evaluated, so a flow between
 * other workloads of the same namespace, on a port of another class, or on a protocol the change does not cover
 * never counts, and a flow from a network set counts for the network set's addresses.
 *
 * The flows are the replay's changed flows (every newly allowed and newly denied aggregate, and the pending changes
 * it lists). That is enough: a flow that falls into a changed triple has the triple's verdicts, so it changed too.
 * They are placed by the names the replay gives them:
 * - `ns/pod` or `ns/prefix-*`: the known workload of that name, else the first inventory pod of the aggregate (as the
 *   replay's resolver picks it); its class by labels and address.
 * - an address: the region of the address space it lies in; `networkset ns/name`, `globalnetworkset name`: the
 *   regions of the set's CIDRs.
 * - `pub` / `pvt` (addresses aggregated away): every external class that can hold a public / private address, the
 *   one case where a flow may count for a class it was not in. Host endpoints and flows without a destination port
 *   on a protocol with ports are placed nowhere.
 * - source ports: the replay's flows carry none, so a flow counts for every source-port class of its protocol and
 *   destination port (a changed flow fell into one of them; which one the snapshot's aggregation no longer says).
 */
export interface Exercised {
  /** Whether a flow fell into some (source, destination, port) triple of the three lists' product. */
  any(src: readonly number[], dst: readonly number[], ports: readonly number[]): boolean;
}

interface Scope {
  ctx: Pick<ReviewContext, "base" | "head" | "workloads">;
  classes: readonly EndpointClass[];
  classOf: (ep: Endpoint) => EndpointClass | undefined;
  ports: readonly PortClass[];
}

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"].map((c) => parseCidr(c)!);

export function exercisedFlows(impact: ImpactReport | undefined, scope: Scope): Exercised {
  const n = scope.classes.length;
  const triples = new Map<number, Set<number>>();
  const flows: ImpactFlow[] = impact ? [...impact.newlyAllowed, ...impact.newlyDenied, ...impact.pendingChanged] : [];
  const place = endpointPlacer(scope);
  for (const f of flows) {
    const ports = portClassesOf(f, scope.ports);
    if (ports.length === 0) continue;
    for (const s of place(f.src)) {
      for (const d of place(f.dst)) {
        let set = triples.get(s * n + d);
        if (!set) triples.set(s * n + d, (set = new Set()));
        for (const g of ports) set.add(g);
      }
    }
  }
  return {
    any(src, dst, ports) {
      if (triples.size === 0) return false;
      for (const s of src) {
        for (const d of dst) {
          const set = triples.get(s * n + d);
          if (set && ports.some((g) => set.has(g))) return true;
        }
      }
      return false;
    },
  };
}

/** The port classes a flow's protocol and destination port fall into (one, or none when it cannot be placed). */
function portClassesOf(f: ImpactFlow, ports: readonly PortClass[]): number[] {
  const proto = parseFlowProtocol(f.protocol);
  if (proto === undefined) return [];
  const fits = (p: PortClass) => (p.lo === undefined ? true : f.port !== undefined && f.port >= p.lo && f.port <= p.hi!);
  const own = ports.filter((p) => p.protocol === proto && p.protocolName !== "any other protocol" && p.protocolName !== "any");
  // "any": no rule names a protocol, and the classes stand for every protocol; "any other protocol": one class.
  const list = own.length > 0 ? own : ports.filter((p) => p.protocolName === "any" || p.protocolName === "any other protocol");
  return list.filter(fits).map((p) => p.index);
}

function endpointPlacer(scope: Scope): (name: string) => number[] {
  const { ctx, classes, classOf } = scope;
  const byName = new Map<string, Endpoint>();
  for (const w of ctx.workloads) if (!byName.has(w.name)) byName.set(w.name, w.endpoint);
  const external = classes.filter((c) => c.region);
  const memo = new Map<string, number[]>();
  const regionOf = regionIndex(classes);
  const place = (name: string): number[] => {
    if (name === "pub" || name === "pvt") return external.filter((c) => holds(c, name === "pvt")).map((c) => c.index);
    const ip = parseIp(name);
    if (ip) return [regionOf(ip)?.index].filter((i): i is number => i !== undefined);
    const netset = /^(networkset|globalnetworkset) (?:([^/]+)\/)?(.+)$/.exec(name);
    if (netset) {
      const set = ctx.head.set.networkSet(netset[2], netset[3]) ?? ctx.base.set.networkSet(netset[2], netset[3]);
      const cidrs = set?.cidrs ?? [];
      return external.filter((c) => c.region!.cidr && cidrs.some((x) => sameCidr(x, c.region!.cidr!))).map((c) => c.index);
    }
    const ep = byName.get(name) ?? firstOfAggregate(name, ctx.workloads);
    const cls = ep && classOf(ep);
    return cls ? [cls.index] : [];
  };
  return (name) => {
    let out = memo.get(name);
    if (!out) memo.set(name, (out = place(name)));
    return out;
  };
}

/** `ns/web-*`: the first inventory pod of the namespace whose name starts with `web-`, as the replay resolves it. */
function firstOfAggregate(name: string, workloads: ReviewContext["workloads"]): Endpoint | undefined {
  if (!name.endsWith("*")) return undefined;
  const prefix = name.slice(0, -1);
  return workloads.find((w) => w.source === "inventory" && w.name.startsWith(prefix))?.endpoint;
}

/** Whether an external class can hold a private (or, with `priv` false, a public) address. */
function holds(c: EndpointClass, priv: boolean): boolean {
  const r = c.region!;
  const inside = (p: Cidr) => r.cidr !== undefined && p.version === r.version && r.cidr.prefix >= p.prefix && cidrContains(p, { version: r.version, value: r.cidr.base });
  const inPrivate = PRIVATE.some(inside);
  if (!priv) return !inPrivate;
  // A region that is not inside a private block may still hold one's first address (e.g. "anywhere outside").
  const holdsBase = (p: Cidr) => {
    const ip = { version: p.version, value: p.base };
    return p.version === r.version && (!r.cidr || cidrContains(r.cidr, ip)) && !r.holes.some((h) => cidrContains(h, ip));
  };
  return inPrivate || PRIVATE.some(holdsBase);
}

function sameCidr(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.base === b.base && a.prefix === b.prefix;
}
