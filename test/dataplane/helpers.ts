import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "@jest/globals";
import { compileRuleset, INTERFACE_ANNOTATION, podInterfaces, podsOnNode, type CompileResult } from "../../src/dataplane/index.js";
import { EngineUniverse, PolicySet } from "../../src/engine/index.js";
import { parseInventory } from "../../src/flows/index.js";
import { parseCalicoVersion, type CalicoVersion } from "../../src/policy/version.js";
import { resources } from "../helpers/engine.js";

/** Small clusters for the dataplane compiler: pods on two nodes, namespaces, service accounts. */
export interface PodSpec {
  ns: string;
  name: string;
  ip: string;
  /** A second, IPv6 address (status.podIPs). */
  ip6?: string;
  node?: string;
  labels?: Record<string, string>;
  sa?: string;
  ports?: Array<{ name: string; port: number; protocol?: string }>;
  /** The host-side interface (annotation tierguard.dev/interface). */
  iface?: string;
}

export const NODE = "node-a";

export function inventoryDocs(
  pods: readonly PodSpec[],
  namespaces: Record<string, Record<string, string>>,
  serviceAccounts: Record<string, Record<string, string>> = {},
): unknown[] {
  const items: unknown[] = [];
  for (const [name, labels] of Object.entries(namespaces)) {
    items.push({ kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } } });
  }
  for (const [key, labels] of Object.entries(serviceAccounts)) {
    const [namespace, name] = key.split("/");
    items.push({ kind: "ServiceAccount", metadata: { namespace, name, labels } });
  }
  for (const p of pods) {
    items.push({
      kind: "Pod",
      metadata: { namespace: p.ns, name: p.name, labels: p.labels ?? {}, ...(p.iface !== undefined ? { annotations: { [INTERFACE_ANNOTATION]: p.iface } } : {}) },
      spec: {
        nodeName: p.node ?? NODE,
        serviceAccountName: p.sa ?? "default",
        containers: [{ name: "c", ports: (p.ports ?? []).map((x) => ({ name: x.name, containerPort: x.port, protocol: x.protocol ?? "TCP" })) }],
      },
      status: { phase: "Running", podIP: p.ip, podIPs: [{ ip: p.ip }, ...(p.ip6 ? [{ ip: p.ip6 }] : [])] },
    });
  }
  return [{ kind: "List", items }];
}

export interface Built {
  result: CompileResult;
  set: PolicySet;
  universe: EngineUniverse;
}

export function build(yaml: string, docs: unknown[], options: { version?: string; node?: string } = {}): Built {
  const universe = new EngineUniverse();
  const { inventory } = parseInventory(docs);
  const version = options.version ? (parseCalicoVersion(options.version) as CalicoVersion) : undefined;
  const set = new PolicySet(resources(yaml), {
    version,
    universe,
    namespaceLabels: new Map([...inventory.namespaces].map(([k, v]) => [k, v.labels])),
  });
  const node = options.node ?? NODE;
  const result = compileRuleset({ policySet: set, universe, inventory, localPods: podsOnNode(docs, node), interfaces: podInterfaces(docs, node) });
  return { result, set, universe };
}

/** The ruleset text, failing with the refusals if there are any. */
export function text(b: Built): string {
  if (!b.result.ok) throw new Error(`refused: ${JSON.stringify(b.result.refusals, null, 2)}`);
  return b.result.ruleset.text;
}

/** Compares with test/dataplane/golden/<name>.nft; `UPDATE_GOLDEN=1` rewrites the file. */
export function expectGolden(name: string, actual: string): void {
  const file = join("test", "dataplane", "golden", `${name}.nft`);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`${file} is missing: run the test with UPDATE_GOLDEN=1 and review the file`);
  expect(actual).toEqual(readFileSync(file, "utf8"));
}

/** The rules of one chain, found by a comment fragment of its first policy rule or its own comment. */
export function chainWithComment(nft: string, comment: string): string[] {
  const chains = nft.split("\n\tchain ").slice(1);
  const hit = chains.find((c) => c.split("\n")[1]?.includes(comment));
  if (!hit) throw new Error(`no chain commented ${comment}`);
  return hit.split("\n").slice(2).map((l) => l.trim()).filter((l) => l !== "}" && l !== "");
}
