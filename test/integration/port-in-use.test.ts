// A fixed port held by another process: the Endpoint says PortInUse naming the holder, the Resource
// is Degraded (never a silent Running), apphostctl shows it, and apphost recovers once the port is free.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Condition } from '../../src/api/types.ts';
import { apphostctl } from './support/cli.ts';
import { echoResource, httpGet, isAlive, startTestApphost, waitFor, type EchoAnswer, type TestApphost } from './support/harness.ts';

// Another program holding a port: it binds port 0 and says which one the kernel gave it.
const HOLDER = `const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port));`;

function startHolder(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', HOLDER], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
  });
}

describe('fixed port in use', () => {
  let t: TestApphost | undefined;
  let holder: ChildProcess | undefined;
  afterEach(async () => {
    if (holder?.pid && isAlive(holder.pid)) holder.kill('SIGKILL');
    await t?.close();
    t = undefined;
  });

  it('reports PortInUse with the holder, Degraded, in get and describe; recovers when the port is freed', async () => {
    const held = await startHolder();
    holder = held.child;
    const port = held.port;
    t = await startTestApphost([echoResource('web', { endpoints: [{ scheme: 'http', port, env: 'PORT' }] })]);

    const cond = await waitFor('PortAllocated=False PortInUse', () => {
      const c = t!.endpoint('web-http')?.status?.conditions?.find((x: Condition) => x.type === 'PortAllocated');
      return c?.status === 'False' && c.reason === 'PortInUse' && c;
    });
    expect(cond.message).toContain(`pid ${holder.pid}`);
    await waitFor('resource Degraded', () => t!.resource('web')?.status?.phase === 'Degraded');
    await t.waitReady('web', 1); // the replica itself runs fine

    const [get, describe] = await Promise.all([
      apphostctl(t.app.kubeconfigPath, ['get', 'endpoints', '-o', 'wide']),
      apphostctl(t.app.kubeconfigPath, ['describe', 'endpoint', 'web-http']),
    ]);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/web-http.*PortInUse/);
    expect(describe.code).toBe(0);
    expect(describe.stdout).toContain('PortInUse');
    expect(describe.stdout).toContain(`pid ${holder.pid}`);

    holder.kill('SIGKILL');
    await waitFor('holder gone', () => !isAlive(holder!.pid!));
    await waitFor('PortAllocated=True', () => t!.endpoint('web-http')?.status?.conditions?.find((x: Condition) => x.type === 'PortAllocated')?.status === 'True', 20_000);
    await waitFor('resource Running', () => t!.resource('web')?.status?.phase === 'Running', 20_000);
    const res = await waitFor('proxy answering on the fixed port', () => httpGet(`http://127.0.0.1:${port}/`).catch(() => undefined), 10_000, 100);
    expect(res.json<EchoAnswer>().replica).toBe('web-0');
  });
});
