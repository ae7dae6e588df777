/**
 * What a command may touch of the process: output streams, the clock, the working directory. Commands take it
 * as a parameter so tests run them in-process with captured output.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: progress lines are shown only then. */
  stderrIsTTY: boolean;
  /** True when stdout is a terminal: text output is coloured only then (and never under NO_COLOR). Default false. */
  stdoutIsTTY?: boolean;
  /** The environment variables a command reads (NO_COLOR). Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now(): number;
}

export function processIo(): CliIo {
  // `tierguard simulate ... | head` closes the pipe early; that ends the command quietly, not with a stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(process.exitCode ?? EXIT_OK);
  });
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
  };
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** Invalid input (policy errors, files missing or unreadable, bad flow files, failed checks): diagnostics were printed. */
export const EXIT_INVALID = 1;
/**
 * Usage error, the one rule: anything wrong with the command line itself. An unknown or missing option or argument,
 * and an option value that is malformed or names nothing that exists (a --from pod the inventory lacks, a --policy no
 * file defines, a --base git does not know). A path to a file or folder that cannot be read is invalid input (1).
 */
export const EXIT_USAGE = 2;
/** A bug in tierguard: an exception escaped. */
export const EXIT_INTERNAL = 3;

/** A problem with how the command was called: reported on stderr, exit code 2. */
export class UsageError extends Error {}
/** Input that cannot be used (a missing file, say): reported on stderr, exit code 1. */
export class InputError extends Error {}

/** Colour for terminal text: stdout is a terminal and NO_COLOR (https://no-color.org) is unset or empty. */
export function useColour(io: Pick<CliIo, "stdoutIsTTY" | "env">): boolean {
  return Boolean(io.stdoutIsTTY) && !io.env?.NO_COLOR;
}
