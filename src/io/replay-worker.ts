import { parentPort, workerData } from "node:worker_threads";
import type { WorkerInput, WorkerMessage } from "../run/runner.js";
import { runWorkerJob } from "../run/worker-job.js";
import { fileFlowReader } from "./flow-reader.js";

/** The replay runner's worker thread (src/run/runner.ts): reads its byte range from the file system. */
if (parentPort) {
  const port = parentPort;
  void runWorkerJob(workerData as WorkerInput, fileFlowReader, (m) => port.postMessage(m)).then((m: WorkerMessage) => port.postMessage(m));
}
