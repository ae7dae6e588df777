import { applyRuleset, readCounterValues } from "../../src/agent/apply.js";
import { compileRuleset, type Ruleset } from "../../src/dataplane/index.js";
import { counterHit } from "../../src/dataplane/counters.js";
import { evaluateFlow, formatHit, type EngineUniverse, type FlowEvaluation, type PolicySet } from "../../src/engine/index.js";
import type { Inventory } from "../../src/flows/index.js";
import { EndpointResolver } from "../../src/impact/resolve.js";
import type { Lab, LabPod } from "./lab.js";

/**
 * Probes through the kernel compared with the engine. The engine's verdict for each probe comes from the code
 * `tierguard simulate` runs for one record: EndpointResolver (inventory lookup by namespace and name) and
 * evaluateFlow.
 */
export interface LabMember {
  pod: LabPod;
  namespace: string;
  name: string;
  tcp: number[];
  udp: number[];
  /** The node itself (its own address): only ever a destination; the engine sees an external address. */
  external?: boolean;
}

export interface Probe {
  src: LabMember;
  dst: LabMember;
  proto: "tcp" | "udp";
  port: number;
}

export function allProbes(members: readonly LabMember[]): Probe[] {
  const out: Probe[] = [];
  for (const src of members) {
    // Traffic from the node to its pods is not policed (as Felix leaves it), so the node is never a source.
    if (src.external) continue;
    for (const dst of members) {
      if (src === dst) continue;
      for (const port of dst.tcp) out.push({ src, dst, proto: "tcp", port });
      for (const port of dst.udp) out.push({ src, dst, proto: "udp", port });
    }
  }
  return out;
}

/** `interfaces`: `namespace/name` → host-side interface, as the annotation gives them (CompileInput.interfaces). */
export function compileFor(set: PolicySet, universe: EngineUniverse, inventory: Inventory, members: readonly LabMember[], interfaces?: ReadonlyMap<string, string>): Ruleset {
  const r = compileRuleset({ policySet: set, universe, inventory, localPods: new Set(members.filter((m) => !m.external).map((m) => `${m.namespace}/${m.name}`)), interfaces });
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.refusals)}`);
  return r.ruleset;
}

/** Loads through the agent's apply path (nft -c, nft -f, conntrack clean-up), then flushes conntrack. */
export async function load(lab: Lab, ruleset: Ruleset, set: PolicySet): Promise<void> {
  const r = await applyRuleset(ruleset, set, { run: lab.run });
  if (!r.ok) throw new Error(`nft ${r.stage} failed: ${r.message}`);
  await lab.run("conntrack", ["-F"]);
}

export interface Comparison {
  probes: number;
  mismatches: string[];
  /** Pending trace hits per `direction|hit`: what the engine says and what the kernel counted. */
  expectedPending: Record<string, number>;
  countedPending: Record<string, number>;
  uncertain: string[];
}

export async function compare(lab: Lab, set: PolicySet, universe: EngineUniverse, inventory: Inventory, ruleset: Ruleset, probes: readonly Probe[]): Promise<Comparison> {
  const resolver = new EndpointResolver(universe, inventory);
  // Counters carried over from an earlier table (same rule, same name) are subtracted: only these probes count.
  const before = await readCounterValues(lab.run, ruleset.table);
  const model = set.version.model;
  const mismatches: string[] = [];
  const uncertain: string[] = [];
  const expectedPending: Record<string, number> = {};
  const bump = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);
  for (const p of probes) {
    const ev: FlowEvaluation = evaluateFlow(set, {
      src: resolver.resolve({ type: "wep", namespace: p.src.namespace, name: p.src.name, ip: p.src.pod.ip, labelsAggregated: false }).endpoint,
      dst: resolver.resolve(p.dst.external ? { type: "net", ip: p.dst.pod.ip, labelsAggregated: false } : { type: "wep", namespace: p.dst.namespace, name: p.dst.name, ip: p.dst.pod.ip, labelsAggregated: false }).endpoint,
      protocol: p.proto === "tcp" ? 6 : 17,
      dstPort: p.port,
    });
    uncertain.push(...ev.uncertain, ...ev.pendingUncertain);
    const kernel = await p.src.pod.cmd({ op: "probe", proto: p.proto, host: p.dst.pod.ip, port: p.port, timeout: 1.0 });
    const got = kernel === "allow" ? "allow" : "deny";
    if (got !== ev.verdict || kernel === "timeout") {
      mismatches.push(`${p.src.name} -> ${p.dst.name}:${p.port}/${p.proto}: kernel ${kernel}, engine ${ev.verdict} (${[...(ev.egress?.enforced.hits ?? []), ...(ev.ingress?.enforced.hits ?? [])].map((h, i) => formatHit(h, i, model)).join(" ")})`);
    }
    for (const side of [ev.egress, ev.ingress]) {
      if (!side) continue;
      // Every hit of the pending trace (Pass rules and Pass ends of tier too), each counted once per connection.
      for (const hit of side.pending.hits) bump(expectedPending, `${side.direction}|${formatHit(hit, 0, model)}`);
    }
  }
  const values = await readCounterValues(lab.run, ruleset.table);
  const countedPending: Record<string, number> = {};
  for (const c of ruleset.counters) {
    const hit = counterHit(c);
    const v = (values.get(c.name)?.packets ?? 0) - (before.get(c.name)?.packets ?? 0);
    if (c.mode !== "pending" || !hit || v === 0) continue;
    bump(countedPending, `${c.direction}|${formatHit(hit, 0, model)}`, v);
  }
  return { probes: probes.length, mismatches, expectedPending, countedPending, uncertain: [...new Set(uncertain)] };
}
