// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real app
// started by the real `apphostctl up`: login through the printed URL, 401 without it, every
// resource with its URL, live rows, the actions, and a screenshot of each page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { waitFor } from '../support/wait.ts';
import { dashboardUrl, launchBrowser, SAY_APP, screenshot } from './browser.ts';

const APP_YAML = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: api}
spec:
  executable: {command: node, args: [say.mjs]}
  endpoints: [{scheme: http, env: PORT}]
  healthCheck: {endpoint: http, path: /health}
  env:
    - {name: DB_PASSWORD, value: hunter2-very-secret}
    - {name: GREETING, value: hello-plain}
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: web}
spec:
  executable: {command: node, args: [say.mjs]}
  endpoints: [{scheme: http, env: PORT}]
  references: [{resource: api}]
  waitFor: [{resource: api, condition: Healthy}]
`;

describe('dashboard in a browser', { timeout: 90_000 }, () => {
  let app: CliApp;
  let browser: Browser;
  let page: Page;
  let loginUrl: string;
  let base: string;

  const row = (name: string) => page.locator(`tr.resource[data-resource="${name}"]`);
  const replicaRows = (resource: string) => page.locator(`tr.replica[data-replica^="${resource}-"]`);
  const pidOnPage = (replica: string) => page.locator(`tr.replica[data-replica="${replica}"] [data-pid]`).getAttribute('data-pid', { timeout: 1000 }).catch(() => null);

  beforeAll(async () => {
    app = await startCliApp({
      name: 'dash',
      files: { 'say.mjs': SAY_APP, 'apphost.yaml': APP_YAML },
      ready: /\[apphost\] web: Running 1\/1 ready/,
    });
    loginUrl = dashboardUrl(app.up.output());
    base = new URL(loginUrl).origin;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop('SIGINT');
  });

  it('prints the dashboard URL among the first lines of `up`', () => {
    const lines = app.up.output().split('\n');
    expect(lines.findIndex((l) => l.startsWith('dashboard  http://127.0.0.1:'))).toBeLessThan(3);
  });

  it('answers 401 without the login cookie', async () => {
    for (const path of ['/', '/assets/main.js', '/api/stream']) expect((await fetch(base + path)).status, path).toBe(401);
    const res = await page.goto(base + '/');
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toMatch(/apphostctl dashboard/);
    expect((await page.goto(`${base}/login?t=not-the-token`))?.status()).toBe(401);
  });

  it('logs in through the printed URL: an HttpOnly SameSite=Strict cookie, then the resources page', async () => {
    await page.goto(loginUrl);
    expect(new URL(page.url()).pathname).toBe('/');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.locator('tr.resource').first().waitFor();
    expect(await page.locator('.app-name').textContent()).toBe('dash');
  });

  it('shows every resource with its state and its URL as a link once ready', async () => {
    for (const name of ['api', 'web']) {
      const ep = await waitFor(`the ${name} endpoint URL`, async () => (await app.get('endpoints', `${name}-http`))?.status?.url as string | undefined);
      const link = row(name).locator('a.endpoint');
      await link.waitFor();
      expect(await link.getAttribute('href')).toBe(ep);
      expect(await link.textContent()).toBe(ep);
      expect(await row(name).getAttribute('data-state')).toBe('Running');
      expect(await row(name).locator('[data-field="ready"]').textContent()).toBe('1/1');
    }
    await screenshot(page, 'resources');
  });

  it('scales 1 -> 3 from the page and the rows follow live', async () => {
    await row('api').locator('[data-action="scale"]').click();
    await row('api').locator('input[aria-label="replicas"]').fill('3');
    await row('api').locator('[data-action="scale-apply"]').click();
    await page.locator('tr.resource[data-resource="api"] [data-field="ready"]', { hasText: '3/3' }).waitFor({ timeout: 30_000 });
    expect(await replicaRows('api').count()).toBe(3);
    expect((await app.get('resources', 'api')).spec.replicas).toBe(3);
    for (const r of await app.list('replicas')) {
      if (r.spec.resource !== 'api') continue;
      expect(await pidOnPage(r.metadata.name)).toBe(String(r.status.pid));
    }
    await screenshot(page, 'resources-scaled');
  });

  it('restarts from the page: the replica gets a new pid', async () => {
    const before = await pidOnPage('web-0');
    expect(before).toMatch(/^\d+$/);
    await row('web').locator('[data-action="restart"]').click();
    const after = await waitFor('a new pid for web-0 on the page', async () => {
      const pid = await pidOnPage('web-0');
      return pid && pid !== before ? pid : undefined;
    }, 30_000);
    // The page shows what the API says, within a second of the API saying it.
    await waitFor('the API and the page to agree', async () => String((await app.get('replicas', 'web-0'))?.status?.pid) === (await pidOnPage('web-0')), 1000);
    expect(after).not.toBe(before);
  });

  it('stops and starts from the page', async () => {
    await row('web').locator('[data-action="stop"]').click();
    await page.locator('tr.resource[data-resource="web"][data-state="Stopped"]').waitFor({ timeout: 30_000 });
    expect((await app.get('resources', 'web')).spec.stopped).toBe(true);
    await screenshot(page, 'resources-stopped');
    await row('web').locator('[data-action="start"]').click();
    await page.locator('tr.resource[data-resource="web"][data-state="Running"]').waitFor({ timeout: 30_000 });
    expect((await app.get('resources', 'web')).spec.stopped).toBe(false);
  });

  it('shows a refused action as an error in the page', async () => {
    await row('api').locator('[data-action="scale"]').click();
    await row('api').locator('input[aria-label="replicas"]').fill('-2');
    await row('api').locator('[data-action="scale-apply"]').click();
    const notice = page.locator('.notice');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/scale api: .*replicas/);
    await notice.locator('button').click();
    await page.keyboard.press('Escape');
  });

  it('filters by text and by kind', async () => {
    await page.fill('input[aria-label="Filter resources"]', 'web');
    await waitFor('only web', async () => (await page.locator('tr.resource').count()) === 1);
    expect(await page.locator('tr.resource').getAttribute('data-resource')).toBe('web');
    await page.fill('input[aria-label="Filter resources"]', '');
    await page.selectOption('select[aria-label="Kind"]', 'container');
    await waitFor('no rows', async () => (await page.locator('tr.resource').count()) === 0);
    expect(await page.locator('.empty').textContent()).toMatch(/No resource matches/);
    await page.selectOption('select[aria-label="Kind"]', '');
    await waitFor('both rows', async () => (await page.locator('tr.resource').count()) === 2);
  });
});
