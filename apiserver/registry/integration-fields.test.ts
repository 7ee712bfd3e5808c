// The Resource fields of the integrations (issue 13) through the real registry: the specs the
// builder produces are admitted; mistakes are 422s naming the field.
import { describe, expect, it } from 'vitest';
import { ApiError, type StatusCause } from '../../src/api/status.ts';
import type { KubeObject, ResourceSpec } from '../../src/api/types.ts';
import { postgresSpec, rabbitmqSpec, redisSpec } from '../../src/integrations/index.ts';
import { createApphostRegistry } from './index.ts';

const registry = createApphostRegistry();
const info = registry.resolve('res')!;
const resource = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: 'r', namespace: 'default' }, spec });

function causes(obj: KubeObject): StatusCause[] {
  try {
    registry.admit(info, obj, 'CREATE');
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'Invalid') return err.details?.causes ?? [];
    throw err;
  }
  return [];
}

const exe = { command: 'node' };

describe('integration fields at admission', () => {
  it.each([
    ['redis', redisSpec('r')],
    ['postgres', postgresSpec('r')],
    ['rabbitmq', rabbitmqSpec('r', { management: true })],
  ])('the %s spec is admitted, fields kept (not pruned)', (_n, made) => {
    const spec = { ...made.spec, endpoints: made.endpoints, databases: [{ name: 'orders' }] } as ResourceSpec;
    expect(causes(resource(spec as Record<string, unknown>))).toEqual([]);
    const admitted = registry.admit(info, resource(spec as Record<string, unknown>), 'CREATE').object.spec as ResourceSpec;
    expect(admitted.connectionString).toBe(spec.connectionString);
    expect(admitted.parameters).toEqual(spec.parameters);
    expect(admitted.env).toEqual(spec.env);
    expect(admitted.healthCheck).toEqual(spec.healthCheck);
    expect(admitted.databases).toEqual([{ name: 'orders' }]);
  });

  it('an https endpoint with tlsTermination proxy and a database reference are admitted', () => {
    expect(causes(resource({ executable: exe, endpoints: [{ scheme: 'https', tlsTermination: 'proxy', env: 'PORT' }], references: [{ resource: 'pg', database: 'orders' }] }))).toEqual([]);
  });

  it.each([
    ['valueFrom with neither endpoint nor parameter', { executable: exe, env: [{ name: 'X', valueFrom: {} }] }, 'spec.env[0].valueFrom'],
    ['valueFrom with both', { executable: exe, env: [{ name: 'X', valueFrom: { endpoint: { resource: 'a' }, parameter: { name: 'p' } } }] }, 'spec.env[0].valueFrom'],
    ['a secret parameter with a value in the manifest', { executable: exe, parameters: [{ name: 'p', secret: true, value: 'hunter2' }] }, 'spec.parameters[0].value'],
    ['a parameter declared twice', { executable: exe, parameters: [{ name: 'p' }, { name: 'p' }] }, 'spec.parameters[1].name'],
    ['a database declared twice', { executable: exe, databases: [{ name: 'd' }, { name: 'd' }] }, 'spec.databases[1].name'],
    ['a reference naming a database and an endpoint', { executable: exe, references: [{ resource: 'pg', database: 'd', endpoint: 'tcp' }] }, 'spec.references[0].endpoint'],
    ['an unknown health check type', { executable: exe, healthCheck: { type: 'mysql' } }, 'spec.healthCheck.type'],
    ['an unknown tlsTermination', { executable: exe, endpoints: [{ scheme: 'https', tlsTermination: 'edge' }] }, 'spec.endpoints[0].tlsTermination'],
  ])('refuses %s', (_what, spec, field) => {
    expect(causes(resource(spec)).map((c) => c.field)).toContain(field);
  });
});
