import { describe, expect, test } from "@jest/globals";
import { parseEnterpriseRecord, type FlowRecord } from "../../src/flows/index.js";

/** The example document of calico-semantics §10.1 (Calico Enterprise docs, flow datatypes), verbatim. */
const DOCS_EXAMPLE = JSON.parse(`{
  "start_time": 1597166083, "end_time": 1597166383,
  "source_ip": "192.168.47.9", "source_name": "access-6b687c8dcb-zn5s2", "source_name_aggr": "access-6b687c8dcb-*",
  "source_namespace": "policy-demo", "source_port": 42106, "source_type": "wep",
  "source_labels": {"labels": ["pod-template-hash=6b687c8dcb", "app=access"]},
  "dest_ip": "192.168.138.79", "dest_name": "nginx-86c57db685-h6792", "dest_name_aggr": "nginx-86c57db685-*",
  "dest_namespace": "policy-demo", "dest_port": 80, "dest_type": "wep",
  "dest_labels": {"labels": ["pod-template-hash=86c57db685", "app=nginx"]},
  "proto": "tcp", "action": "allow", "reporter": "dst",
  "policies": {
    "all_policies": ["0|tier1|ns1/tier1.policy1|pass|3", "1|tier2|ns2/staged:tier1.policy1|deny|1",
                     "2|default|policy-demo/default.access-nginx|allow|2"],
    "enforced_policies": ["0|tier1|ns1/tier1.policy1|pass|3", "1|default|policy-demo/default.access-nginx|allow|2"],
    "pending_policies": ["0|tier1|ns1/tier1.policy1|pass|3", "1|tier2|ns2/staged:tier1.policy1|deny|1"]
  },
  "bytes_in": 388, "bytes_out": 1113, "num_flows": 1, "num_flows_started": 1, "num_flows_completed": 1,
  "packets_in": 6, "packets_out": 5, "http_requests_allowed_in": 0, "http_requests_denied_in": 0,
  "original_source_ips": null, "num_original_source_ips": 0, "host": "bz-n8kf-kadm-node-1", "@timestamp": 1597166383000
}`) as Record<string, unknown>;

const EXPECTED: FlowRecord = {
  format: "enterprise",
  line: 7,
  src: {
    type: "wep",
    namespace: "policy-demo",
    name: "access-6b687c8dcb-zn5s2",
    nameAggr: "access-6b687c8dcb-*",
    ip: "192.168.47.9",
    port: 42106,
    labels: { "pod-template-hash": "6b687c8dcb", app: "access" },
    labelsAggregated: false,
  },
  dst: {
    type: "wep",
    namespace: "policy-demo",
    name: "nginx-86c57db685-h6792",
    nameAggr: "nginx-86c57db685-*",
    ip: "192.168.138.79",
    port: 80,
    labels: { "pod-template-hash": "86c57db685", app: "nginx" },
    labelsAggregated: false,
  },
  protocol: "tcp",
  dstPort: 80,
  reporter: "dst",
  action: "allow",
  policies: {
    all: [
      "0|tier1|ns1/tier1.policy1|pass|3",
      "1|tier2|ns2/staged:tier1.policy1|deny|1",
      "2|default|policy-demo/default.access-nginx|allow|2",
    ],
    enforced: ["0|tier1|ns1/tier1.policy1|pass|3", "1|default|policy-demo/default.access-nginx|allow|2"],
    pending: ["0|tier1|ns1/tier1.policy1|pass|3", "1|tier2|ns2/staged:tier1.policy1|deny|1"],
  },
  numFlows: 1,
  bytes: 1501,
  packets: 11,
  startTime: 1597166083,
  endTime: 1597166383,
};

const withFields = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...DOCS_EXAMPLE, ...patch });

describe("parseEnterpriseRecord", () => {
  test("reads the documented example", () => {
    expect(parseEnterpriseRecord(DOCS_EXAMPLE, 7)).toEqual({ record: EXPECTED, diagnostics: [] });
  });

  test("unwraps an Elasticsearch hit", () => {
    const hit = { _index: "tigera_secure_ee_flows.cluster.20200811", _id: "x", _source: DOCS_EXAMPLE };
    expect(parseEnterpriseRecord(hit, 7)).toEqual({ record: EXPECTED, diagnostics: [] });
  });

  test("aggregated records: '-' names and labels, null IPs and ports, a private network source", () => {
    const doc = withFields({
      source_ip: null, source_name: "-", source_name_aggr: "pvt", source_namespace: "-", source_port: null,
      source_type: "net", source_labels: "-",
      dest_ip: null, dest_name: "-", dest_port: "443", dest_labels: "-",
      num_flows: "12", bytes_in: "100", bytes_out: 0, policies: undefined,
      dest_service_name: "nginx", dest_service_namespace: "policy-demo", dest_service_port: "https",
      dest_service_port_num: 443,
    });
    const { record, diagnostics } = parseEnterpriseRecord(doc, 3);
    expect(diagnostics).toEqual([]);
    expect(record?.src).toEqual({ type: "net", nameAggr: "pvt", labelsAggregated: true });
    expect(record?.dst).toEqual({
      type: "wep", namespace: "policy-demo", nameAggr: "nginx-86c57db685-*", port: 443, labelsAggregated: true,
    });
    expect(record?.dstPort).toBe(443);
    expect(record?.numFlows).toBe(12);
    expect(record?.bytes).toBe(100);
    expect(record?.policies).toBeUndefined();
    expect(record?.service).toEqual({ name: "nginx", namespace: "policy-demo", port: 443, portName: "https" });
  });

  test.each([
    ["ICMP has no port", { proto: "icmp", dest_port: null }, { protocol: "icmp", dstPort: undefined }],
    ["a protocol number", { proto: 17, dest_port: 53 }, { protocol: "17", dstPort: 53 }],
    ["upper-case words", { proto: "TCP", action: "Deny", reporter: "SRC" }, { protocol: "TCP", action: "deny", reporter: "src" }],
    ["port 0 means not applicable", { dest_port: 0 }, { dstPort: undefined }],
    ["num_flows 0 still counts once", { num_flows: 0 }, { numFlows: 1 }],
    ["a host endpoint with a bare label list", { dest_type: "hep", dest_labels: ["role=node"] }, {}],
  ])("lenient: %s", (_name, patch, expected) => {
    const { record, diagnostics } = parseEnterpriseRecord(withFields(patch), 1);
    expect(diagnostics).toEqual([]);
    expect(record).toMatchObject(Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined)));
    for (const [k, v] of Object.entries(expected)) if (v === undefined) expect(record).not.toHaveProperty(k);
  });

  test.each([
    ["no source type", { source_type: undefined }, "flows/missing-endpoint"],
    ["a '-' dest type", { dest_type: "-" }, "flows/missing-endpoint"],
    ["a pod with no identity", { source_name: "-", source_name_aggr: "-", source_namespace: "-", source_ip: null }, "flows/missing-endpoint"],
    ["an unknown endpoint type", { dest_type: "pod" }, "flows/bad-endpoint-type"],
    ["no proto", { proto: undefined }, "flows/bad-protocol"],
    ["an unknown proto", { proto: "tcpx" }, "flows/bad-protocol"],
    ["a protocol number over 255", { proto: "300" }, "flows/bad-protocol"],
    ["a port name as dest_port", { dest_port: "http" }, "flows/bad-port"],
    ["a port over 65535", { dest_port: 70000 }, "flows/bad-port"],
    ["a negative source port", { source_port: -1 }, "flows/bad-port"],
    ["an address that is not one", { source_ip: "999.1.1.1" }, "flows/bad-ip"],
    ["a reporter that is neither end", { reporter: "both" }, "flows/bad-reporter"],
    ["a verdict of pass", { action: "pass" }, "flows/bad-action"],
    ["a label with no '='", { source_labels: { labels: ["app"] } }, "flows/bad-labels"],
    ["labels as a string", { dest_labels: "app=nginx" }, "flows/bad-labels"],
    ["a negative counter", { bytes_in: -5 }, "flows/bad-number"],
    ["a fractional num_flows", { num_flows: 1.5 }, "flows/bad-number"],
    ["a time as words", { start_time: "yesterday" }, "flows/bad-number"],
    ["policies as a string", { policies: "all" }, "flows/bad-field"],
    ["a policy list of objects", { policies: { enforced_policies: [{}] } }, "flows/bad-field"],
    ["a name that is a number", { dest_name: 5 }, "flows/bad-field"],
  ])("rejects %s", (_name, patch, code) => {
    const result = parseEnterpriseRecord(withFields(patch), 42);
    expect(result.record).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.line])).toEqual([[code, 42]]);
  });

  test.each([
    ["null", null, ["flows/not-an-object"]],
    ["an array", [DOCS_EXAMPLE], ["flows/not-an-object"]],
    ["a string", "tcp", ["flows/not-an-object"]],
    ["a hit whose _source is not an object", { _source: "x" }, ["flows/missing-endpoint", "flows/missing-endpoint", "flows/bad-protocol"]],
  ])("rejects %s", (_name, value, codes) => {
    expect(parseEnterpriseRecord(value, 9).diagnostics.map((d) => [d.code, d.line])).toEqual(codes.map((c) => [c, 9]));
  });

  test("collects every problem of a record, in our words", () => {
    const { diagnostics } = parseEnterpriseRecord(withFields({ proto: "gre?", dest_port: "x", reporter: 1 }), 5);
    expect(diagnostics).toEqual([
      { code: "flows/bad-protocol", line: 5, message: 'proto "gre?" is not a protocol name or number' },
      { code: "flows/bad-port", line: 5, message: 'dest_port "x" is not a port number (0-65535)' },
      { code: "flows/bad-reporter", line: 5, message: "reporter 1 is not one of src, dst" },
    ]);
  });
});
