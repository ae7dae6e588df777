import { describe, expect, test } from "@jest/globals";
import { formatPolicyHit, parseGoldmaneRecord, type FlowRecord } from "../../src/flows/index.js";

/**
 * A `FlowResult` as `grpcurl -plaintext -d '{}' goldmane:7443 goldmane.Flows/Stream` prints it: lowerCamelCase
 * names (but `Key`, which the proto declares capitalised), enum names, int64 as strings, zero values omitted.
 */
const GRPCURL_FLOW = {
  id: "1873",
  flow: {
    Key: {
      sourceName: "frontend-7d9c5b8f4-*",
      sourceNamespace: "shop",
      sourceType: "WorkloadEndpoint",
      destName: "api-5c6d7e8f9-*",
      destNamespace: "shop",
      destType: "WorkloadEndpoint",
      destPort: "8080",
      destServiceName: "api",
      destServiceNamespace: "shop",
      destServicePortName: "http",
      destServicePort: "80",
      proto: "tcp",
      reporter: "Dst",
      action: "Allow",
      policies: {
        enforcedPolicies: [
          { kind: "GlobalNetworkPolicy", name: "platform-guard", tier: "platform", action: "Pass", ruleIndex: "2" },
          { kind: "CalicoNetworkPolicy", namespace: "shop", name: "api-ingress", tier: "default", action: "Allow", policyIndex: "1" },
        ],
        pendingPolicies: [
          { kind: "GlobalNetworkPolicy", name: "platform-guard", tier: "platform", action: "Pass", ruleIndex: "2" },
          {
            kind: "EndOfTier", tier: "default", action: "Deny", policyIndex: "1", ruleIndex: "-1",
            trigger: { kind: "StagedNetworkPolicy", namespace: "shop", name: "api-lockdown", tier: "default" },
          },
        ],
      },
    },
    startTime: "1718000000",
    endTime: "1718000015",
    sourceLabels: ["app=frontend", "pod-template-hash=7d9c5b8f4"],
    destLabels: ["app=api"],
    packetsIn: "12",
    packetsOut: "10",
    bytesIn: "2048",
    bytesOut: "4096",
    numConnectionsStarted: "3",
    numConnectionsCompleted: "2",
    numConnectionsLive: "1",
  },
};

/** The same message with proto field names (protojson UseProtoNames), numbers as numbers: a denied external flow. */
const SNAKE_FLOW = {
  Key: {
    source_name: "pub",
    source_type: "Network",
    dest_name: "postgres-*",
    dest_namespace: "data",
    dest_type: "WorkloadEndpoint",
    dest_port: 5432,
    proto: "tcp",
    reporter: "Dst",
    action: "Deny",
    policies: {
      enforced_policies: [
        {
          kind: "EndOfTier", tier: "default", action: "Deny", rule_index: -1,
          trigger: { kind: "CalicoNetworkPolicy", namespace: "data", name: "postgres-ingress", tier: "default" },
        },
      ],
    },
  },
  start_time: 1718000015,
  end_time: 1718000030,
  dest_labels: ["app=postgres"],
  packets_in: 3,
  bytes_in: 180,
};

describe("parseGoldmaneRecord", () => {
  test("reads a grpcurl FlowResult (camelCase, int64 strings, EndOfTier with a trigger)", () => {
    const expected: FlowRecord = {
      format: "goldmane",
      line: 2,
      src: {
        type: "wep", namespace: "shop", nameAggr: "frontend-7d9c5b8f4-*",
        labels: { app: "frontend", "pod-template-hash": "7d9c5b8f4" }, labelsAggregated: true,
      },
      dst: { type: "wep", namespace: "shop", nameAggr: "api-5c6d7e8f9-*", port: 8080, labels: { app: "api" }, labelsAggregated: true },
      protocol: "tcp",
      dstPort: 8080,
      reporter: "dst",
      action: "allow",
      policies: {
        enforced: ["0|platform|gnp:platform-guard|pass|2", "1|default|np:shop/api-ingress|allow|0"],
        pending: ["0|platform|gnp:platform-guard|pass|2", "1|default|snp:shop/api-lockdown|deny|-1"],
      },
      numFlows: 3,
      bytes: 6144,
      packets: 22,
      startTime: 1718000000,
      endTime: 1718000015,
      service: { name: "api", namespace: "shop", port: 80, portName: "http" },
    };
    expect(parseGoldmaneRecord(GRPCURL_FLOW, 2)).toEqual({ record: expected, diagnostics: [] });
  });

  test("reads snake_case proto names; omitted lists and counters are empty and zero", () => {
    const expected: FlowRecord = {
      format: "goldmane",
      line: 3,
      src: { type: "net", nameAggr: "pub", labels: {}, labelsAggregated: false },
      dst: { type: "wep", namespace: "data", nameAggr: "postgres-*", port: 5432, labels: { app: "postgres" }, labelsAggregated: true },
      protocol: "tcp",
      dstPort: 5432,
      reporter: "dst",
      action: "deny",
      policies: { enforced: ["0|default|np:data/postgres-ingress|deny|-1"], pending: [] },
      numFlows: 1,
      bytes: 180,
      packets: 3,
      startTime: 1718000015,
      endTime: 1718000030,
    };
    expect(parseGoldmaneRecord(SNAKE_FLOW, 3)).toEqual({ record: expected, diagnostics: [] });
  });

  test.each([
    ["a lower-case key", { key: SNAKE_FLOW.Key }, { action: "deny" }],
    ["enum numbers", { Key: { ...SNAKE_FLOW.Key, source_type: 3, source_name: "blocklist", reporter: 1, action: 1 } },
      { reporter: "src", action: "allow", src: { type: "ns", name: "blocklist", nameAggr: "blocklist", labels: {}, labelsAggregated: false } }],
    ["a bare pod name is exact", { Key: { ...SNAKE_FLOW.Key, dest_name: "debug" } },
      { dst: { type: "wep", namespace: "data", name: "debug", nameAggr: "debug", port: 5432, labels: {}, labelsAggregated: false } }],
    ["early builds' string types", { Key: { ...SNAKE_FLOW.Key, source_type: "pvt", source_name: undefined, dest_type: "hep", dest_name: "node-1" } },
      { src: { type: "net", nameAggr: "pvt", labels: {}, labelsAggregated: false }, dst: { type: "hep", namespace: "data", name: "node-1", nameAggr: "node-1", port: 5432, labels: {}, labelsAggregated: false } }],
    ["no reporter or action", { Key: { ...SNAKE_FLOW.Key, reporter: "ReporterUnspecified", action: undefined, policies: undefined } },
      { reporter: undefined, action: undefined, policies: undefined }],
  ])("lenient: %s", (_name, flow, expected) => {
    const { record, diagnostics } = parseGoldmaneRecord(flow, 1);
    expect(diagnostics).toEqual([]);
    for (const [k, v] of Object.entries(expected)) {
      if (v === undefined) expect(record).not.toHaveProperty(k);
      else expect(record).toHaveProperty(k, v);
    }
  });

  const key = (patch: Record<string, unknown>): unknown => ({ ...SNAKE_FLOW, Key: { ...SNAKE_FLOW.Key, ...patch } });
  test.each([
    ["a flow with no Key", { start_time: 1 }, "flows/missing-endpoint"],
    ["an unspecified source type", key({ source_type: "EndpointTypeUnspecified" }), "flows/missing-endpoint"],
    ["a pod with neither name nor namespace", key({ dest_name: "", dest_namespace: "" }), "flows/missing-endpoint"],
    ["an unknown endpoint type", key({ dest_type: "Pod" }), "flows/bad-endpoint-type"],
    ["no proto", key({ proto: undefined }), "flows/bad-protocol"],
    ["a nonsense proto", key({ proto: "http" }), "flows/bad-protocol"],
    ["a port as words", key({ dest_port: "postgres" }), "flows/bad-port"],
    ["a service port over 65535", key({ dest_service_port: "99999" }), "flows/bad-port"],
    ["a reporter that is no end", key({ reporter: "Both" }), "flows/bad-reporter"],
    ["Pass as a flow's verdict", key({ action: "Pass" }), "flows/bad-action"],
    ["labels that are not k=v", { ...SNAKE_FLOW, dest_labels: ["postgres"] }, "flows/bad-labels"],
    ["labels as a map", { ...SNAKE_FLOW, source_labels: { app: "x" } }, "flows/bad-labels"],
    ["an int64 that is not one", { ...SNAKE_FLOW, bytes_out: "12kB" }, "flows/bad-number"],
    ["policies as a list", key({ policies: [] }), "flows/bad-field"],
    ["a hit of an unknown kind", key({ policies: { pending_policies: [{ kind: "Firewall", name: "x", tier: "t", action: "Deny" }] } }), "flows/bad-policy-hit"],
  ])("rejects %s", (_name, flow, code) => {
    const result = parseGoldmaneRecord(flow, 17);
    expect(result.record).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.line])).toEqual([[code, 17]]);
  });

  test("a non-object is reported as such", () => {
    expect(parseGoldmaneRecord(["x"], 4).diagnostics).toEqual([
      { code: "flows/not-an-object", line: 4, message: 'expected a Goldmane Flow object, found ["x"]' },
    ]);
  });
});

describe("formatPolicyHit (v3.32 policy strings)", () => {
  const hit = (h: Record<string, unknown>) => ({ tier: "default", action: "Allow", name: "p", ...h });
  test.each([
    ["CalicoNetworkPolicy", hit({ kind: "CalicoNetworkPolicy", namespace: "ns1" }), "0|default|np:ns1/p|allow|0"],
    ["GlobalNetworkPolicy", hit({ kind: "GlobalNetworkPolicy", tier: "security", policyIndex: "3", ruleIndex: "1" }), "3|security|gnp:p|allow|1"],
    ["StagedNetworkPolicy", hit({ kind: "StagedNetworkPolicy", namespace: "ns1", action: "Deny" }), "0|default|snp:ns1/p|deny|0"],
    ["StagedGlobalNetworkPolicy", hit({ kind: "StagedGlobalNetworkPolicy", action: "Pass" }), "0|default|sgnp:p|pass|0"],
    ["StagedKubernetesNetworkPolicy", hit({ kind: "StagedKubernetesNetworkPolicy", namespace: "ns1" }), "0|default|sknp:ns1/p|allow|0"],
    ["NetworkPolicy is the Kubernetes kind", hit({ kind: "NetworkPolicy", namespace: "ns1" }), "0|default|knp:ns1/p|allow|0"],
    ["AdminNetworkPolicy (v3.30 name)", hit({ kind: "AdminNetworkPolicy", tier: "adminnetworkpolicy" }), "0|adminnetworkpolicy|kcnp:p|allow|0"],
    ["ClusterNetworkPolicy", hit({ kind: "ClusterNetworkPolicy", tier: "kube-baseline" }), "0|kube-baseline|kcnp:p|allow|0"],
    ["Profile", hit({ kind: "Profile", name: "kns.shop", tier: "" }), "0|__PROFILE__|pro:kns.shop|allow|0"],
    ["enum numbers", hit({ kind: 1, namespace: "ns1", action: 2, policy_index: 4 }), "4|default|np:ns1/p|deny|0"],
    ["EndOfTier names its trigger", { kind: "EndOfTier", tier: "t1", action: "Deny", policyIndex: "2", ruleIndex: "-1",
      trigger: { kind: "GlobalNetworkPolicy", name: "g", tier: "t1" } }, "2|t1|gnp:g|deny|-1"],
    ["EndOfTier takes the trigger's tier when it has none", { kind: 10, action: "Pass", ruleIndex: -1,
      trigger: { kind: "CalicoNetworkPolicy", namespace: "a", name: "b", tier: "t2" } }, "0|t2|np:a/b|pass|-1"],
  ])("%s", (_name, raw, text) => {
    expect(formatPolicyHit(raw)).toEqual({ text });
  });

  test.each([
    ["no kind", { name: "p", tier: "t", action: "Allow" }, "kind nothing is not a PolicyKind"],
    ["KindUnspecified", { kind: "KindUnspecified", name: "p", tier: "t", action: "Allow" }, 'kind "KindUnspecified" is not a PolicyKind'],
    ["no action", { kind: "GlobalNetworkPolicy", name: "p", tier: "t" }, "action nothing is not Allow, Deny or Pass"],
    ["no name", { kind: "GlobalNetworkPolicy", tier: "t", action: "Allow" }, "name nothing is not a policy name"],
    ["no tier", { kind: "GlobalNetworkPolicy", name: "p", action: "Allow" }, "tier nothing is not a tier name"],
    ["a fractional index", { kind: "GlobalNetworkPolicy", name: "p", tier: "t", action: "Allow", ruleIndex: 1.5 }, "rule_index 1.5 is not an integer"],
    ["EndOfTier without a trigger", { kind: "EndOfTier", tier: "t", action: "Deny", ruleIndex: -1 }, "an EndOfTier hit has no trigger policy"],
    ["a trigger that is itself EndOfTier", { kind: "EndOfTier", tier: "t", action: "Deny", trigger: { kind: "EndOfTier" } }, 'trigger kind "EndOfTier" is not a policy kind'],
  ])("refuses %s", (_name, raw, error) => {
    expect(formatPolicyHit(raw)).toEqual({ error });
  });
});
