// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real app
// started by the real `apphostctl up`: login through the printed URL, 401 without it, every
// resource with its URL, live rows, the actions, and a screenshot of each page.
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { waitFor } from '../support/wait.ts';
import { browserSuitesRun, dashboardUrl, launchBrowser, SAY_APP, screenshot } from './browser.ts';

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
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: flood}
spec:
  executable: {command: node, args: [say.mjs]}
  endpoints: [{scheme: http, env: PORT}]
`;

describe.runIf(browserSuitesRun())('dashboard in a browser', { timeout: 90_000 }, () => {
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
      ready: /\[apphost\] web: Running 1\/1 ready[\s\S]*\[apphost\] flood: Running 1\/1 ready|\[apphost\] flood: Running 1\/1 ready[\s\S]*\[apphost\] web: Running 1\/1 ready/,
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
    for (const name of ['api', 'web', 'flood']) {
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
    await row('web').locator('[data-action="restart"]', { hasText: 'Restarting…' }).waitFor({ timeout: 5000 });
    const after = await waitFor('a new pid for web-0 on the page', async () => {
      const pid = await pidOnPage('web-0');
      return pid && pid !== before ? pid : undefined;
    }, 30_000);
    // The page shows what the API says, within a second of the API saying it.
    await waitFor('the API and the page to agree', async () => String((await app.get('replicas', 'web-0'))?.status?.pid) === (await pidOnPage('web-0')), 1000);
    expect(after).not.toBe(before);
    // The button says so while the restart runs, and comes back once the new replica is ready.
    await page.locator('tr.resource[data-resource="web"] [data-action="restart"]', { hasText: /^Restart$/ }).waitFor({ timeout: 30_000 });
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
    await waitFor('every row', async () => (await page.locator('tr.resource').count()) === 3);
  });

  it('shows the details of a resource: spec, endpoints with proxy counters, references, conditions', async () => {
    const ep = (await app.get('endpoints', 'api-http')).status.url as string;
    for (let i = 0; i < 3; i++) await (await fetch(ep)).text();
    await page.goto(`${base}/#/resources/api`);
    await page.locator('[data-details="api"]').waitFor();
    expect(await page.locator('[data-card="spec"]').textContent()).toContain('node say.mjs');
    expect(await page.locator('[data-card="endpoints"] a.endpoint').getAttribute('href')).toBe(ep);
    await waitFor('proxy counters on the page', async () => Number(await page.locator('[data-endpoint-row="http"] [data-counter="total"]').textContent()) >= 1, 10_000);
    expect(await page.locator('[data-card="conditions"] [data-condition="Ready"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'details');
    await page.goto(`${base}/#/resources/web`);
    await page.locator('[data-details="web"]').waitFor();
    const deps = await page.locator('[data-card="dependencies"]').textContent();
    expect(deps).toMatch(/References\s*api/);
    expect(deps).toMatch(/Waits for\s*api.*Healthy/);
  });

  it('masks secret-looking env values until clicked', async () => {
    await page.goto(`${base}/#/resources/api`);
    const secret = page.locator('[data-card="environment"] [data-secret="DB_PASSWORD"]');
    await secret.waitFor();
    expect(await secret.textContent()).not.toContain('hunter2');
    expect(await page.locator('[data-card="environment"]').textContent()).not.toContain('hunter2');
    expect(await page.locator('[data-card="environment"] tr[data-env="GREETING"]').textContent()).toContain('hello-plain');
    await screenshot(page, 'details-env-masked');
    await secret.click();
    expect(await secret.textContent()).toBe('hunter2-very-secret');
    await secret.click();
    expect(await secret.textContent()).not.toContain('hunter2');
  });

  it('streams console logs: a line printed after the page opened shows within 1 s, stderr marked, ANSI rendered', async () => {
    await page.goto(`${base}/#/console/api`);
    const ready = page.locator('.log-line', { hasText: 'ready api-0' });
    await ready.waitFor();
    // ANSI colours become styles, not escape characters.
    expect(await ready.locator('.text span[style*="color"]').count()).toBe(1);
    expect(await ready.textContent()).not.toContain('\x1b');
    const ep = (await app.get('endpoints', 'api-http')).status.url as string;
    const marker = `marker-${Date.now()}`;
    await (await fetch(`${ep}/say?text=${marker}`)).text();
    const printed = Date.now();
    await page.locator('.log-line', { hasText: marker }).waitFor({ timeout: 1000 });
    expect(Date.now() - printed).toBeLessThan(1000);
    await (await fetch(`${ep}/say?text=oops-${marker}&err=1`)).text();
    const err = page.locator('.log-line', { hasText: `oops-${marker}` });
    await err.waitFor({ timeout: 1000 });
    expect(await err.getAttribute('data-stream')).toBe('e');
    expect(await err.getAttribute('class')).toContain('stderr');
    await screenshot(page, 'console');
  });

  it('filters, pauses and downloads console logs', async () => {
    await page.goto(`${base}/#/console/api`);
    await page.locator('.log-line', { hasText: 'ready api-0' }).waitFor();
    const ep = (await app.get('endpoints', 'api-http')).status.url as string;
    const tag = `f${Date.now()}`;
    for (const n of [1, 2, 3]) await (await fetch(`${ep}/say?text=${tag}-${n}`)).text();
    await page.locator('.log-line', { hasText: `${tag}-3` }).waitFor({ timeout: 2000 });
    await page.fill('input[aria-label="Filter lines"]', `${tag}-2`);
    await waitFor('one matching line', async () => (await page.locator('.log-line').count()) === 1);
    expect(await page.locator('.log-line').textContent()).toContain(`${tag}-2`);
    await screenshot(page, 'console-filtered');
    await page.fill('input[aria-label="Filter lines"]', '');
    // Paused: new lines are held back, and shown on resume.
    await page.getByRole('button', { name: 'Pause' }).click();
    await (await fetch(`${ep}/say?text=${tag}-held`)).text();
    await page.getByRole('button', { name: /Resume \(1\)/ }).waitFor({ timeout: 2000 });
    expect(await page.locator('.log-line', { hasText: `${tag}-held` }).count()).toBe(0);
    await page.getByRole('button', { name: /Resume/ }).click();
    await page.locator('.log-line', { hasText: `${tag}-held` }).waitFor({ timeout: 1000 });
    const text = await page.evaluate(async () => (await fetch((document.querySelector('a[download]') as HTMLAnchorElement).href)).text());
    expect(text).toMatch(new RegExp(`^\\S+Z api-\\d stdout ${tag}-1$`, 'm'));
  });

  it('shows one replica only', async () => {
    await page.goto(`${base}/#/console/api/api-1`);
    await page.locator('.log-line', { hasText: 'ready api-1' }).waitFor();
    expect(await page.locator('.log-line', { hasText: 'ready api-0' }).count()).toBe(0);
    expect(await page.locator('.log-line .rep').count()).toBe(0);
  });

  it('draws the graph: resources as nodes coloured by state, references and waitFor as edges', async () => {
    await page.goto(`${base}/#/graph`);
    await page.locator('[data-node="api"]').waitFor();
    expect(await page.locator('[data-node]').count()).toBe(3);
    expect(await page.locator('[data-edge="web>api"]').count()).toBe(1);
    expect(await page.locator('[data-node="web"]').getAttribute('data-state')).toBe('Running');
    await screenshot(page, 'graph');
    await page.locator('[data-node="api"]').click();
    await page.locator('[data-details="api"]').waitFor();
  });

  it('keeps 100,000 console lines responsive: a bounded window, only the rows in view in the DOM', async () => {
    await page.goto(`${base}/#/console/flood`);
    await page.locator('.log-line', { hasText: 'ready flood-0' }).waitFor();
    const ep = (await app.get('endpoints', 'flood-http')).status.url as string;
    const sent = Date.now();
    await (await fetch(`${ep}/flood?n=120000`)).text();
    await page.locator('.log-line', { hasText: /^.*flood 119999 x+$/ }).waitFor({ timeout: 20_000 });
    const caughtUpMs = Date.now() - sent;
    const count = Number(await page.locator('[data-count]').getAttribute('data-count'));
    // The window is bounded (oldest dropped in tenths), and nearly everything arrived.
    expect(count).toBeLessThanOrEqual(100_000);
    expect(count).toBeGreaterThanOrEqual(80_000);
    expect(await page.locator('.log-line').count()).toBeLessThan(150);
    // Jumping to the top and filtering 100,000 lines each take well under a second.
    const jumpMs = await page.evaluate(async () => {
      const view = document.querySelector('.log-view') as HTMLElement;
      const t = performance.now();
      view.scrollTop = 0;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      if (!/flood \d+ /.test(view.querySelector('.log-line')?.textContent ?? '')) throw new Error('no line at the top');
      return performance.now() - t;
    });
    expect(jumpMs).toBeLessThan(500);
    const filterStart = Date.now();
    await page.fill('input[aria-label="Filter lines"]', 'flood 11999');
    // 119990-119999 (line 11999 itself left the window long ago).
    await waitFor('the filtered view', async () => Number(await page.locator('[data-count]').getAttribute('data-count')) === 10, 2000);
    const filterMs = Date.now() - filterStart;
    expect(filterMs).toBeLessThan(1000);
    await screenshot(page, 'console-100k-filtered');
    console.log(`100,000-line console: caught up ${caughtUpMs} ms after 120,000 lines were printed; jump to top ${Math.round(jumpMs)} ms; filter ${filterMs} ms; ${count} lines held`);
  });

  it('shows the events of a resource and its replicas on its details page', async () => {
    await page.goto(`${base}/#/resources/api`);
    const card = page.locator('[data-card="events"]');
    await card.locator('[data-event="Scaled"]').waitFor();
    expect(await card.locator('[data-event="Scaled"]').first().textContent()).toContain('scaled up from 1 to 3');
    expect(await card.locator('[data-event="Started"]', { hasText: 'replica api-2 started' }).count()).toBe(1);
    expect(await card.locator('[data-event="Started"]', { hasText: 'web-0' }).count()).toBe(0);
  });

  it('shows PortInUse naming the holder', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const clash = `apiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {name: clash, namespace: default}\nspec:\n  executable: {command: node, args: [say.mjs]}\n  endpoints: [{scheme: http, port: ${port}, env: PORT}]\n`;
      const created = await app.client.request({ method: 'POST', path: '/apis/apphost.dev/v1/namespaces/default/resources', body: clash, headers: { 'content-type': 'application/yaml' } });
      expect(created.status).toBe(201);
      await page.goto(`${base}/#/resources/clash`);
      const ev = page.locator('[data-card="events"] [data-event="PortInUse"]').first();
      await ev.waitFor({ timeout: 20_000 });
      expect(await ev.textContent()).toContain(`held by pid ${process.pid}`);
      expect(await page.locator('.page-head .reason').textContent()).toMatch(/in use/);
      await page.locator('[data-card="events"]').scrollIntoViewIfNeeded();
      await screenshot(page, 'details-events');
    } finally {
      await app.client.request({ method: 'DELETE', path: '/apis/apphost.dev/v1/namespaces/default/resources/clash' });
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
