import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start servers and child processes; two cores run two files at a time.
    maxWorkers: 2,
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    alias: { electron: new URL('./test/support/fake-electron.ts', import.meta.url).pathname },
  },
});
