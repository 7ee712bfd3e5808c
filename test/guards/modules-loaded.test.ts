// Regression guard (issue 12): how many modules an apphost process loads, counted. Every module
// costs start-up time (read, transform, compile) and memory for the life of the process (code and
// source: `import { Subject } from 'rxjs'` alone loads all ~220 of RxJS's modules, +3.4 MiB RSS,
// and a larger process forks each replica more slowly). Measured 2026-12-04: 60 RxJS modules of
// 777 with the per-path imports (apiserver/store/watch-fanout.ts, src/runtime/sources.ts), 223 of
// 940 before. A new `from 'rxjs'` in runtime code exceeds the budget.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUDGET = { rxjs: 80 };

describe('modules loaded by an apphost process', () => {
  it(`at most ${BUDGET.rxjs} RxJS modules`, async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [`${ROOT}bin/run-ts.js`, `${ROOT}test/guards/fixtures/loaded-modules.ts`], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const counts = JSON.parse(out.trim().split('\n').pop()!) as { cjs: number; rxjs: number };
    console.log(`modules loaded: ${JSON.stringify(counts)}`);
    // Something was counted (the runtime and the store do use RxJS).
    expect(counts.rxjs).toBeGreaterThan(10);
    expect(counts.rxjs).toBeLessThanOrEqual(BUDGET.rxjs);
  });
});
