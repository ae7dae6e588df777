/**
 * The GitHub Action's entry point (action/action.yml runs its bundle, action/dist/index.mjs). It holds no logic
 * (STYLE.md habit 1): run() reads the inputs and the event and owns the one top-level try/catch.
 */
import { run } from "./run.js";

process.exitCode = await run();
