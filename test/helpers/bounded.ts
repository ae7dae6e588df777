import { runInNewContext } from "node:vm";

/**
 * Runs synchronous `work` and stops it after `ms` milliseconds with ERR_SCRIPT_EXECUTION_TIMEOUT. A jest timeout
 * cannot fail a test whose work never yields (a backtracking regular expression runs to its end, however long, and
 * the test then passes); V8 interrupts this one wherever the work is. For work that used to take minutes and now
 * takes milliseconds, so the bound says "finishes", not how fast.
 */
export function within<T>(ms: number, work: () => T): T {
  return runInNewContext("work()", { work }, { timeout: ms }) as T;
}
