// The dashboard's HTTP server on 127.0.0.1: login by browser token, the page and its bundle, a
// Server-Sent Events stream of the app's state (snapshot, then debounced deltas), console log
// streams, and the resource actions. A client of the store like any controller: it watches the
// store and writes through the in-process client, so every write is admitted and validated.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { isApiError } from '../api/status.ts';
import type { Store } from '../api/store.ts';
import type { LogStore } from '../platform/logs/types.ts';
import { createStoreClient } from '../runtime/store-client.ts';
import { ACTIONS, createActions, type Action } from './actions.ts';
import { createAssets, INDEX_HTML } from './assets.ts';
import { createAuth } from './auth.ts';
import { logsAsText, readLines, streamLogs, type LogTarget } from './log-feed.ts';
import { openSse } from './sse.ts';
import { createStateFeed, type StateFeed } from './state-feed.ts';

export interface DashboardOptions {
  store: Store;
  logs: Pick<LogStore, 'read' | 'follow'>;
  /** Shown in the page title. */
  appName?: string;
  namespace?: string;
  /** Default: any free port. */
  port?: number;
  /** Default: a random one. */
  token?: string;
  logger?: Logger;
  /** Delta debounce (ms). Default 200. */
  debounceMs?: number;
}

export interface Dashboard {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>/login?t=<token>`: what `apphostctl up` prints. */
  readonly loginUrl: string;
  readonly port: number;
  readonly feed: StateFeed;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const DEFAULT_LOG_TAIL = 100_000;

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function send(res: ServerResponse, code: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(code, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(body);
}

const sendJson = (res: ServerResponse, code: number, value: unknown) => send(res, code, 'application/json', JSON.stringify(value));

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message, code };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const namespace = options.namespace ?? 'default';
  const auth = createAuth(options.token);
  const assets = createAssets();
  const feed = createStateFeed({ store: options.store, namespace, debounceMs: options.debounceMs });
  const client = createStoreClient(options.store, { fieldManager: 'apphost-dashboard' });
  const actions = createActions({
    client,
    namespace,
    onBackgroundError: (err) => options.logger?.warn({ err }, 'dashboard restart did not finish'),
  });
  // Stream ids carry this run's id: a page left open across `apphostctl up` runs gets a snapshot.
  const runId = randomBytes(4).toString('hex');
  const logOptions = { logs: options.logs, feed, namespace };
  let allowedHosts: Set<string> = new Set();

  const routes = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    if (path === '/login' && req.method === 'GET') {
      if (!auth.tokenMatches(url.searchParams.get('t'))) {
        send(res, 401, 'text/plain; charset=utf-8', 'This dashboard link is not valid: the token changes on every `apphostctl up`. Run `apphostctl dashboard` for the current one.\n');
        return;
      }
      send(res, 302, 'text/plain; charset=utf-8', 'logged in\n', { location: '/', 'set-cookie': auth.sessionCookie() });
      return;
    }
    if (!auth.isLoggedIn(req)) {
      if (path.startsWith('/api/')) sendJson(res, 401, status(401, 'Unauthorized', 'log in through the URL `apphostctl dashboard` prints'));
      else send(res, 401, 'text/plain; charset=utf-8', 'Not logged in: open the URL `apphostctl dashboard` prints.\n');
      return;
    }
    if (req.method === 'GET' && path === '/') {
      send(res, 200, 'text/html; charset=utf-8', INDEX_HTML);
      return;
    }
    if (req.method === 'GET' && path.startsWith('/assets/')) {
      const asset = await assets.get(path.slice('/assets/'.length));
      if (!asset) return send(res, 404, 'text/plain', 'not found\n');
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304, { etag: asset.etag });
        res.end();
        return;
      }
      send(res, 200, asset.type, asset.body, { etag: asset.etag, 'cache-control': 'no-cache' });
      return;
    }
    if (req.method === 'GET' && path === '/api/stream') {
      const sse = openSse(req, res);
      const lastId = String(req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? '');
      const [run, n] = lastId.split('-');
      const missed = run === runId ? feed.since(Number(n)) : undefined;
      if (missed) for (const b of missed) sse.send('delta', b.deltas, `${runId}-${b.id}`);
      else {
        const snap = feed.snapshot();
        sse.send('snapshot', { app: options.appName ?? '', kinds: snap.kinds, objects: snap.objects }, `${runId}-${snap.id}`);
      }
      const unsubscribe = feed.subscribe((b) => sse.send('delta', b.deltas, `${runId}-${b.id}`));
      sse.onClose(unsubscribe);
      return;
    }
    if (req.method === 'GET' && (path === '/api/logs' || path === '/api/logs/download')) {
      const resource = url.searchParams.get('resource') ?? '';
      if (!resource) return sendJson(res, 400, status(400, 'BadRequest', 'resource is required'));
      const target: LogTarget = { resource, replica: url.searchParams.get('replica') || undefined };
      if (path === '/api/logs/download') {
        const file = `${target.replica ?? resource}.log`.replace(/[^A-Za-z0-9._-]/g, '_');
        send(res, 200, 'text/plain; charset=utf-8', logsAsText(readLines(logOptions, target)), { 'content-disposition': `attachment; filename="${file}"` });
        return;
      }
      const tail = Number(url.searchParams.get('tail') ?? DEFAULT_LOG_TAIL);
      streamLogs({ ...logOptions, target, sse: openSse(req, res), tail: Number.isInteger(tail) && tail >= 0 ? tail : DEFAULT_LOG_TAIL });
      return;
    }
    const action = /^\/api\/resources\/([^/]+)\/([a-z]+)$/.exec(path);
    if (action && req.method === 'POST') {
      // A JSON body cannot come from a plain cross-site form: one more guard beside SameSite=Strict.
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return sendJson(res, 415, status(415, 'UnsupportedMediaType', 'actions take application/json'));
      }
      const verb = action[2] as Action;
      if (!ACTIONS.includes(verb)) return sendJson(res, 404, status(404, 'NotFound', `no action "${verb}"`));
      let body: { replicas?: unknown } = {};
      try {
        const text = await readBody(req);
        body = text ? JSON.parse(text) : {};
      } catch {
        return sendJson(res, 400, status(400, 'BadRequest', 'the body is not JSON'));
      }
      await actions.run(verb, decodeURIComponent(action[1]), body ?? {});
      sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 200 });
      return;
    }
    sendJson(res, 404, status(404, 'NotFound', `no route ${req.method} ${path}`));
  };

  const server = createServer((req, res) => {
    // DNS rebinding: only the names this server was reached by on loopback.
    if (!allowedHosts.has(String(req.headers.host ?? ''))) {
      send(res, 421, 'text/plain', 'unknown host\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    routes(req, res, url).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (isApiError(err)) return sendJson(res, err.code, err.toStatus());
      options.logger?.error({ err }, 'dashboard request failed');
      sendJson(res, 500, status(500, 'InternalError', (err as Error).message));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    loginUrl: `${url}/login?t=${auth.token}`,
    port,
    feed,
    async close() {
      feed.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
