import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Per-user state (the development CA in dev-certs/) goes to a temp folder, not the tester's home.
    env: { APPHOST_HOME: process.env.APPHOST_HOME ?? join(tmpdir(), 'apphost-test-home') },
  },
});
