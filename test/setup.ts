import { afterEach, beforeEach } from "@jest/globals";
import { format } from "node:util";

/**
 * A test that makes the code under test print through console.error or console.warn fails, with what was printed:
 * an expected failure is captured (inject a log, or spy on console and assert), never left to print a block with a
 * code frame into the run's output. Only the test body and its hooks are watched; what a file prints outside them
 * (a skipped suite saying why) still prints. Nothing is silenced: the failure shows every line.
 */
const levels = ["error", "warn"] as const;
let printed: string[] = [];
const saved = new Map<(typeof levels)[number], (...args: unknown[]) => void>();

beforeEach(() => {
  printed = [];
  for (const level of levels) {
    saved.set(level, console[level]);
    console[level] = (...args: unknown[]) => void printed.push(`console.${level}: ${format(...args)}`);
  }
});

afterEach(() => {
  for (const level of levels) console[level] = saved.get(level)!;
  if (printed.length === 0) return;
  const lines = printed.join("\n");
  printed = [];
  throw new Error(`the test printed to the console; capture expected errors (inject a log, or spy on console and assert):\n${lines}`);
});
