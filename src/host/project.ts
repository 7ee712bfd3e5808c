// The application's identity: its name (given, or the folder's basename, made DNS-1123 friendly) and
// the project hash (a hash of the folder's absolute path). Both go into network and container names.
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';

export function projectHash(dir: string): string {
  return createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 12);
}

/** `options.name`, else the folder's basename lower-cased with anything outside [a-z0-9-] as '-'. */
export function applicationName(dir: string, name?: string): string {
  if (name) return name;
  const base = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return base || 'app';
}
