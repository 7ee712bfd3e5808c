// Which variables hold secrets. One rule for every place that must not show or ship a value in the
// clear: the dashboard masks these values and `apphostctl export` moves them into a Kubernetes
// Secret or a Compose `.env` entry, leaving the value out unless asked to include it.

/** Name fragments that mark a value as secret (compared case-insensitively). */
export const SECRET_NAME_PARTS: readonly string[] = ['PASSWORD', 'SECRET', 'TOKEN', 'KEY', 'CONNECTIONSTRING'];

/**
 * True when an environment variable (or parameter) name looks like it holds a secret: its name
 * contains PASSWORD, SECRET, TOKEN, KEY or CONNECTIONSTRING in any case, so `DB_PASSWORD`,
 * `apiKey` and `ConnectionStrings__db` do, `PORT` and `services__api__http__0` do not.
 */
export function looksSecret(name: string): boolean {
  const upper = name.toUpperCase();
  return SECRET_NAME_PARTS.some((part) => upper.includes(part));
}
