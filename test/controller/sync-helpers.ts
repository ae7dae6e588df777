import { expect } from "@jest/globals";
import { runSync, type SyncInput, type SyncResult } from "../../src/controller/sync.js";
import type { ClusterObject } from "../../src/reconcile/index.js";
import { DEFAULT_PROVENANCE, resources } from "../reconcile/helpers.js";
import { MemoryCluster } from "../support/memory-cluster.js";

export interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg?: string;
}

/** A sync of `yaml` (the repository at a commit) into the cluster, with the log lines it wrote. */
export async function sync(cluster: MemoryCluster, yaml: string, opts: Partial<SyncInput> = {}): Promise<SyncResult & { lines: LogLine[] }> {
  const lines: LogLine[] = [];
  const rec = (level: string) => (obj: Record<string, unknown> | string, msg?: string) => void lines.push({ level, obj: typeof obj === "string" ? { msg: obj } : obj, msg });
  const result = await runSync(cluster.port(), {
    resources: resources(yaml),
    model: "v3.32",
    provenance: DEFAULT_PROVENANCE,
    environment: "prod",
    log: { info: rec("info"), warn: rec("warn"), error: rec("error") },
    ...opts,
  });
  return { ...result, lines };
}

const POLICY = /NetworkPolicy\//;

/**
 * No gap: every policy present in both the first and the last state is present in every state between; and every
 * enforced policy a staged twin stood for exists before the twin goes.
 */
export function expectNoGap(states: ReadonlyArray<Map<string, ClusterObject>>): void {
  const first = states[0];
  const last = states[states.length - 1];
  const kept = [...first.keys()].filter((k) => POLICY.test(k) && last.has(k));
  states.forEach((s, i) => {
    const missing = kept.filter((k) => !s.has(k));
    if (missing.length > 0) throw new Error(`state ${i} lacks ${missing.join(", ")}`);
  });
  for (let i = 1; i < states.length; i++) {
    for (const [key, o] of states[i - 1]) {
      if (states[i].has(key) || !o.kind.startsWith("Staged")) continue;
      const twin = o.metadata.annotations?.["tierguard.dev/previews"] ?? key.replace(/^Staged/, "");
      if (last.has(twin)) expect([key, states[i].has(twin)]).toEqual([key, true]);
    }
  }
}
