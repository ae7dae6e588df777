import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { FlowReader } from "../run/flow-lines.js";
import { isGzip, readLines } from "./lines.js";

/**
 * The run layer's FlowReader over local files: streamed lines (src/io/lines.ts), the facts the runner cuts a file
 * by, and the worker script — which exists only in the built package (tests run from source, in one thread; the
 * Action's one-file bundle has none, so it replays in one thread too).
 */
const WORKER_SCRIPT = fileURLToPath(new URL("./replay-worker.js", import.meta.url));

export const fileFlowReader: FlowReader = {
  lines: (path, options) => readLines(path, options),
  inspect: async (path) => {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { size: info.size, gzip: await isGzip(path) };
  },
  workerScript: existsSync(WORKER_SCRIPT) ? WORKER_SCRIPT : undefined,
};
