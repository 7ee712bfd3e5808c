import { describe, expect, it } from 'vitest';
import { parseConnectionTemplate } from './connection-template.ts';

describe('parseConnectionTemplate', () => {
  it('reads endpoint properties, resource parameters, plain parameters and literal braces', () => {
    const t = parseConnectionTemplate('{cache.tcp.host}:{cache.tcp.PORT},password={cache.password};k={api-key};x={{y}}');
    expect(t).toEqual({
      ok: true,
      parts: [
        { kind: 'endpoint', resource: 'cache', endpoint: 'tcp', property: 'host' },
        { kind: 'text', text: ':' },
        { kind: 'endpoint', resource: 'cache', endpoint: 'tcp', property: 'port' },
        { kind: 'text', text: ',password=' },
        { kind: 'parameter', name: 'cache-password' },
        { kind: 'text', text: ';k=' },
        { kind: 'parameter', name: 'api-key' },
        { kind: 'text', text: ';x={y}' },
      ],
    });
    expect(parseConnectionTemplate('{connectionString};Database=o')).toEqual({ ok: true, parts: [{ kind: 'connectionString' }, { kind: 'text', text: ';Database=o' }] });
  });

  it.each([
    ['{cache.tcp.hots}', /unknown endpoint property "hots"/],
    ['{a.b.c.d}', /expected/],
    ['{a..b}', /empty name/],
    ['x{open', /unclosed/],
    ['x}', /unmatched/],
  ])('refuses %s with a message', (template, message) => {
    const t = parseConnectionTemplate(template);
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.message).toMatch(message);
  });
});
