import { describe, expect, test } from "@jest/globals";
import {
  ANNOTATIONS,
  clusterName,
  covers,
  fromClusterObject,
  MANAGED_LABEL,
  MAX_NAME_LENGTH,
  previewName,
  ROLE_LABEL,
  toClusterObject,
  uncoveredPath,
} from "../../src/reconcile/index.js";
import { DEFAULT_PROVENANCE, resources } from "./helpers.js";

const V31 = { model: "v3.31" as const, provenance: DEFAULT_PROVENANCE };
const V32 = { model: "v3.32" as const, provenance: DEFAULT_PROVENANCE };

const YAML = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-web
  namespace: shop
  labels: { team: web }
spec:
  tier: security
  order: 10
  selector: app == "web"
  ingress:
    - action: Allow
      source: { selector: app == "lb" }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: knp-web
  namespace: shop
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
    - from: [{ podSelector: {} }]
      ports: [{ port: 80 }]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-all
spec:
  selector: all()
  types: [Ingress]
`;

describe("desired objects", () => {
  test("plain API JSON with tierguard's marks, the spec as written, no positions", () => {
    const [np, knp, gnp] = resources(YAML);
    const o = toClusterObject(np, V32);
    expect(o.apiVersion).toBe("projectcalico.org/v3");
    expect(o.kind).toBe("NetworkPolicy");
    expect(o.metadata.name).toBe("allow-web");
    expect(o.metadata.namespace).toBe("shop");
    expect(o.metadata.labels).toEqual({ team: "web", [MANAGED_LABEL]: "tierguard", [ROLE_LABEL]: "enforced" });
    expect(o.metadata.annotations?.[ANNOTATIONS.commit]).toBe(DEFAULT_PROVENANCE.commit);
    expect(o.metadata.annotations?.[ANNOTATIONS.pullRequest]).toBe("7");
    expect(o.metadata.annotations?.[ANNOTATIONS.author]).toBe("alice");
    expect(o.metadata.annotations?.[ANNOTATIONS.time]).toBe(DEFAULT_PROVENANCE.time);
    expect(o.metadata.annotations?.[ANNOTATIONS.source]).toBe("policies.yaml");
    expect(o.spec).toEqual({ tier: "security", order: 10, selector: 'app == "web"', ingress: [{ action: "Allow", source: { selector: 'app == "lb"' } }] });
    expect(JSON.stringify(o)).not.toContain("source\":{\"source");
    const k = toClusterObject(knp, V32);
    expect([k.apiVersion, k.kind, k.metadata.annotations?.[ANNOTATIONS.source]]).toEqual(["networking.k8s.io/v1", "NetworkPolicy", "policies.yaml"]);
    // A Kubernetes peer's `from` is sent as `from` (the typed client would make it `_from` and drop it).
    expect((k.spec.ingress as Array<Record<string, unknown>>)[0].from).toEqual([{ podSelector: {} }]);
    expect(toClusterObject(gnp, V32).metadata.namespace).toBeUndefined();
  });

  test("the hash is deterministic and ignores provenance; a change of spec or labels changes it", () => {
    const [np] = resources(YAML);
    const a = toClusterObject(np, V32).metadata.annotations![ANNOTATIONS.hash];
    const b = toClusterObject(np, { ...V32, provenance: { commit: "f".repeat(40), time: "2030-01-01T00:00:00Z" } }).metadata.annotations![ANNOTATIONS.hash];
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b).toBe(a);
    const [changed] = resources(YAML.replace("order: 10", "order: 11"));
    const [relabelled] = resources(YAML.replace("team: web", "team: ops"));
    expect(toClusterObject(changed, V32).metadata.annotations![ANNOTATIONS.hash]).not.toBe(a);
    expect(toClusterObject(relabelled, V32).metadata.annotations![ANNOTATIONS.hash]).not.toBe(a);
  });
});

describe("name models", () => {
  const policy = (name: string, tier?: string, kind = "NetworkPolicy") => resources(`apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata: { name: ${name}, namespace: shop }\nspec: { ${tier ? `tier: ${tier}` : ""} }\n`)[0];
  test.each([
    // [name, tier, 3.31 name, 3.32 name]
    ["allow-web", "security", "security.allow-web", "allow-web"],
    ["security.allow-web", "security", "security.allow-web", "security.allow-web"],
    ["allow-web", undefined, "allow-web", "allow-web"],
    ["default.allow-web", "default", "default.allow-web", "default.allow-web"],
    ["other.allow-web", "security", "security.allow-web", "other.allow-web"],
    ["knp.default.x", "security", "knp.default.x", "knp.default.x"],
  ])("%s in tier %s: 3.31 %s, 3.32 %s", (name, tier, v31, v32) => {
    const r = policy(name, tier);
    expect(clusterName(r, "v3.31")).toBe(v31);
    expect(clusterName(r, "v3.32")).toBe(v32);
    expect(toClusterObject(r, V31).metadata.name).toBe(v31);
  });

  test("Kubernetes NetworkPolicies and tiers are never prefixed", () => {
    const [, knp] = resources(YAML);
    expect(clusterName(knp, "v3.31")).toBe("knp-web");
    const [tier] = resources("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: security }\nspec: { order: 1 }\n");
    expect(clusterName(tier, "v3.31")).toBe("security");
  });

  test("preview names: distinct per pull request, within 253 characters, no dot added, ends with a letter or digit", () => {
    expect(previewName("security.allow-web", 42)).toBe("security.allow-web-pr42");
    expect(previewName("allow-web", 42)).not.toBe(previewName("allow-web", 43));
    const long = "security." + "a".repeat(240) + "-x";
    const a = previewName(long, 12345);
    const b = previewName(long.replace(/x$/, "y"), 12345);
    expect(a.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(a).not.toBe(b);
    expect(a.split(".").length).toBe(2);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe("back from the cluster", () => {
  test("a live object becomes a Resource the engine evaluates (server fields ignored)", () => {
    const [np, knp] = resources(YAML);
    const live = toClusterObject(np, V31);
    Object.assign(live.metadata, { resourceVersion: "9", uid: "u" });
    const back = fromClusterObject(live)!;
    expect(back.kind).toBe("NetworkPolicy");
    expect(back.metadata.name).toBe("security.allow-web");
    expect(back.spec).toEqual(np.spec);
    expect(back.source.source.file).toBe("cluster:NetworkPolicy/shop/security.allow-web");
    const k = fromClusterObject(toClusterObject(knp, V32))!;
    expect(k.kind).toBe("KubernetesNetworkPolicy");
    expect(k.spec).toEqual(knp.spec);
  });
});

describe("covers", () => {
  test("server defaults are covered; a changed or missing field is named by its path", () => {
    const desired = { ingress: [{ ports: [{ port: 80 }], from: [{ podSelector: {} }] }] };
    const live = { ingress: [{ ports: [{ port: 80, protocol: "TCP" }], from: [{ podSelector: {} }] }], policyTypes: ["Ingress"] };
    expect(covers(live, desired)).toBe(true);
    expect(uncoveredPath({ ingress: [{ ports: [{ port: 81 }], from: [{}] }] }, desired, "spec")).toBe("spec.ingress[0].ports[0].port");
    expect(uncoveredPath({ ingress: [] }, desired, "spec")).toBe("spec.ingress");
    expect(uncoveredPath({ ingress: [{ ports: [{ port: "80" }], from: [{}] }] }, desired, "spec")).toBe("spec.ingress[0].ports[0].port");
  });
});
