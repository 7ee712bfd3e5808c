// `.apphost/dashboard-url`: the login URL of the dashboard `apphostctl up` serves (mode 0600: it
// holds the browser token), so that `apphostctl dashboard` can print it again.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_URL_FILE = 'dashboard-url';

export function writeDashboardUrl(stateDir: string, url: string): void {
  writeFileSync(join(stateDir, DASHBOARD_URL_FILE), `${url}\n`, { mode: 0o600 });
}

export function readDashboardUrl(stateDir: string): string | undefined {
  const path = join(stateDir, DASHBOARD_URL_FILE);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() || undefined : undefined;
}

export function removeDashboardUrl(stateDir: string): void {
  rmSync(join(stateDir, DASHBOARD_URL_FILE), { force: true });
}
