import { parentPort } from "node:worker_threads";
import type { WorkerInput, WorkerMessage } from "../run/runner.js";
import { runWorkerJob } from "../run/worker-job.js";
import { fileFlowReader } from "./flow-reader.js";

/**
 * The replay runner's worker thread (src/run/runner.ts, threads.ts): reads its byte range from the file system.
 * It is started before its range is known, loads its code, then waits for the one message that gives the range.
 */
if (parentPort) {
  const port = parentPort;
  port.once("message", (m: { type: "input"; input: WorkerInput }) => {
    void runWorkerJob(m.input, fileFlowReader, (p) => port.postMessage(p)).then((done: WorkerMessage) => port.postMessage(done));
  });
}
