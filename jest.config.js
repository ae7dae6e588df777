/** Jest in ESM mode, TypeScript stripped by esbuild (see ../shared/reference/toolchain.md for the ESM flags). */
export default {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // .ts files are ES modules (package.json says "type": "module"), so jest loads them as such.
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  // esbuild strips the types (test/helpers/esbuild-transform.cjs): tsconfig.json sets isolatedModules, so this was
  // only ever transpiling, and esbuild does it many times faster than ts-jest did, which a cold cache (CI) pays for
  // every source file. No type check here: `npm run typecheck` does that, and .ci/run runs it.
  transform: { "^.+\\.ts$": "<rootDir>/test/helpers/esbuild-transform.cjs" },
  // A test whose code prints console.error/console.warn fails (test/setup.ts): expected errors are captured.
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  // Three workers on the two cores CI has (jest's default, cores - 1, runs every file in one process): many files
  // wait on git, subprocesses, sockets, a browser or GitHub's rate limiter, and a third worker fills those waits
  // (measured with the memory limit below: 2 workers 2 min 53 s to 3 min 4 s, 3 workers 2 min 38 s to 2 min 54 s).
  maxWorkers: 3,
  // A worker that holds more than this after a file is replaced by a fresh one. Each ESM test file leaves its module
  // graph behind in the worker, so without a limit the workers grow all run long and spend more and more of it in
  // garbage collection (measured, `time npm test` on 2 cores, 2 workers: 4 min 22 s and 7 min 27 s of CPU without a
  // limit, 2 min 53 s and 5 min 7 s with 400 MB; 250 MB restarts too often, 700 MB too late).
  workerIdleMemoryLimit: "400MB",
  testTimeout: 30000,
};
