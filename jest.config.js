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
  // Two workers on the two cores CI has (jest's default, cores - 1, runs every file in one process); many files
  // wait on git, subprocesses, sockets or a browser, so the second worker has room.
  maxWorkers: 2,
  testTimeout: 30000,
};
