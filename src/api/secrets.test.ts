import { describe, expect, it } from 'vitest';
import { looksSecret } from './secrets.ts';

describe('looksSecret', () => {
  it.each(['DB_PASSWORD', 'password', 'CLIENT_SECRET', 'GITHUB_TOKEN', 'apiKey', 'API_KEY', 'ConnectionStrings__db', 'CONNECTIONSTRING'])(
    '%s looks secret',
    (name) => expect(looksSecret(name)).toBe(true),
  );

  it.each(['PORT', 'services__api__http__0', 'API_HTTP', 'NODE_ENV', 'CONNECTION', 'PASS', 'TOKE'])('%s does not', (name) =>
    expect(looksSecret(name)).toBe(false),
  );
});
