import { CidrSet } from "./cidr-set.js";
import type { Ip } from "./ip.js";
import type { PolicySet } from "./policy-set.js";

/**
 * Addresses that no CIDR of a policy set tells apart are evaluated alike. The class of an address is the set of
 * CIDRs (rule nets and notNets, network sets) containing it, so a replay can memoise one evaluation per class
 * instead of one per address: thousands of distinct public IPs usually fall into a handful of classes.
 */
export class IpClassifier {
  private readonly index = new CidrSet<number>();
  private cache = new Map<string, string>();

  constructor(set: PolicySet, private readonly capacity = 100_000) {
    const ids = new Map<string, number>();
    const add = (c: { version: 4 | 6; base: bigint; prefix: number }) => {
      const key = `${c.version}/${c.base}/${c.prefix}`;
      if (ids.has(key)) return;
      ids.set(key, ids.size);
      this.index.add({ ...c, text: key, hostBitsSet: false }, ids.size - 1);
    };
    for (const p of set.policies) {
      for (const rule of [...p.ingress, ...p.egress]) {
        for (const e of [rule.source, rule.destination]) {
          for (const nets of [e.nets, e.notNets]) if (nets) for (const c of nets.cidrs) add(c);
        }
      }
    }
    for (const ns of set.networkSets) for (const c of ns.cidrs) add(c);
  }

  /** "" for an unknown address; otherwise the family and the ids of the containing CIDRs. */
  classOf(ip: Ip | undefined, text?: string): string {
    if (!ip) return "";
    const key = text ?? `${ip.version}:${ip.value}`;
    let cls = this.cache.get(key);
    if (cls === undefined) {
      const hits = this.index.size === 0 ? [] : this.index.lookup(ip);
      cls = `${ip.version}:${hits.sort((a, b) => a - b).join(",")}`;
      if (this.cache.size >= this.capacity) this.cache = new Map();
      this.cache.set(key, cls);
    }
    return cls;
  }
}
