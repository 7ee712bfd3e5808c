// Dashboard benchmark, through the real `apphostctl up` and Debian's Chromium:
//  1. 200 resources x 1 replica: time from navigation to the resources table showing all 200
//     (target <= 1 s).
//  2. A replica printing 10,000 lines/s for 10 s while the console page follows it: how far the
//     page lags behind, what it received, and how much the apphost process's RSS grows (target
//     < 50 MB).
//   node bin/run-ts.js bench/dashboard/run.ts [--resources 200] [--rate 10000] [--seconds 10]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startCliApp, type CliApp } from '../../test/support/cli-app.ts';
import { rssMiB } from '../../test/support/proc-usage.ts';
import { waitFor } from '../../test/support/wait.ts';
import { dashboardUrl, launchBrowser } from '../../test/dashboard/browser.ts';

const { values } = parseArgs({ options: { resources: { type: 'string', default: '200' }, rate: { type: 'string', default: '10000' }, seconds: { type: 'string', default: '10' } } });
const RESOURCES = Number(values.resources);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);

// Prints RATE lines/s for SECONDS once asked (GET /start), then "flood done <n>".
const FLOOD_APP = `
import { createServer } from 'node:http';
const RATE = ${RATE}, SECONDS = ${SECONDS};
const pad = 'x'.repeat(60);
createServer((req, res) => {
  res.end('ok');
  if (req.url !== '/start') return;
  const start = Date.now();
  let n = 0;
  const tick = setInterval(() => {
    const elapsed = Math.min(SECONDS * 1000, Date.now() - start);
    let s = '';
    for (const due = Math.floor((elapsed * RATE) / 1000); n < due; n++) s += 'flood ' + n + ' ' + pad + '\\n';
    if (s) process.stdout.write(s);
    if (elapsed >= SECONDS * 1000) { clearInterval(tick); console.log('flood done ' + n); }
  }, 10);
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('flood ready'));
`;

function manifest(): string {
  const docs: string[] = [];
  for (let i = 0; i < RESOURCES; i++) {
    docs.push(`apiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {name: svc-${String(i).padStart(3, '0')}}\nspec:\n  executable: {command: sleep, args: ['100000']}\n`);
  }
  docs.push(`apiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {name: flood}\nspec:\n  executable: {command: node, args: [flood.mjs]}\n  endpoints: [{scheme: http, env: PORT}]\n`);
  return docs.join('---\n');
}

const app: CliApp = await startCliApp({ name: 'dashbench', files: { 'apphost.yaml': manifest(), 'flood.mjs': FLOOD_APP }, timeoutMs: 120_000 });
const browser = await launchBrowser();
try {
  const total = RESOURCES + 1;
  await waitFor('every resource running', async () => (await app.list('resources')).filter((r) => r.status?.phase === 'Running').length === total, 180_000, 500);
  const loginUrl = dashboardUrl(app.up.output());
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });

  // 1. Navigation to a table of every resource (a cold page each run; the first also builds nothing:
  //    the bundle was built when `up` started).
  const tableMs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const context = await browser.newContext();
    const p = await context.newPage();
    const t0 = Date.now();
    await p.goto(loginUrl);
    await p.waitForFunction((n) => document.querySelectorAll('tr.resource').length === n, total, { timeout: 10_000, polling: 'raf' });
    tableMs.push(Date.now() - t0);
    await context.close();
  }

  // 2. The flood, followed on the console page.
  await page.goto(loginUrl);
  await page.goto(new URL(loginUrl).origin + '/#/console/flood');
  await page.locator('.log-line', { hasText: 'flood ready' }).waitFor({ timeout: 10_000 });
  const pid = app.up.child.pid!;
  const rssBefore = rssMiB(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(pid))), 200);
  const ep = (await app.get('endpoints', 'flood-http')).status.url as string;
  const started = Date.now();
  await (await fetch(`${ep}/start`)).text();
  // Page responsiveness while lines pour in: how late a requestAnimationFrame callback runs.
  // (A string, not a function: tsx's __name helper does not exist in the page.)
  const frameGaps = page.evaluate(`new Promise((resolve) => {
    const gaps = [];
    let last = performance.now();
    const end = last + ${SECONDS * 1000};
    const step = (t) => { gaps.push(t - last); last = t; if (t < end) requestAnimationFrame(step); else resolve(gaps); };
    requestAnimationFrame(step);
  })`) as Promise<number[]>;
  await page.locator('.log-line', { hasText: /^.*flood done \d+$/ }).waitFor({ timeout: (SECONDS + 60) * 1000 });
  const seenAfterMs = Date.now() - started;
  const gaps = (await frameGaps).sort((a, b) => a - b);
  await new Promise((r) => setTimeout(r, 2000));
  clearInterval(sampler);
  const rssAfter = rssMiB(pid);
  const status = (await page.locator('.log-status').innerText()).replace(/\s*\n\s*/g, '; ');
  const held = Number(await page.locator('[data-count]').getAttribute('data-count'));
  const result = {
    resources: total,
    tableMs,
    flood: { rate: RATE, seconds: SECONDS, lines: RATE * SECONDS },
    lastLineSeenMs: seenAfterMs,
    lagAfterFloodMs: seenAfterMs - SECONDS * 1000,
    linesHeldByPage: held,
    pageStatus: status,
    frameGapP50Ms: Math.round(gaps[Math.floor(gaps.length / 2)] ?? NaN),
    frameGapP99Ms: Math.round(gaps[Math.floor(gaps.length * 0.99)] ?? NaN),
    rssMiB: { before: Math.round(rssBefore), peak: Math.round(rssPeak), after: Math.round(rssAfter), growth: Math.round(rssPeak - rssBefore) },
    at: new Date().toISOString(),
  };
  console.log(JSON.stringify(result, null, 2));
  writeFileSync(join(fileURLToPath(new URL('.', import.meta.url)), 'last-result.json'), JSON.stringify(result, null, 2) + '\n');
} finally {
  await browser.close();
  await app.stop('SIGINT');
}
