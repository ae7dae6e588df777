import { describe, expect, test } from "@jest/globals";
import { EngineUniverse } from "../../src/engine/index.js";
import { EndpointResolver } from "../../src/impact/resolve.js";
import { chooseIdentities } from "../../src/recommend/identity.js";
import { FlowObserver } from "../../src/recommend/observe.js";
import { changedAt, firstRun, parseDuration, parseTime, status } from "../../src/recommend/lifecycle.js";
import { portList } from "../../src/recommend/ports.js";
import { flow, pod } from "./helpers.js";

/** The small pure pieces of the recommendation: port lists, identities, durations and the lifecycle clock. */
describe("ports as observed", () => {
  test.each([
    [[443], [443]],
    [[80, 81], [80, 81]],
    [[8002, 8000, 8001, 8005], ["8000:8002", 8005]],
    [[1, 2, 3, 5, 6, 7, 9], ["1:3", "5:7", 9]],
    [[53, 53, 53], [53]],
  ])("%j -> %j", (ports, expected) => {
    expect(portList(ports)).toEqual(expected);
  });
});

describe("workload identities", () => {
  const ids = (ws: Array<Array<[string, string]>>) => [...chooseIdentities(ws).values()].map((i) => i.selector);

  test.each([
    ["the first workload-naming label", [[["app", "web"], ["team", "a"]]], ["app == 'web'"]],
    ["app.kubernetes.io/name before app", [[["app", "x"], ["app.kubernetes.io/name", "web"]]], ["app.kubernetes.io/name == 'web'"]],
    ["the next label when the first is shared", [[["app", "db"], ["component", "primary"]], [["app", "db"], ["component", "replica"]]], ["app == 'db' && component == 'primary'", "app == 'db' && component == 'replica'"]],
    ["every stable label without a naming one", [[["team", "a"], ["tier2", "b"]]], ["team == 'a' && tier2 == 'b'"]],
    ["no stable labels: all()", [[]], ["all()"]],
  ] as Array<[string, Array<Array<[string, string]>>, string[]]>)("%s", (_, workloads, expected) => {
    expect(ids(workloads)).toEqual(expected);
  });
});

describe("durations, times and the status clock", () => {
  test.each([
    ["2m30s", 150],
    ["24h", 86_400],
    ["10m", 600],
    ["7d", 604_800],
    ["1h30m", 5400],
    ["90", 90],
    ["", undefined],
    ["7 days", undefined],
    ["1w", undefined],
  ])("duration %j -> %j", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  test("times: RFC 3339 or UNIX seconds", () => {
    expect(parseTime("2025-06-03T13:00:00Z")).toBe(1_748_955_600);
    expect(parseTime("1748955600")).toBe(1_748_955_600);
    expect(parseTime("June 3")).toBeUndefined();
  });

  test("Enterprise's defaults: Learning up to 2 x 2m30s unchanged, Stabilizing up to 10m, then Stable", () => {
    const o = { now: 10_000, interval: 150, initialLookback: 86_400, stabilization: 600, staleAfter: 604_800 };
    expect([status(10_000 - 300, o), status(10_000 - 301, o), status(10_000 - 600, o), status(10_000 - 601, o)]).toEqual(["Learning", "Stabilizing", "Stabilizing", "Stable"]);
    // A change at t shows at the first processing run after t.
    expect(changedAt(1001, 1000, o)).toBe(1150);
    expect(changedAt(1150, 1000, o)).toBe(1150);
    expect(changedAt(500, 1000, o)).toBe(1000);
    expect(firstRun(0, o)).toBe(10_000);
    expect(firstRun(0, { ...o, now: 200_000 })).toBe(86_400);
  });
});

describe("folding records into tuples", () => {
  test("a port scan between one pair (65,535 ports, twice) is 65,535 tuples, folded without a quadratic scan", () => {
    const observer = new FlowObserver(new EndpointResolver(new EngineUniverse()));
    const base = JSON.parse(flow(pod("shop", "a-1", "10.0.0.1", "app=a"), pod("shop", "b-1", "10.0.0.2", "app=b"), 1));
    let problems = 0;
    for (let round = 0; round < 2; round++) {
      for (let port = 1; port <= 65_535; port++) {
        base.dest_port = port;
        problems += observer.addValue(base, "enterprise", port).length;
      }
    }
    expect(problems).toBe(0);
    expect(observer.size).toBe(65_535);
    const tuples = observer.tuples();
    expect(tuples.length).toBe(65_535);
    expect(tuples.every((t) => t.records === 2)).toBe(true);
  }, 5_000);
});
