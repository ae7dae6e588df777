import { afterAll, afterEach, beforeAll } from "@jest/globals";
import nock from "nock";

/**
 * nock for a test file that talks to GitHub through nock and to its own servers on 127.0.0.1 (the fake API server):
 * no other network, interceptors cleared after each test, and nock restored after the file. Left active, nock patches
 * the worker's http for every later file (a later file's streamed request would be buffered whole). Lenient where
 * `useStrictNock` is strict: persisted git-data interceptors may go unused.
 */
export function useLocalNock(): void {
  beforeAll(() => {
    if (!nock.isActive()) nock.activate(); // another helper may have restored it on import (probot-app.ts)
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterEach(() => void nock.cleanAll());
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  });
}
