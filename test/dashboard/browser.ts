// Debian's Chromium driven by playwright-core, for the dashboard's browser tests; screenshots go to
// test-artifacts/dashboard/ (ignored by git).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/apiserver.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS_DIR = join(REPO_ROOT, 'test-artifacts', 'dashboard');

/**
 * Run the browser suites? Without /usr/bin/chromium they are skipped with a notice (as the Docker
 * suites are); with APPHOST_REQUIRE_BROWSER=1 (CI: .ci/run installs chromium) they run and fail.
 */
export function browserSuitesRun(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const v = process.env.APPHOST_REQUIRE_BROWSER;
  if (v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false') return true;
  console.warn(`${CHROMIUM} not found: skipping the dashboard's browser tests (apt-get install chromium); set APPHOST_REQUIRE_BROWSER=1 to fail instead`);
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const path = join(SHOTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The `dashboard  http://127.0.0.1:<port>/login?t=<token>` line `apphostctl up` prints. */
export function dashboardUrl(output: string): string {
  const m = /^dashboard {2}(http:\/\/127\.0\.0\.1:\d+\/login\?t=\S+)$/m.exec(output);
  if (!m) throw new Error(`no dashboard line in the output of apphostctl up: ${output}`);
  return m[1];
}

/** A node app for the browser tests: /say?text=..&err=1 prints a line, /flood?n=N prints N, /health answers ok. */
export const SAY_APP = `
import { createServer } from 'node:http';
const name = process.env.APPHOST_REPLICA ?? 'app';
const server = createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/say') (u.searchParams.get('err') ? console.error : console.log)(u.searchParams.get('text'));
  if (u.pathname === '/flood') {
    const n = Number(u.searchParams.get('n'));
    let chunk = '';
    for (let i = 0; i < n; i++) {
      chunk += 'flood ' + i + ' ' + 'x'.repeat(40) + '\\n';
      if (chunk.length > 65536 || i === n - 1) { process.stdout.write(chunk); chunk = ''; }
    }
  }
  res.end(u.pathname === '/health' ? 'ok' : 'hello from ' + name);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log('\\x1b[32mready\\x1b[0m ' + name + ' pid ' + process.pid));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
