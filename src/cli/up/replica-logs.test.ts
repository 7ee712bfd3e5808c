// What `up` prints of replica logs: a burst, then a steady rate per replica, the rest counted in
// `[flood]` lines at most every reportEveryMs; start-up lines replayed once; other namespaces not.
import { describe, expect, it } from 'vitest';
import { createLogStore } from '../../platform/logs/index.ts';
import { followReplicaLogs } from './replica-logs.ts';

describe('followReplicaLogs', () => {
  it('folds a flooding replica and keeps a quiet one whole', async () => {
    let t = 1_000_000;
    const logs = createLogStore({ now: () => new Date(t) });
    logs.append('default/web-0', 'stdout', 'started before up looked');
    const out: string[] = [];
    const follower = followReplicaLogs({
      logs,
      namespace: 'default',
      format: (replica, line) => `[${replica}] ${line}`,
      write: (text) => out.push(...text.trimEnd().split('\n')),
      limits: { burstLines: 10, linesPerSecond: 5, reportEveryMs: 2000 },
      now: () => t,
    });
    for (let i = 0; i < 1000; i++) logs.append('default/flood-0', 'stdout', `flood ${i}`);
    logs.append('other/x-0', 'stdout', 'not this namespace');
    logs.append('default/web-0', 'stdout', 'quiet line');
    t += 1000; // one second later: 5 more lines may pass
    for (let i = 1000; i < 1010; i++) logs.append('default/flood-0', 'stdout', `flood ${i}`);
    t += 1000; // reportEveryMs after the flood began: its count so far
    for (let i = 1010; i < 1030; i++) logs.append('default/flood-0', 'stdout', `flood ${i}`);
    await new Promise((r) => setImmediate(r));
    follower.close();

    expect(out.filter((l) => l.startsWith('[web-0]'))).toEqual(['[web-0] started before up looked', '[web-0] quiet line']);
    const shown = out.filter((l) => l.startsWith('[flood-0]'));
    expect(shown).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `[flood-0] flood ${i}`), // the burst
      ...Array.from({ length: 5 }, (_, i) => `[flood-0] flood ${1000 + i}`), // a second's rate
      ...Array.from({ length: 5 }, (_, i) => `[flood-0] flood ${1010 + i}`), // and another's
    ]);
    const floods = out.filter((l) => l.startsWith('[flood]'));
    // Two seconds in, at the first line held back then, the count so far; on close, the rest.
    expect(floods).toEqual(['[flood] flood-0: 996 lines suppressed, see apphostctl logs replica/flood-0', '[flood] flood-0: 14 lines suppressed, see apphostctl logs replica/flood-0']);
    expect(out.some((l) => l.includes('not this namespace'))).toBe(false);
  });
});
