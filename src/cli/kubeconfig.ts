// Finds the kubeconfig of the running apphost: `--kubeconfig`, else `.apphost/kubeconfig` in the
// current directory or the nearest parent that has one.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError, NO_APPHOST_MESSAGE } from './errors.ts';

export const APPHOST_DIR = '.apphost';
export const KUBECONFIG_FILE = 'kubeconfig';

export function findKubeconfig(options: { explicit?: string; cwd?: string } = {}): string {
  if (options.explicit) {
    const p = resolve(options.cwd ?? process.cwd(), options.explicit);
    if (!existsSync(p)) throw new CliError('NO_APPHOST', `kubeconfig ${options.explicit} does not exist`);
    return p;
  }
  let dir = resolve(options.cwd ?? process.cwd());
  for (;;) {
    const candidate = join(dir, APPHOST_DIR, KUBECONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new CliError('NO_APPHOST', NO_APPHOST_MESSAGE);
    dir = parent;
  }
}
