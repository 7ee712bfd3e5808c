import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createBuilder } from '../../src/builder/builder.ts';

const FIX = fileURLToPath(new URL('../fixtures/dotnet/', import.meta.url));

describe('addProject', () => {
  it('derives endpoints from the launch profile and keeps the profile for the controllers', () => {
    const b = createBuilder({ baseDir: FIX });
    const api = b.addProject('api', 'profiles/api.csproj', { launchProfile: 'https' });
    expect(api.endpointNames()).toEqual(['https', 'https2', 'http']);
    api.withEndpointCallback('https2', (ep) => {
      ep.excludeFromReferences = true;
    });
    b.addNodeApp('web', '.', 'w.js').withReference(api.getEndpoint('https'));
    const [obj] = b.build().manifests();
    expect(obj.spec).toEqual({
      executable: {
        command: 'dotnet',
        args: ['run', '--project', 'api.csproj', '--no-launch-profile'],
        workingDir: 'profiles',
        launchProfile: { name: 'https' },
      },
      endpoints: [
        { scheme: 'https', port: 7001 },
        { name: 'https2', scheme: 'https', port: 7002, excludeFromReferences: true },
        { scheme: 'http', port: 5000 },
      ],
    });
  });

  it('Kestrel endpoints win, with a warning to the logger', () => {
    const warnings: string[] = [];
    const b = createBuilder({ baseDir: FIX, logger: { warn: (m: unknown) => void warnings.push(String(m)) } as never });
    const svc = b.addProject('svc', 'kestrel');
    expect(svc.endpointNames()).toEqual(['http', 'grpc-internal']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ignored');
  });

  it('no launch profile and no Kestrel endpoints: no endpoints', () => {
    const b = createBuilder({ baseDir: FIX });
    expect(b.addProject('none', 'none').endpointNames()).toEqual([]);
    expect(b.build().manifests()[0].spec).not.toHaveProperty('endpoints');
  });
});
