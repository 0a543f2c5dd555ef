// Test runner settings: unit tests beside the code, interop and end-to-end tests under test/.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "sdk/**/*.test.ts",
      "frontend/**/*.test.ts",
      "tui/**/*.test.ts",
      "bin/**/*.test.ts",
      "build/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
