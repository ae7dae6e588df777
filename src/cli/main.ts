import { Command, CommanderError } from "commander";
import { EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE, InputError, UsageError, type CliIo } from "./io.js";
import { registerExplain } from "./explain.js";
import { registerReview } from "./review.js";
import { VERSION } from "../contracts/index.js";

export { VERSION };
import { registerSelect } from "./select.js";
import { registerSimulate } from "./simulate.js";
import { registerValidate } from "./validate.js";
import { registerApp } from "./app.js";
import { registerLog } from "./log.js";
import { registerBoard } from "./board.js";
import { registerRecommend } from "./recommend.js";
import { registerAgent } from "./agent.js";
import { registerSync, type SyncCommandDeps } from "./sync.js";
import { registerController } from "./controller.js";
import { mistypedOptionHint } from "./suggest.js";
import { registerInit } from "./init.js";

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
  registerValidate(program, io, setExit);
  registerSimulate(program, io, setExit);
  registerExplain(program, io, setExit);
  registerSelect(program, io, setExit);
  registerReview(program, io, setExit);
  registerApp(program, io, setExit);
  registerLog(program, io, setExit);
  registerBoard(program, io, setExit);
  registerRecommend(program, io, setExit);
  registerAgent(program, io, setExit);
  registerSync(program, io, setExit, deps);
  registerController(program, io, setExit);
  registerInit(program, io, setExit);
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  try {
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
