import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../api/types.ts';
import { effectiveEndpoints, launchProfileEnv, projectEndpointsFor } from './resource.ts';

const FIX = fileURLToPath(new URL('../../test/fixtures/dotnet/', import.meta.url));

const res = (spec: Resource['spec'], baseDir = FIX): Resource => ({
  apiVersion: 'apphost.dev/v1',
  kind: 'Resource',
  metadata: { name: 'orders', annotations: { 'apphost.dev/base-dir': baseDir } },
  spec,
});

describe('launch profiles in manifests (spec.executable.launchProfile)', () => {
  it('adds the derived endpoints; explicit spec endpoints win by name', () => {
    const r = res({
      executable: { command: 'dotnet', args: ['run'], workingDir: 'profiles', launchProfile: { name: 'https' } },
      endpoints: [{ name: 'http', scheme: 'http', port: 8080 }],
    });
    expect(effectiveEndpoints(r)).toEqual([
      { name: 'http', scheme: 'http', port: 8080 },
      { name: 'https', scheme: 'https', port: 7001 },
      { name: 'https2', scheme: 'https', port: 7002 },
    ]);
  });

  it('takes DOTNET_LAUNCH_PROFILE from the resource env', () => {
    const r = res({
      executable: { command: 'dotnet', workingDir: 'profiles', launchProfile: {} },
      env: [{ name: 'DOTNET_LAUNCH_PROFILE', value: 'http' }],
    });
    expect(projectEndpointsFor(r)?.profile).toBe('http');
  });

  it('gives the replica its listen URLs and the profile env', () => {
    const kestrel = res({ executable: { command: 'dotnet', workingDir: 'kestrel', launchProfile: {} } });
    expect(launchProfileEnv(kestrel, { http: 41000 })).toEqual([{ name: 'Kestrel__Endpoints__Http__Url', value: 'http://localhost:41000' }]);
    const plain = res({ executable: { command: 'node' } });
    expect(projectEndpointsFor(plain)).toBeUndefined();
    expect(launchProfileEnv(plain, {})).toEqual([]);
    expect(effectiveEndpoints({ ...plain, spec: { ...plain.spec, endpoints: [{ name: 'x' }] } })).toEqual([{ name: 'x' }]);
  });
});
