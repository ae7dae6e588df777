import { PolicySet, type EngineUniverse } from "../engine/index.js";
import { Replayer } from "../impact/index.js";
import type { EndpointResolver, Resolved } from "../impact/index.js";
import type { Resource } from "../policy/index.js";
import type { CalicoVersion } from "../policy/index.js";
import type { Learned } from "./classify.js";
import { enforce } from "./prove.js";

/**
 * How tight a recommendation is: of the connections never observed between the workloads the flows name — the same
 * pairs on other ports, and pairs that never talked on ports that were used — the fraction the recommendation
 * (alone, enforced) denies. Near 1 means it admits little beyond what was observed.
 */
export interface Tightness {
  candidates: number;
  denied: number;
  fraction: number;
}

/** Ports commonly probed, added to the observed ones as "other ports". */
const PROBE_PORTS = [22, 80, 443, 3306, 5432, 6443, 8080, 9090];

export function tightness(input: {
  recommendation: readonly Resource[];
  learned: readonly Learned[];
  universe: EngineUniverse;
  resolver: EndpointResolver;
  version: CalicoVersion;
}): Tightness {
  const set = new PolicySet(input.recommendation.map(enforce), { version: input.version, universe: input.universe });
  const replayer = new Replayer(set, input.resolver);
  const workloads = new Map<number, Resolved>();
  const observed = new Set<string>();
  const ports = new Set<string>();
  for (const l of input.learned) {
    const t = l.tuple;
    for (const r of [t.src, t.dst]) if (r.endpoint.kind === "workload") workloads.set(r.endpoint.labels.id, r);
    observed.add(`${t.src.endpoint.labels.id}|${t.dst.endpoint.labels.id}|${t.protocol}|${t.port}`);
    ports.add(`${t.protocol}|${t.port}`);
  }
  for (const p of PROBE_PORTS) ports.add(`6|${p}`);
  const list = [...workloads.values()];
  let candidates = 0;
  let denied = 0;
  for (const a of list) {
    for (const b of list) {
      if (a === b) continue;
      for (const pp of ports) {
        const [protocol, port] = pp.split("|");
        if (observed.has(`${a.endpoint.labels.id}|${b.endpoint.labels.id}|${pp}`)) continue;
        if (port === "53") continue; // DNS is allowed on purpose
        candidates++;
        const v = replayer.outcome(a, b, Number(protocol), port === "undefined" ? undefined : Number(port), undefined).evaluation.verdict;
        if (v === "deny") denied++;
      }
    }
  }
  return { candidates, denied, fraction: candidates === 0 ? 1 : denied / candidates };
}
