import { afterEach, describe, expect, it } from 'vitest';
import type { Replica } from '../../src/api/types.ts';
import { createLogStore } from '../../src/platform/logs/index.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createLogRetentionController } from './controller.ts';

const replica = (name: string): Replica => ({
  apiVersion: 'apphost.dev/v1',
  kind: 'Replica',
  metadata: { name, namespace: 'default' },
  spec: { resource: 'web', index: Number(name.split('-')[1]) },
});

describe('logs controller', () => {
  let fx: ControllerFixture;
  afterEach(() => fx?.stop());

  it('frees the ring of a replica that is gone and keeps those that run', async () => {
    const logs = createLogStore();
    fx = await createControllerFixture({ controllers: [createLogRetentionController({ logs })] });
    await fx.apply(replica('web-0'));
    await fx.apply(replica('web-1'));
    for (let i = 0; i < 100; i++) logs.append(`default/web-${i % 2}`, 'stdout', `line ${i}`);
    await fx.assertSteady();
    expect(logs.stats()).toMatchObject({ ids: 2, lines: 100 });

    await fx.client.delete('Replica', 'default', 'web-1');
    await fx.settle();
    expect(logs.read('default/web-1')).toEqual([]);
    expect(logs.read('default/web-0')).toHaveLength(50);
    expect(logs.stats()).toMatchObject({ ids: 1, lines: 50 });
  });
});
