import { spawn } from "node:child_process";

/**
 * Running `nft` and `conntrack`. Behind an interface so the agent is tested without root (a recording runner) and
 * the privileged tests can run it inside a network namespace (`ip netns exec`).
 */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (command: string, args: readonly string[], input?: string) => Promise<CommandResult>;

/** Runs a command directly; `input` is written to its stdin. A command that cannot start resolves with code 127. */
export const runCommand: CommandRunner = (command, args, input) =>
  new Promise((resolve) => {
    const child = spawn(command, [...args], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => resolve({ code: 127, stdout: "", stderr: `${command}: ${e.message}` }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.on("error", () => undefined); // the command may exit before reading its input
    child.stdin.end(input ?? "");
  });

/** The same commands inside a named network namespace (tests; an agent on a node runs in the host namespace). */
export function netnsRunner(namespace: string, inner: CommandRunner = runCommand): CommandRunner {
  return (command, args, input) => inner("ip", ["netns", "exec", namespace, command, ...args], input);
}
