import { describe, expect, test } from "@jest/globals";
import { PolicySet, type CompiledPolicies } from "../../src/engine/index.js";
import { DEFAULT_CALICO_VERSION, type Resource } from "../../src/policy/index.js";
import { StateEvaluator, DENY } from "../../src/reconcile/transitional-check.js";
import { buildClasses } from "../../src/reconcile/transitional-classes.js";
import { positions } from "../../src/reconcile/transitional-order.js";
import { Slots } from "../../src/reconcile/transitional-state.js";
import type { StateChange } from "../../src/reconcile/index.js";
import { change, create, fullVerdicts, one, order, pod, remove, tuple, universe } from "./transitional-helpers.js";

/**
 * The small policy sets agree with the engine on the whole state, at every prefix of any order; and whatever the
 * constraints, the chosen order keeps every one of them.
 */
const np = (name: string, body: string, ns = "shop") => one(`apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: ${ns} }\nspec:\n${body}`);
const gnp = (name: string, body: string) => one(`apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: { name: ${name} }\nspec:\n${body}`);
const tier = (name: string, n: number, action: string) => one(`apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: ${name} }\nspec: { order: ${n}, defaultAction: ${action} }\n`);

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A mixed scenario: tiers (one changing its default action), updates, a rename, egress and ingress, a network set. */
function scenario() {
  const web = pod("shop", "web-1", { app: "web" }, { ip: "10.0.0.1" });
  const api = pod("shop", "api-1", { app: "api" }, { ip: "10.0.0.5" });
  const peers = [0, 1, 2, 3].map((i) => pod(i < 2 ? "shop" : "ops", `peer-${i}`, { app: `peer-${i}`, team: i % 2 ? "a" : "b" }, { ip: `10.0.1.${i + 1}` }));
  const security = tier("security", 10, "Pass");
  const security2 = tier("security", 10, "Deny");
  const iso = gnp("isolate", "  tier: security\n  selector: app == 'web'\n  ingress:\n    - action: Pass\n      source: { selector: team == 'a' }\n    - action: Deny\n      source: { selector: team == 'b' }\n");
  const iso2 = gnp("isolate", "  tier: security\n  selector: app == 'web'\n  ingress:\n    - action: Pass\n      source: { namespaceSelector: all() }\n");
  const allowA = np("allow-a", "  selector: app == 'web'\n  ingress:\n    - action: Allow\n      source: { selector: team == 'a', namespaceSelector: all() }\n");
  const allowB = np("allow-b", "  selector: app == 'web'\n  ingress:\n    - action: Allow\n      source: { selector: team == 'b', namespaceSelector: all() }\n");
  const egress = np("egress", "  selector: has(team)\n  egress:\n    - action: Allow\n      destination: { selector: app == 'web' }\n");
  const egress2 = np("egress-2", "  selector: has(team)\n  egress:\n    - action: Allow\n      destination: { selector: \"app in {'web', 'api'}\" }\n");
  const current = [security, iso, allowA, egress];
  const changes: StateChange<Resource>[] = [change(security, security2), change(iso, iso2), create(allowB), remove(egress), create(egress2), remove(allowA), create(np("allow-a2", "  selector: app == 'web'\n  ingress:\n    - action: Allow\n      source: { selector: has(team), namespaceSelector: all() }\n"))];
  const tuples = [...peers.flatMap((p) => [tuple(p, web, 80), tuple(p, api, 80)]), tuple(web, api, 80)];
  return { current, changes, tuples };
}

describe("transitional check against the engine", () => {
  test("every class's verdict at every prefix of forty random orders equals the engine's on the whole state", () => {
    const { current, changes, tuples } = scenario();
    const slots = new Slots(current, changes);
    const compiled: CompiledPolicies = new WeakMap();
    const options = { version: DEFAULT_CALICO_VERSION, universe, compiled, budget: Infinity };
    const big = new PolicySet(slots.versions(), options);
    const evaluator = new StateEvaluator(slots, changes, options);
    const rand = rng(7);
    let compared = 0;
    let gaps = 0;
    for (let run = 0; run < 40; run++) {
      const sequence = shuffle(changes.map((_, i) => i), rand);
      const pos = positions(sequence);
      const full = changes.map((_, k) => fullVerdicts(current, changes, sequence, k, tuples));
      full.push(fullVerdicts(current, changes, sequence, changes.length, tuples));
      for (const cls of buildClasses(tuples, big, slots)) {
        const t = tuples.findIndex((x) => x.src === cls.src && x.dst === cls.dst && x.port === cls.facts.dstPort);
        const { writes, codes } = evaluator.timeline(cls, pos);
        // The class's j-th state is the whole state just after its j-th write (before any later write of its own).
        const prefixes = [0, ...writes.map((w) => pos[w] + 1)];
        prefixes.forEach((k, j) => {
          const who = `${cls.src.endpoint.name} -> ${cls.dst.endpoint.name}, order ${sequence.join(",")}, after ${k} writes`;
          expect([who, codes[j] & DENY ? "deny" : "allow"]).toEqual([who, full[k][t]]);
          compared++;
        });
        if (evaluator.gap(cls, pos)) gaps++;
      }
    }
    expect(gaps).toBeGreaterThan(0);
    expect(compared).toBeGreaterThan(500);
  });

  test("policy sets sharing a compiled-policy cache order their policies as sets built alone, and never disturb each other", () => {
    const ps = ["c", "a", "b"].map((n, i) => np(n, `  selector: app == 'web'\n  order: ${i % 2}\n  ingress:\n    - action: Allow\n`));
    const compiled: CompiledPolicies = new WeakMap();
    const seqs = (set: PolicySet) => set.policies.map((p) => `${p.ref.name}@${p.seq}`);
    const a = new PolicySet(ps, { universe, compiled });
    const before = seqs(a);
    const b = new PolicySet([ps[2], ps[1]], { universe, compiled });
    expect(seqs(b)).toEqual(seqs(new PolicySet([ps[2], ps[1]], { universe })));
    expect(seqs(a)).toEqual(before);
    expect(b.policies[0].selector).toBe(a.policies.find((p) => p.ref.name === b.policies[0].ref.name)!.selector);
  });

  test("random constraints consistent with the default order: the chosen order keeps all of them and is a permutation", () => {
    const { current, changes, tuples } = scenario();
    const rand = rng(11);
    for (let run = 0; run < 25; run++) {
      const constraints: Array<[number, number]> = [];
      for (let k = 0; k < 4; k++) {
        const a = Math.floor(rand() * changes.length);
        const b = Math.floor(rand() * changes.length);
        if (a < b) constraints.push([a, b]);
      }
      const result = order(current, tuples, changes, constraints);
      expect([...result.order].sort((x, y) => x - y)).toEqual(changes.map((_, i) => i));
      for (const [a, b] of constraints) expect([run, a, b, result.order.indexOf(a) < result.order.indexOf(b)]).toEqual([run, a, b, true]);
      if (!result.safe) expect(result.transitional.length).toBeGreaterThan(0);
    }
  });
});
