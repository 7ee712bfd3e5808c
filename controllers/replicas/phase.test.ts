import { describe, expect, it } from 'vitest';
import type { Endpoint, Replica, ReplicaStatus } from '../../src/api/types.ts';
import { computePhase, type PhaseInputs } from './phase.ts';

const replica = (name: string, status: ReplicaStatus): Replica => ({
  apiVersion: 'apphost.dev/v1',
  kind: 'Replica',
  metadata: { name },
  spec: { resource: 'r', index: 0 },
  status,
});
const backoff = { type: 'Running', status: 'False' as const, reason: 'BackOff', message: 'restarting in 1s' };
const inputs = (p: Partial<PhaseInputs>): PhaseInputs => ({ desired: 1, replicas: [], endpoints: [], wasRunning: false, ...p });

describe('computePhase', () => {
  it('orders dependency failure, waiting, blocked, stopped', () => {
    expect(computePhase(inputs({ wait: { kind: 'failed', dependency: 'db', message: 'm' } })).phase).toBe('Failed');
    expect(computePhase(inputs({ wait: { kind: 'waiting', dependency: 'db', message: 'm' } })).phase).toBe('Waiting');
    expect(computePhase(inputs({ blocked: { reason: 'ReferenceNotFound', message: 'm' } }))).toMatchObject({ phase: 'Pending', reason: 'ReferenceNotFound' });
    expect(computePhase(inputs({ desired: 0 })).phase).toBe('Stopped');
  });

  it('a replica that keeps failing is Degraded with CrashLoopBackOff and its last exit, never Starting', () => {
    const looping = { state: 'Failed' as const, exitCode: 1, restarts: 3, message: 'exited with code 1; restarting in 4s', conditions: [backoff] };
    for (const wasRunning of [false, true]) {
      expect(computePhase(inputs({ replicas: [replica('r-0', looping)], wasRunning }))).toEqual({
        phase: 'Degraded',
        reason: 'CrashLoopBackOff',
        message: '0/1 replicas ready; r-0 keeps failing (3 restarts): exited with code 1; restarting in 4s',
      });
    }
    // Between two failures it runs for a moment, not ready: still the crash loop, with the last exit.
    const between = replica('r-0', { state: 'Running', restarts: 4, message: 'restarted; last run: command not found: x' });
    expect(computePhase(inputs({ replicas: [between] }))).toMatchObject({ phase: 'Degraded', reason: 'CrashLoopBackOff', message: expect.stringContaining('command not found: x') });
    // A first start that is not ready yet is Starting.
    expect(computePhase(inputs({ replicas: [replica('r-0', { state: 'Running', restarts: 0 })] })).phase).toBe('Starting');
    // One of two replicas looping while the other serves: Degraded too.
    const two = [replica('r-0', { state: 'Running', ready: true }), replica('r-1', looping)];
    expect(computePhase(inputs({ desired: 2, replicas: two }))).toMatchObject({ phase: 'Degraded', reason: 'CrashLoopBackOff' });
  });

  it('all replicas finished: Failed with the failing replica named, or Stopped when all exited 0', () => {
    const failed = [replica('r-0', { state: 'Failed', exitCode: 2, message: 'exited with code 2' })];
    expect(computePhase(inputs({ replicas: failed, restartPolicy: 'Never' }))).toMatchObject({ phase: 'Failed', reason: 'ReplicaFailed', message: 'r-0: exited with code 2' });
    const done = [replica('r-0', { state: 'Exited', exitCode: 0 })];
    for (const restartPolicy of ['Never', 'OnFailure'] as const) {
      expect(computePhase(inputs({ replicas: done, restartPolicy }))).toMatchObject({ phase: 'Stopped', reason: 'Completed' });
    }
  });

  it('a container the daemon refuses, retried by its restartPolicy, is a crash loop like a process', () => {
    const refused = replica('r-0', {
      state: 'Failed',
      restarts: 2,
      message: 'image nope/none:1 not found; retrying in 2s',
      conditions: [{ type: 'Running', status: 'False', reason: 'ImageNotFound', message: 'image nope/none:1 not found; retrying in 2s' }],
    });
    expect(computePhase(inputs({ replicas: [refused] }))).toEqual({
      phase: 'Degraded',
      reason: 'CrashLoopBackOff',
      message: '0/1 replicas ready; r-0 keeps failing (2 restarts): image nope/none:1 not found; retrying in 2s',
    });
    expect(computePhase(inputs({ replicas: [refused], restartPolicy: 'Never' })).phase).toBe('Failed');
  });

  it('an endpoint without its port is Degraded even when every replica is ready', () => {
    const ep = {
      apiVersion: 'apphost.dev/v1',
      kind: 'Endpoint',
      metadata: { name: 'web-http' },
      spec: { resource: 'web' },
      status: { conditions: [{ type: 'PortAllocated', status: 'False', reason: 'PortInUse', message: 'port 5066 is in use' }] },
    } as Endpoint;
    const r = [replica('web-0', { state: 'Running', ready: true })];
    expect(computePhase(inputs({ replicas: r, endpoints: [ep] }))).toMatchObject({
      phase: 'Degraded',
      reason: 'PortInUse',
      message: 'endpoint web-http: port 5066 is in use',
    });
    expect(computePhase(inputs({ replicas: r })).phase).toBe('Running');
    // Proxyless: no replica starts while the port is held; the resource says so the same way.
    expect(computePhase(inputs({ endpoints: [ep], blocked: { reason: 'PortInUse', message: 'm' } }))).toMatchObject({ phase: 'Degraded', reason: 'PortInUse' });
  });
});
