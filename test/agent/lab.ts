import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { netnsRunner, type CommandRunner } from "../../src/agent/exec.js";

/**
 * The namespace lab of ../shared/reference/dataplane-lab.md: a "node" namespace with a bridge, each "pod" its own
 * namespace with a veth into the bridge and a lab agent (test/agent/lab-agent.py: echo servers and a probe client).
 * `routed` mode is Calico's model instead: no bridge; each pod has its address as a /32 and a default route via
 * 169.254.1.1 (a static neighbour: the host veth's MAC), the node a /32 route per pod to its host veth, forwarding
 * on and rp_filter off (so only the ruleset holds a pod to its interface); the node's own address is on lo.
 * Every namespace is named `<id>-...`, created by this file and removed by name, servers first, also on failure.
 * Traffic only ever goes between these namespaces; the root namespace's ruleset is never touched.
 */
export function labSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  for (const [cmd, args] of [["nft", ["--version"]], ["ip", ["-V"]], ["conntrack", ["--version"]], ["python3", ["--version"]]] as const) {
    const r = spawnSync(cmd, [...args]);
    if (r.error || r.status !== 0) return `${cmd} is missing (CI installs nftables, iproute2 and conntrack)`;
  }
  return undefined;
}

export interface ProbeResult {
  result: "allow" | "deny" | "timeout" | "broken" | string;
}

export interface LabPod {
  ns: string;
  ip: string;
  cmd(op: Record<string, unknown>): Promise<string>;
}

function sh(args: string[], check = true): void {
  const r = spawnSync(args[0], args.slice(1), { encoding: "utf8" });
  if (check && r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
}

export type LabMode = "bridge" | "routed";

/** Calico's on-link gateway address inside a pod (cni-plugin: 169.254.1.1, answered for the host veth). */
const ROUTED_GATEWAY = "169.254.1.1";

export class Lab {
  readonly node: string;
  readonly run: CommandRunner;
  private readonly pods: Array<{ ns: string; proc?: ChildProcessWithoutNullStreams }> = [];
  private created = false;

  /**
   * `id` must be short (veth names are at most 15 characters): 4 to 6 letters. `veth` names the host veths
   * (`<veth>v<index>`, inside the node namespace, so two labs may share it and so compile to the same ruleset).
   */
  constructor(
    readonly id: string,
    private readonly bridgeCidr: string,
    readonly mode: LabMode = "bridge",
    private readonly veth: string = id,
  ) {
    this.node = `${id}-node`;
    this.run = netnsRunner(this.node);
  }

  /** Removes what an earlier, crashed run with the same id may have left, by name, then creates the node. */
  setup(maxPods: number): void {
    this.removeByName(maxPods);
    this.created = true;
    sh(["ip", "netns", "add", this.node]);
    const n = (...a: string[]) => sh(["ip", "-n", this.node, ...a]);
    n("link", "set", "lo", "up");
    sh(["ip", "netns", "exec", this.node, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
    if (this.mode === "routed") {
      n("addr", "add", `${this.bridgeCidr.split("/")[0]}/32`, "dev", "lo");
      for (const s of ["net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"]) sh(["ip", "netns", "exec", this.node, "sysctl", "-qw", s]);
      return;
    }
    n("link", "add", "br0", "type", "bridge");
    n("addr", "add", this.bridgeCidr, "dev", "br0");
    n("link", "set", "br0", "up");
  }

  /** The host-side interface of pod `index` (what Calico would name cali…, and the annotation names). */
  vethName(index: number): string {
    return `${this.veth}v${index}`;
  }

  /** A pod at `ip/prefix` with echo servers on the ports; resolves when its agent is listening. */
  async addPod(index: number, ip: string, prefix: number, tcp: number[], udp: number[]): Promise<LabPod> {
    const ns = `${this.id}-p${index}`;
    const veth = this.vethName(index);
    const gateway = this.bridgeCidr.split("/")[0];
    sh(["ip", "netns", "add", ns]);
    sh(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
    const p = (...a: string[]) => sh(["ip", "-n", ns, ...a]);
    p("link", "set", "lo", "up");
    p("link", "add", "eth0", "type", "veth", "peer", "name", veth);
    p("link", "set", veth, "netns", this.node);
    p("link", "set", "eth0", "up");
    sh(["ip", "-n", this.node, "link", "set", veth, "up"]);
    if (this.mode === "routed") {
      p("addr", "add", `${ip}/32`, "dev", "eth0");
      const mac = spawnSync("ip", ["-n", this.node, "-br", "link", "show", veth], { encoding: "utf8" }).stdout.trim().split(/\s+/)[2];
      p("route", "add", ROUTED_GATEWAY, "dev", "eth0", "scope", "link");
      p("neigh", "add", ROUTED_GATEWAY, "lladdr", mac, "dev", "eth0", "nud", "permanent");
      p("route", "add", "default", "via", ROUTED_GATEWAY, "dev", "eth0");
      sh(["ip", "-n", this.node, "route", "add", `${ip}/32`, "dev", veth]);
    } else {
      p("addr", "add", `${ip}/${prefix}`, "dev", "eth0");
      p("route", "add", "default", "via", gateway);
      sh(["ip", "-n", this.node, "link", "set", veth, "master", "br0"]);
    }
    return this.startAgent(ns, ip, tcp, udp);
  }

  private async startAgent(ns: string, ip: string, tcp: number[], udp: number[]): Promise<LabPod> {
    const proc = spawn("ip", ["netns", "exec", ns, "python3", join("test", "agent", "lab-agent.py"), tcp.join(",") || "-", udp.join(",") || "-"], { stdio: ["pipe", "pipe", "pipe"] });
    this.pods.push({ ns, proc });
    const waiting = new Map<number, (r: string) => void>();
    createInterface({ input: proc.stdout }).on("line", (line) => {
      const msg = JSON.parse(line) as { id: number; result: string };
      waiting.get(msg.id)?.(msg.result);
      waiting.delete(msg.id);
    });
    let nextId = 1;
    const ready = new Promise<string>((resolve) => waiting.set(0, resolve));
    // A bound on the interpreter's start, not on the test: on a loaded machine python3 alone can take over 5 s.
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([ready, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`lab agent in ${ns} did not start`)), 20_000)))]);
    } finally {
      clearTimeout(timer); // left running, it kept jest alive after a file that finished within 20 s
    }
    return {
      ns,
      ip,
      cmd: (op) =>
        new Promise((resolve) => {
          const id = nextId++;
          waiting.set(id, resolve);
          proc.stdin.write(JSON.stringify({ ...op, id }) + "\n");
        }),
    };
  }

  /** A lab agent in the node namespace itself (the node's own address): servers for pod-to-node probes. */
  async addHost(ip: string, tcp: number[], udp: number[]): Promise<LabPod> {
    return this.startAgent(this.node, ip, tcp, udp);
  }

  /** Kills every lab agent, then deletes the namespaces by name. Safe to call twice. */
  teardown(maxPods: number): void {
    for (const p of this.pods) {
      if (p.proc && p.proc.exitCode === null) {
        p.proc.stdin.end();
        p.proc.kill("SIGKILL");
      }
    }
    // `ip netns exec` forks the agent: kill what still runs in each namespace, by pid, before deleting it.
    for (const p of [...this.pods, { ns: this.node }]) {
      const pids = spawnSync("ip", ["netns", "pids", p.ns], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
      for (const pid of pids) spawnSync("kill", ["-9", pid]);
    }
    if (this.created) this.removeByName(maxPods);
    this.pods.length = 0;
  }

  private removeByName(maxPods: number): void {
    const existing = new Set(spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout.split("\n").map((l) => l.split(" ")[0]));
    for (const ns of [this.node, ...Array.from({ length: maxPods }, (_, i) => `${this.id}-p${i}`)]) {
      if (!existing.has(ns)) continue;
      for (const pid of spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout.split("\n").filter(Boolean)) spawnSync("kill", ["-9", pid]);
      sh(["ip", "netns", "del", ns], false);
    }
  }
}
