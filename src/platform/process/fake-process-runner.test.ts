import { describe, expect, it } from 'vitest';
import { createLogStore } from '../logs/index.ts';
import { createFakeProcessRunner } from './fake-process-runner.ts';

describe('createFakeProcessRunner', () => {
  it('starts, exits on demand, stops, and records what it was asked', async () => {
    const logs = createLogStore();
    const runner = createFakeProcessRunner({ logs });
    const a = await runner.start({ id: 'default/a-0', command: 'node', args: ['a.js'], env: { PORT: '1' } });
    const b = await runner.start({ id: 'default/b-0', command: 'node', args: ['b.js'], env: {} });
    expect(a.pid).not.toBe(b.pid);
    expect(runner.running()).toHaveLength(2);

    runner.simulateOutput(a.pid, 'stdout', 'listening');
    expect(logs.read('default/a-0').map((l) => l.line)).toEqual(['listening']);

    runner.simulateExit(a.pid, 1);
    expect(await a.exited).toEqual({ code: 1, signal: null });
    expect(a.exit).toEqual({ code: 1, signal: null });

    runner.ignoreTerm(b.pid);
    expect(await b.stop()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(runner.running()).toEqual([]);
    expect(runner.byId('default/b-0')?.stopRequested).toBe(true);
    expect(runner.starts().map((s) => s.env)).toEqual([{ PORT: '1' }, {}]);
  });

  it('simulates a spawn failure like the real runner reports it', async () => {
    const runner = createFakeProcessRunner();
    runner.failNextStart('PROCESS_COMMAND_NOT_FOUND');
    const p = await runner.start({ id: 'default/x-0', command: 'nope', args: [], env: {} });
    expect(p.pid).toBe(0);
    expect(await p.exited).toMatchObject({ errorCode: 'PROCESS_COMMAND_NOT_FOUND', error: 'command not found: nope' });
    const next = await runner.start({ id: 'default/x-0', command: 'nope', args: [], env: {} });
    expect(next.pid).toBeGreaterThan(0);
  });

  it('rejects an empty command with a stable code', async () => {
    const runner = createFakeProcessRunner();
    await expect(runner.start({ id: 'default/x-0', command: '', args: [], env: {} })).rejects.toMatchObject({
      code: 'PROCESS_INVALID_OPTIONS',
    });
  });
});
