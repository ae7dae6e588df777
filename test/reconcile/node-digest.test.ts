import { describe, expect, test } from "@jest/globals";
import { NODE_APPLIED_AT_ANNOTATION, NODE_POLICY_DIGEST_ANNOTATION, NODE_RULESET_HASH_ANNOTATION } from "../../src/contracts/index.js";
import { desiredObjects, nodeProgramming, policyDigest, type ClusterObject, type NodeMarks } from "../../src/reconcile/index.js";
import { DEFAULT_PROVENANCE, manyPolicies, resources } from "./helpers.js";

/**
 * The one digest both the agent and the controller compute (src/reconcile/node-digest.ts), and the comparison of
 * the nodes' reports with it: order and unmanaged objects do not matter; identity and spec hash do.
 */
const objects = (): ClusterObject[] => desiredObjects(resources(manyPolicies(["a", "b", "c"])), { model: "v3.32", provenance: DEFAULT_PROVENANCE }).map((d) => d.object);
/** What an informer delivers: the server's own metadata too (resourceVersion, uid), kind and apiVersion set. */
const asServed = (o: ClusterObject, i: number) => ({ ...structuredClone(o), metadata: { ...structuredClone(o.metadata), resourceVersion: String(100 + i), uid: `u-${i}` } });

describe("policyDigest", () => {
  test("equal for the same objects in any order, and with the server's metadata added", () => {
    const objs = objects();
    expect(objs.length).toBe(4); // the tier and three policies
    const reversed = [...objs].reverse().map(asServed);
    expect(policyDigest(reversed)).toBe(policyDigest(objs));
    expect(policyDigest(objs)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test("an unmanaged object, or a managed one without a spec hash, does not change it", () => {
    const objs = objects();
    const unmanaged = { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "theirs", namespace: "shop", annotations: { "tierguard.dev/spec-hash": "sha256:x" } } };
    const noHash = { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "odd", namespace: "shop", labels: { "app.kubernetes.io/managed-by": "tierguard" } } };
    const otherManager = { ...unmanaged, metadata: { ...unmanaged.metadata, labels: { "app.kubernetes.io/managed-by": "argocd" } } };
    expect(policyDigest([unmanaged, ...objs, noHash, otherManager])).toBe(policyDigest(objs));
  });

  test("identity, spec hash and the spec held count: a changed hash, namespace, name, API group or spec changes it", () => {
    const base = policyDigest(objects());
    const change = (f: (o: ClusterObject) => void) => {
      const objs = objects();
      f(objs[1]);
      return policyDigest(objs);
    };
    const variants = [
      change((o) => (o.metadata.annotations!["tierguard.dev/spec-hash"] = "sha256:other")),
      change((o) => (o.metadata.namespace = "web")),
      change((o) => (o.metadata.name = "renamed")),
      change((o) => (o.apiVersion = "networking.k8s.io/v1")),
      // A hand edit not yet restored (drift): the same spec-hash annotation, another spec.
      change((o) => ((o.spec as { order: number }).order = 11)),
      policyDigest(objects().slice(0, 3)),
    ];
    expect(new Set([base, ...variants]).size).toBe(7);
    // Key order is the server's business, not the digest's.
    expect(change((o) => (o.spec = Object.fromEntries(Object.entries(o.spec).reverse())))).toBe(base);
  });
});

const node = (name: string, annotations?: Record<string, string>): NodeMarks => ({ name, ...(annotations ? { annotations } : {}) });
const reports = (digest: string, at = "2026-12-03T11:59:00.000Z") => ({ [NODE_RULESET_HASH_ANNOTATION]: "abc", [NODE_POLICY_DIGEST_ANNOTATION]: digest, [NODE_APPLIED_AT_ANNOTATION]: at });

describe("nodeProgramming", () => {
  const expected = "sha256:" + "e".repeat(64);
  const since = Date.UTC(2026, 11, 3, 12);

  test("matching, stale and missing annotations: programmed, waiting (with how long) and not reported", () => {
    const p = nodeProgramming([node("node-c"), node("node-b", reports("sha256:old")), node("node-a", reports(expected)), node("node-d", { [NODE_RULESET_HASH_ANNOTATION]: "abc" })], expected, { since, now: since + 42_000 });
    expect(p).toMatchObject({ state: "waiting", reporting: 3, programmed: ["node-a"], notReported: ["node-c"], waitingSeconds: 42 });
    expect(p.waiting).toEqual([
      { name: "node-b", digest: "sha256:old", appliedAt: "2026-12-03T11:59:00.000Z" },
      // An agent that reports a ruleset hash but no digest (older than the controller) is waited for, never programmed.
      { name: "node-d", digest: null, appliedAt: null },
    ]);
    expect(p.summary).toBe("waiting on 2 of 3 nodes (node-b, node-d) for 42 s; 1 node(s) not reported");
  });

  test("every reporting node matches: programmed on every node (N/N)", () => {
    const p = nodeProgramming([node("b", reports(expected)), node("a", reports(expected))], expected);
    expect([p.state, p.summary, p.programmed]).toEqual(["programmed", "programmed on every node (2/2)", ["a", "b"]]);
  });

  test("no node carries an agent annotation (Felix enforces): state none, nothing waited for", () => {
    const p = nodeProgramming([node("a"), node("b", { "node.alpha.kubernetes.io/ttl": "0" })], expected);
    expect([p.state, p.reporting, p.waiting, p.notReported]).toEqual(["none", 0, [], ["a", "b"]]);
  });

  test("a long wait names the first three nodes and counts the rest", () => {
    const nodes = Array.from({ length: 7 }, (_, i) => node(`n${i}`, reports("sha256:old")));
    expect(nodeProgramming(nodes, expected).summary).toBe("waiting on 7 of 7 nodes (n0, n1, n2 and 4 more)");
  });
});
