#!/usr/bin/env node
// Runs the TypeScript CLI directly: no build step, and apphost.ts files load the same way.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
