import { EMPTY_LABELS, evaluateFlow, formatIp, parseIp, type Endpoint, type FlowEvaluation, type PolicySet } from "../engine/index.js";
import type { Ruleset } from "./compile.js";

/**
 * The engine's verdict for a connection known only by addresses (a conntrack entry): each address is the workload
 * the ruleset knows by it, else an external address (network sets still match it by CIDR). Used to decide which
 * established connections a new ruleset denies.
 */
export class AddressVerdicts {
  private readonly byIp = new Map<string, Endpoint>();
  private readonly local = new Set<string>();

  constructor(
    private readonly set: PolicySet,
    ruleset: Pick<Ruleset, "endpoints" | "local">,
  ) {
    for (const e of ruleset.endpoints) for (const ip of e.ips) this.byIp.set(formatIp(ip), e.endpoint);
    for (const l of ruleset.local) for (const ip of l.ips) this.local.add(ip);
  }

  /** True when the address is a local endpoint's: only those connections are this node's to judge. */
  isLocal(ip: string): boolean {
    const parsed = parseIp(ip);
    return parsed !== undefined && this.local.has(formatIp(parsed));
  }

  evaluate(src: string, dst: string, protocol: number, dstPort?: number): FlowEvaluation | undefined {
    const s = this.endpoint(src);
    const d = this.endpoint(dst);
    if (!s || !d) return undefined;
    return evaluateFlow(this.set, { src: s, dst: d, protocol, dstPort });
  }

  private endpoint(text: string): Endpoint | undefined {
    const ip = parseIp(text);
    if (!ip) return undefined;
    return this.byIp.get(formatIp(ip)) ?? { kind: "external", name: text, labels: EMPTY_LABELS, ip };
  }
}
