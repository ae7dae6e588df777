import type { CoreV1Event } from "@kubernetes/client-node";
import { kindInfo } from "../../reconcile/index.js";
import type { ClusterEvent } from "../port.js";

/**
 * A core/v1 Event for one audit or drift record, named as kubectl names them (`<object>.<hex time>`), so records of
 * the same object sort by time and never collide within a millisecond's writes (the caller's counter breaks ties).
 */
export function eventName(objectName: string, now: number, sequence: number): string {
  const suffix = `${(now * 1000 + (sequence % 1000)).toString(16)}`;
  const base = objectName.toLowerCase().replace(/[^a-z0-9.-]/g, "-").slice(0, 253 - suffix.length - 1);
  return `${base}.${suffix}`;
}

export function buildEvent(e: ClusterEvent, now: number, sequence: number, source: { component: string; instance?: string }): CoreV1Event {
  const k = kindInfo(e.regarding.kind);
  const at = new Date(now);
  return {
    metadata: { name: eventName(e.regarding.name, now, sequence), namespace: e.namespace },
    involvedObject: { apiVersion: k.group ? `${k.group}/${k.version}` : k.version, kind: k.apiKind, name: e.regarding.name, namespace: e.regarding.namespace },
    reason: e.reason,
    message: e.message,
    type: e.type,
    source: { component: source.component },
    reportingComponent: source.component,
    reportingInstance: source.instance ?? source.component,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}
