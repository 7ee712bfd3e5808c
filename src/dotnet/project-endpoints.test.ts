import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DotnetError } from './errors.ts';
import { deriveProjectEndpoints, mergeEndpoints, projectEnvironment } from './project-endpoints.ts';
import { stripJsonComments } from './read-json.ts';
import { endpointNameFor } from './kestrel.ts';

const FIX = fileURLToPath(new URL('../../test/fixtures/dotnet/', import.meta.url));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof DotnetError ? err.code : 'other';
  }
  return undefined;
}

describe('launch profiles', () => {
  it('takes the first Project profile when nothing is named; several https URLs become https, https2', () => {
    const r = deriveProjectEndpoints({ project: join(FIX, 'profiles') });
    expect(r.source).toBe('launchProfile');
    expect(r.profile).toBe('https');
    expect(r.endpoints).toEqual([
      { name: 'https', scheme: 'https', port: 7001 },
      { name: 'https2', scheme: 'https', port: 7002 },
      { name: 'http', scheme: 'http', port: 5000 },
    ]);
    expect(r.environment).toEqual({ ASPNETCORE_ENVIRONMENT: 'Development' });
    expect(r.warnings).toEqual([]);
  });

  it('an explicit name wins over DOTNET_LAUNCH_PROFILE', () => {
    const r = deriveProjectEndpoints({
      project: join(FIX, 'profiles', 'api.csproj'),
      launchProfile: { name: 'http' },
      env: { DOTNET_LAUNCH_PROFILE: 'https' },
    });
    expect(r.profile).toBe('http');
    expect(r.endpoints).toEqual([{ name: 'http', scheme: 'http', port: 5050, isExternal: true }]);
    expect(r.environment).toEqual({ GREETING: 'hello // not a comment' });
  });

  it('DOTNET_LAUNCH_PROFILE wins over the first profile', () => {
    const r = deriveProjectEndpoints({ project: join(FIX, 'profiles'), env: { DOTNET_LAUNCH_PROFILE: 'http' } });
    expect(r.profile).toBe('http');
    expect(r.endpoints.map((e) => e.port)).toEqual([5050]);
  });

  it('a profile without applicationUrl gives no endpoints', () => {
    const r = deriveProjectEndpoints({ project: join(FIX, 'profiles'), launchProfile: { name: 'nourl' } });
    expect(r.source).toBe('none');
    expect(r.endpoints).toEqual([]);
  });

  it('an unknown profile name is a clear error', () => {
    expect(codeOf(() => deriveProjectEndpoints({ project: join(FIX, 'profiles'), launchProfile: { name: 'nope' } }))).toBe(
      'DOTNET_PROFILE_NOT_FOUND',
    );
    expect(() => deriveProjectEndpoints({ project: join(FIX, 'profiles'), env: { DOTNET_LAUNCH_PROFILE: 'x' } })).toThrow(
      /DOTNET_LAUNCH_PROFILE="x".*profiles: IIS Express, https, http, nourl/,
    );
  });

  it('an explicit launch settings file is read relative to the project', () => {
    const r = deriveProjectEndpoints({
      project: join(FIX, 'none'),
      launchProfile: { file: '../profiles/Properties/launchSettings.json', name: 'http' },
    });
    expect(r.endpoints.map((e) => e.name)).toEqual(['http']);
  });

  it('ASPNETCORE_URLS lists every endpoint with its target port', () => {
    const r = deriveProjectEndpoints({ project: join(FIX, 'profiles') });
    const env = projectEnvironment(r, { targetPorts: { https: 41001, https2: 41002, http: 41003 } });
    expect(env).toEqual([
      { name: 'ASPNETCORE_ENVIRONMENT', value: 'Development' },
      { name: 'ASPNETCORE_URLS', value: 'https://localhost:41001;https://localhost:41002;http://localhost:41003' },
    ]);
  });
});

describe('Kestrel endpoints', () => {
  it('win over the launch profile, with a warning, and inject Kestrel__Endpoints__<name>__Url', () => {
    const r = deriveProjectEndpoints({ project: join(FIX, 'kestrel') });
    expect(r.source).toBe('kestrel');
    expect(r.endpoints).toEqual([
      { name: 'http', scheme: 'http', port: 5100 },
      { name: 'grpc-internal', scheme: 'http', port: 5200, transport: 'http2' },
    ]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/Kestrel:Endpoints.*applicationUrl of launch profile "http" is ignored/);
    const env = projectEnvironment(r, { targetPorts: { http: 40000, 'grpc-internal': 40001 } });
    expect(env).toEqual([
      { name: 'Kestrel__Endpoints__Http__Url', value: 'http://localhost:40000' },
      { name: 'Kestrel__Endpoints__Grpc_Internal__Url', value: 'http://localhost:40001' },
    ]);
  });

  it('are read case-insensitively without any launch profile, and without a warning', () => {
    const r = deriveProjectEndpoints({ project: join(FIX, 'nolaunch-kestrel') });
    expect(r.source).toBe('kestrel');
    expect(r.profile).toBeUndefined();
    expect(r.endpoints).toEqual([{ name: 'https', scheme: 'https', port: 7443 }]);
    expect(r.warnings).toEqual([]);
  });

  it('come from appsettings.<Environment>.json when the profile sets ASPNETCORE_ENVIRONMENT', () => {
    const r = deriveProjectEndpoints({ project: join(FIX, 'envoverlay') });
    expect(r.source).toBe('kestrel');
    expect(r.endpoints).toEqual([{ name: 'web', scheme: 'http', port: 6100 }]);
    expect(r.warnings).toHaveLength(1);
    // Without the overlay environment, the launch profile applies.
    const plain = deriveProjectEndpoints({ project: join(FIX, 'envoverlay'), env: { ASPNETCORE_ENVIRONMENT: 'Production' } });
    expect(plain.source).toBe('launchProfile');
  });
});

describe('no configuration', () => {
  it('no launch settings and no Kestrel endpoints: no endpoints', () => {
    const r = deriveProjectEndpoints({ project: join(FIX, 'none') });
    expect(r).toMatchObject({ source: 'none', endpoints: [], bindings: [], warnings: [] });
    expect(projectEnvironment(r, { targetPorts: {} })).toEqual([]);
  });

  it('a missing project folder gives no endpoints', () => {
    expect(deriveProjectEndpoints({ project: join(FIX, 'does-not-exist') }).endpoints).toEqual([]);
  });
});

describe('helpers', () => {
  it('mergeEndpoints keeps explicit endpoints and appends the derived ones not named', () => {
    expect(
      mergeEndpoints([{ name: 'http', port: 9000 }], [
        { name: 'http', scheme: 'http', port: 5000 },
        { name: 'https', scheme: 'https', port: 7000 },
      ]),
    ).toEqual([{ name: 'http', port: 9000 }, { name: 'https', scheme: 'https', port: 7000 }]);
  });

  it('endpointNameFor makes valid endpoint names', () => {
    expect(endpointNameFor('Grpc_Internal')).toBe('grpc-internal');
    expect(endpointNameFor('1st')).toBe('ep-1st');
    expect(endpointNameFor('A--B-')).toBe('a-b');
  });

  it('stripJsonComments leaves strings alone', () => {
    expect(JSON.parse(stripJsonComments('{"a": "x // y, }", /* c */ "b": [1,2,],}'))).toEqual({ a: 'x // y, }', b: [1, 2] });
  });
});
