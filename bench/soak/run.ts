// Soak benchmark: the churn of test/reliability/soak.test.ts (scale, SIGKILL, spec edits, 5 MB log
// floods, 100 watches a cycle, half never read) through the real `apphostctl up`, for 30 minutes by
// default instead of the 60 s `npm test` runs. Writes bench/soak/last-result.json.
//   node bin/run-ts.js bench/soak/run.ts [--minutes 30] [--seed 11]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, seed: { type: 'string', default: '11' } } });
const root = fileURLToPath(new URL('../../', import.meta.url));
const resultFile = fileURLToPath(new URL('./last-result.json', import.meta.url));
const seconds = Math.round(Number(values.minutes) * 60);

const child = spawn(process.execPath, [`${root}node_modules/vitest/vitest.mjs`, 'run', 'test/reliability/soak.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SOAK_SECONDS: String(seconds), SOAK_SEED: values.seed, SOAK_RESULT: resultFile },
});
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
if (code === 0) {
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  console.log(
    `soak ${r.seconds} s: ${r.cycles} cycles, ${r.kills} kills, ${r.watches} watches (${r.stalledWatches} never read), ${r.floodMB} MB of logs; ` +
      `RSS ${r.rssBaselineMiB} -> peak ${r.rssPeakMiB} -> end ${r.rssEndMiB} MiB; fds ${r.fdsBaseline} -> peak ${r.fdsPeak} -> end ${r.fdsEnd}`,
  );
}
process.exit(code);
