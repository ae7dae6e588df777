import { Command, CommanderError } from "commander";
import { EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE, InputError, UsageError, type CliIo } from "./io.js";
import { VERSION } from "../contracts/index.js";
import type { SyncCommandDeps } from "./sync.js";
import { mistypedOptionHint } from "./suggest.js";

export { VERSION };

type Register = (program: Command, io: CliIo, setExit: (code: number) => void, deps: SyncCommandDeps) => void;

/**
 * Each command's module, imported only when the command line names one of its commands: a module brings its whole
 * graph (the agent's brings @kubernetes/client-node, about a second on its own), so `tierguard validate` loads
 * validate's and nothing else. The order is the order `--help` lists them in.
 */
const MODULES: ReadonlyArray<{ names: readonly string[]; load: () => Promise<Register> }> = [
  { names: ["validate"], load: async () => (await import("./validate.js")).registerValidate },
  { names: ["simulate"], load: async () => (await import("./simulate.js")).registerSimulate },
  { names: ["explain"], load: async () => (await import("./explain.js")).registerExplain },
  { names: ["select"], load: async () => (await import("./select.js")).registerSelect },
  { names: ["review"], load: async () => (await import("./review.js")).registerReview },
  { names: ["app"], load: async () => (await import("./app.js")).registerApp },
  { names: ["log"], load: async () => (await import("./log.js")).registerLog },
  { names: ["board"], load: async () => (await import("./board.js")).registerBoard },
  { names: ["recommend"], load: async () => (await import("./recommend.js")).registerRecommend },
  { names: ["agent"], load: async () => (await import("./agent.js")).registerAgent },
  { names: ["sync", "stage", "unstage"], load: async () => (await import("./sync.js")).registerSync },
  // `deps` are sync's; the controller's own deps are for its tests, which call registerController directly.
  { names: ["controller"], load: async () => withoutDeps((await import("./controller.js")).registerController) },
  { names: ["init"], load: async () => (await import("./init.js")).registerInit },
];

function withoutDeps(register: (program: Command, io: CliIo, setExit: (code: number) => void) => void): Register {
  return (program, io, setExit) => register(program, io, setExit);
}

/** Command names, for the tests that check this table against the commands the modules register. */
export const COMMAND_NAMES: readonly string[] = MODULES.flatMap((m) => m.names);

/**
 * The modules to load for `argv`: the one that owns its first word when that is a command's name, every module
 * otherwise (no arguments, `--help`, `help <command>`, `--version`, a mistyped command), so that whatever commander
 * prints from the program itself (the command list, "did you mean") sees the whole tree.
 */
export function modulesFor(argv: readonly string[]): Array<() => Promise<Register>> {
  const owner = MODULES.find((m) => argv.length > 0 && m.names.includes(argv[0]));
  return owner ? [owner.load] : MODULES.map((m) => m.load);
}

/**
 * The `tierguard` command. Holds no logic of its own: it wires subcommands and owns the one top-level catch that
 * turns usage errors into exit code 2, input errors into 1, and anything unexpected into a bug report (3).
 */

/** `deps`: what the composition root injects (the ClusterPort factory of sync/stage/unstage). */
export async function main(argv: readonly string[], io: CliIo, deps: SyncCommandDeps = {}): Promise<number> {
  let exitCode = EXIT_OK;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command("tierguard")
    .description("Calico network-policy lifecycle for GitOps: validate, simulate, explain, select")
    .version(VERSION, "-V, --version")
    .exitOverride()
    // The program's own options (--version, --help) only before the command: `agent` has options of its own and
    // commands under it, and it can tell them apart only if it is given every word after its name.
    .enablePositionalOptions()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  try {
    // One after another: jest's ESM loader fails on concurrent imports sharing a module ("not in cache"), and
    // loading is CPU-bound anyway.
    for (const load of modulesFor(argv)) (await load())(program, io, setExit, deps);
    for (const sub of program.commands) sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
    if (argv.length === 0) {
      // A usage error: the help goes to stderr so that nothing lands in a pipe or a redirected file.
      io.stderr(program.helpInformation());
      return EXIT_USAGE;
    }
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT_OK;
      if (e.code === "commander.missingMandatoryOptionValue") io.stderr(mistypedOptionHint(program, argv));
      return EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      io.stderr(`tierguard: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof InputError) {
      io.stderr(`tierguard: ${e.message}\n`);
      return EXIT_INVALID;
    }
    const err = e as Error;
    io.stderr(`tierguard: internal error: ${err.message}\nThis is a bug in tierguard; please report it with the command you ran.\n`);
    if (process.env.TIERGUARD_DEBUG) io.stderr(`${err.stack}\n`);
    return EXIT_INTERNAL;
  }
}
