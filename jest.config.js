/** Jest in ESM mode with ts-jest (see ../shared/reference/toolchain.md). */
export default {
  preset: "ts-jest/presets/default-esm",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  // tsconfig.json sets isolatedModules, so ts-jest transpiles each file alone (no type check here: `npm run
  // typecheck` does that, and .ci/run runs it).
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }],
  },
  // A test whose code prints console.error/console.warn fails (test/setup.ts): expected errors are captured.
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  // Two workers on the two cores CI has (jest's default, cores - 1, runs every file in one process); many files
  // wait on git, subprocesses, sockets or a browser, so the second worker has room.
  maxWorkers: 2,
  testTimeout: 30000,
};
