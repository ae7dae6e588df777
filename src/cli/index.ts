/**
 * The `tierguard` command (an adapter): parses arguments, reads files through src/io, runs src/run's pipelines and
 * prints src/report's renderings. bin.ts is the entry point and holds no logic. May import run, io, the core,
 * report and src/contracts; never github, controller or agent, and nothing outside this folder imports it.
 */
export { main } from "./main.js";
export { processIo, EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL, InputError, UsageError, type CliIo } from "./io.js";
