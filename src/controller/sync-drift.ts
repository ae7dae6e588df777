import { SILENT_LOG, type Log } from "../contracts/index.js";
import type { CalicoModel, Resource } from "../policy/index.js";
import { desiredObjects, driftFindings, type DriftFinding, type Provenance } from "../reconcile/index.js";
import type { ClusterPort } from "./port.js";
import { observeCluster } from "./sync-observe.js";

/**
 * Drift, reported: what changed in the cluster behind Git's back since the last converged sync of `provenance`'s
 * commit (run it against that commit: an object absent then was deleted by hand). Each finding is a Warning Event
 * on the object ("Drift") and a log line naming the field; restoring Git's version is `runSync` of the same commit,
 * which the caller runs unless it is configured to report only.
 */
export interface DriftInput {
  resources: readonly Resource[];
  model: CalicoModel;
  provenance: Provenance;
  environment: string;
  log?: Log;
  eventNamespace?: string;
}

export async function detectDrift(port: ClusterPort, input: DriftInput): Promise<DriftFinding[]> {
  const log = input.log ?? SILENT_LOG;
  const observed = await observeCluster(port, input.resources);
  if ("problem" in observed) throw new Error(observed.problem);
  const findings = driftFindings(desiredObjects(input.resources, { model: input.model, provenance: input.provenance }), observed.objects);
  for (const f of findings) {
    const { ref } = f;
    log.warn({ drift: f.drift, environment: input.environment, commit: input.provenance.commit, kind: ref.kind, namespace: ref.namespace ?? null, name: ref.name, path: f.path ?? null, expected: f.expected, actual: f.actual }, f.message);
    await port.event({ regarding: ref, type: "Warning", reason: "Drift", message: f.message.slice(0, 1024), namespace: ref.namespace ?? input.eventNamespace ?? "default" });
  }
  return findings;
}
