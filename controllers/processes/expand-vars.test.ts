import { describe, expect, it } from 'vitest';
import { expandVars } from './expand-vars.ts';

describe('expandVars', () => {
  const env = new Map([
    ['PORT', '5001'],
    ['HOST', 'localhost'],
  ]);
  it('replaces $(NAME) from the env', () => {
    expect(expandVars('-p $(PORT)', env)).toBe('-p 5001');
    expect(expandVars('$(HOST):$(PORT)', env)).toBe('localhost:5001');
  });
  it('leaves unknown references and plain text alone', () => {
    expect(expandVars('$(NOPE) $PORT ${PORT}', env)).toBe('$(NOPE) $PORT ${PORT}');
  });
  it('$$ escapes a dollar', () => {
    expect(expandVars('$$(PORT) costs $$5', env)).toBe('$(PORT) costs $5');
  });
});
