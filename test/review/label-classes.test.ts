import { describe, expect, test } from "@jest/globals";
import type { LabelSet } from "../../src/engine/index.js";
import { analyseGuardrails } from "../../src/review/guardrails/index.js";
import { IntervalSet } from "../../src/review/guardrails/intervals.js";
import { KnownEndpoints, matchesKnown, type KnownEndpoint } from "../../src/review/guardrails/known.js";
import { lintCheck } from "../../src/review/lint/index.js";
import type { ReviewContext } from "../../src/review/context.js";
import type { Finding } from "../../src/review/types.js";
import { evaluateNode, parseSelector, type Labels, type SelectorNode } from "../../src/selector/index.js";
import { reviewContext } from "../helpers/review.js";
import { inventoryYaml, type PodFixture } from "./policy-tests/fixtures.js";
import { CONFIG, gnp, np, TIERS } from "./guardrails/world.js";

/**
 * Guard rails and lint ask their questions about known workloads once per label set (an equivalence class: the
 * replicas of a workload share their labels), not once per pod. The answers must be those the per-pod questions
 * gave: the class answers equal the per-endpoint ones on generated endpoints and pieces, and a review whose
 * workloads have forty replicas each gives the findings of the same review with one replica each, reading the
 * labels exactly as often.
 */

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("known endpoints grouped by label set", () => {
  const nodes: SelectorNode[] = ["app == 'web'", "has(tier)", "tier in {'a', 'b'}", "!has(app)", "app != 'api' && tier == 'a'", "all()"].map((s) => parseSelector(s).root);
  const values = { app: ["web", "api", undefined], tier: ["a", "b", "c", undefined] };

  test("a class answers as any of its endpoints would (generated endpoints, pieces and address sets)", () => {
    const rand = rng(17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    // Equal label sets are one object, as the engine interns them.
    const interned = new Map<string, Labels>();
    const labelsOf = (app: string | undefined, tier: string | undefined): Labels => {
      const key = `${app}/${tier}`;
      let l = interned.get(key);
      if (!l) interned.set(key, (l = { get: (k) => (k === "app" ? app : k === "tier" ? tier : undefined) }));
      return l;
    };
    const range = (lo: number, width: number) => IntervalSet.range(BigInt(lo), BigInt(lo + width));
    let checked = 0;
    for (let round = 0; round < 40; round++) {
      const endpoints: KnownEndpoint[] = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => {
        const r = rand();
        const ip = r < 0.6 ? { version: 4 as const, value: BigInt(Math.floor(rand() * 64)) } : r < 0.8 ? { version: 6 as const, value: BigInt(Math.floor(rand() * 64)) } : undefined;
        return { labels: labelsOf(pick(values.app), pick(values.tier)), ip };
      });
      const known = new KnownEndpoints(endpoints);
      expect(known.classes.length).toBe(new Set(endpoints.map((e) => e.labels)).size);
      for (let q = 0; q < 50; q++) {
        const conj = Array.from({ length: Math.floor(rand() * 3) }, () => pick(nodes));
        const net = range(Math.floor(rand() * 64), Math.floor(rand() * 20));
        const pods = pick([undefined, IntervalSet.EMPTY, range(0, 10), range(40, 30)]);
        const family = pick([4, 6] as const);
        const perEndpoint = endpoints.map((w) => matchesKnown(w, conj, net, family, pods));
        expect(known.inPiece(conj, net, family, pods)).toBe(perEndpoint.some(Boolean));
        expect(endpoints.map((_, i) => known.endpointInPiece(i, conj, net, family, pods))).toEqual(perEndpoint);
        const extra = pick(nodes);
        const answer = known.answer(extra);
        expect(known.some(conj, (_, i) => answer[i] === 0)).toBe(endpoints.some((w) => conj.every((n) => labelMatch(n, w.labels)) && !labelMatch(extra, w.labels)));
        checked++;
      }
    }
    expect(checked).toBe(2000);
  });

  test("a node's answer on each class is evaluateNode's on its labels, for every operator and nesting", () => {
    const rand = rng(29);
    const words = ["web", "api", "web-canary", "db", undefined];
    const selectors = [
      "all()",
      "global()",
      "has(app)",
      "!has(tier)",
      "app == 'web'",
      "app != 'web'",
      "app contains 'web'",
      "app starts with 'we'",
      "app ends with 'canary'",
      "tier in {'web', 'db'}",
      "tier not in {'api'}",
      "app == 'web' || tier == 'db'",
      "!(app == 'api' && has(tier))",
      "(app in {'web', 'db'} || !has(app)) && tier != 'web'",
    ];
    const nodes = selectors.map((s) => parseSelector(s).root);
    const labels: Labels[] = Array.from({ length: 60 }, () => {
      const map = new Map<string, string>();
      for (const key of ["app", "tier"]) {
        const v = words[Math.floor(rand() * words.length)];
        if (v !== undefined) map.set(key, v);
      }
      return map;
    });
    const known = new KnownEndpoints(labels.map((l) => ({ labels: l })));
    expect(known.classes.length).toBe(60);
    for (const [i, node] of nodes.entries()) {
      const expected = known.classes.map((c) => (evaluateNode(node, c.labels) ? 1 : 0));
      expect([selectors[i], [...known.answer(node)]]).toEqual([selectors[i], expected]);
      expect(new Set(expected).size).toBeGreaterThan(selectors[i].endsWith("()") ? 0 : 1); // both answers occur
    }
  });
});

function labelMatch(node: SelectorNode, labels: Labels): boolean {
  return new KnownEndpoints([{ labels }]).answer(node)[0] === 1;
}

// ---- a review whose workloads have many replicas ------------------------------------------------------------

/** shop/web (named port http), shop/api, shop/db and CoreDNS, each with `replicas` pods at their own addresses. */
function inventory(replicas: number): string {
  const apps: Array<Omit<PodFixture, "name" | "ip"> & { app: string }> = [
    { app: "web", ns: "shop", labels: { app: "web", tier: "front" }, ports: [{ name: "http", port: 8080 }] },
    { app: "api", ns: "shop", labels: { app: "api", tier: "back" } },
    { app: "db", ns: "shop", labels: { app: "db", tier: "data", build: "release-2024-candidate-7" } },
    { app: "coredns", ns: "kube-system", labels: { "k8s-app": "kube-dns" }, sa: "coredns" },
  ];
  const pods: PodFixture[] = [];
  apps.forEach((a, i) => {
    for (let r = 0; r < replicas; r++) pods.push({ ns: a.ns, name: `${a.app}-${r}`, labels: a.labels, ip: `10.1.${i}.${r + 1}`, ports: a.ports, sa: a.sa });
  });
  return inventoryYaml(pods);
}

const SECURITY = gnp("deny-telnet", "security", 10, `  selector: all()
  types: [Ingress]
  ingress:
    - action: Deny
      protocol: TCP
      destination: { ports: [23, 8080] }
    - action: Deny
      source: { selector: quarantine == 'true' }
`);

// The change: web takes callers on its named port (resolved through the known pods), api on a port security denies
// for part of its callers, db behind a selector the exact reasoning cannot compare (decided from known workloads),
// and a default deny for egress in the application tier that forgets DNS.
const CHANGE = {
  "app/web.yaml": np("web", "shop", "application", 10, `  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: tier == 'back' }
      destination: { ports: [http] }
`),
  "app/api.yaml": np("api", "shop", "application", 20, `  selector: app == 'api'
  types: [Ingress, Egress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [23, 9000] }
    - action: Allow
      protocol: TCP
      source: { selector: app == 'web' }
      destination: { ports: [9000] }
  egress:
    - action: Allow
      protocol: TCP
      destination: { selector: app == 'db', ports: [5432] }
`),
  "app/db.yaml": np("db", "shop", "application", 30, `  selector: build contains 'candidate' && build starts with 'release-2024'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: tier == 'back' }
      destination: { ports: [5432] }
`),
};

const NOW = new Date("2025-07-03T12:00:00Z");

/** Counts every read of the workloads' label sets: label lookups and memoised selector answers. */
function countReads(ctx: ReviewContext): { reads: number } {
  const counter = { reads: 0 };
  for (const labels of new Set(ctx.workloads.map((w) => w.endpoint.labels as LabelSet))) {
    const get = labels.get.bind(labels);
    labels.get = (k: string) => (counter.reads++, get(k));
    const memoGet = labels.memo.get.bind(labels.memo);
    labels.memo.get = (k: number) => (counter.reads++, memoGet(k));
  }
  return counter;
}

/** The pod count a fallback note states is the one thing replicas change. */
const sameWords = (f: Finding) => ({ ...f, message: f.message.replace(/the \d+ workloads known/g, "the N workloads known") });

function review(replicas: number): { findings: Finding[]; reads: number } {
  const base = { "tiers.yaml": TIERS, "sec.yaml": SECURITY };
  const ctx = reviewContext({ base, head: { ...base, ...CHANGE }, config: CONFIG, inventory: inventory(replicas) });
  const counter = countReads(ctx);
  const findings = [...analyseGuardrails(ctx).findings, ...lintCheck({ now: NOW })(ctx)];
  return { findings: findings.map(sameWords), reads: counter.reads };
}

describe("a review of workloads with many replicas", () => {
  test("forty replicas each: the findings of one replica each, from the same number of label reads", () => {
    const one = review(1);
    const forty = review(40);
    // The world exercises what the classes serve: a named port resolved through known pods, a fallback to known
    // workloads, a rule partly shadowed by a higher tier, and lint's per-workload probes.
    const codes = one.findings.map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(["guardrail/partially-shadowed", "lint/default-deny-blocks-dns"]));
    expect(one.findings.some((f) => f.message.includes("named port \"http\" (8080"))).toBe(true);
    expect(one.findings.some((f) => f.message.includes("decided from the N workloads known"))).toBe(true);
    expect(forty.findings).toEqual(one.findings);
    expect(one.reads).toBeGreaterThan(0);
    expect(forty.reads).toBe(one.reads);
  });
});
