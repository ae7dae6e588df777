import type { FlowEndpointRef } from "./types.js";

/**
 * One end of a flow record in words. `workload` prefers the aggregated name (`ns/frontend-7d9c-*`: the workload
 * identity impact is aggregated by); `pod` prefers the exact pod name when the record has one.
 */
export function flowEndpointName(ref: FlowEndpointRef, prefer: "workload" | "pod"): string {
  switch (ref.type) {
    case "wep": {
      const name = prefer === "workload" ? (ref.nameAggr ?? ref.name) : (ref.name ?? ref.nameAggr);
      return `${ref.namespace ?? "?"}/${name ?? "?"}`;
    }
    case "ns":
      return ref.namespace ? `networkset ${ref.namespace}/${ref.name ?? ref.nameAggr}` : `globalnetworkset ${ref.name ?? ref.nameAggr}`;
    case "hep":
      return `hostendpoint ${ref.name ?? ref.nameAggr ?? ref.ip ?? "?"}`;
    case "net":
      return ref.ip ?? ref.nameAggr ?? "network";
  }
}
