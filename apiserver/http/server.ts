// The HTTPS Kubernetes REST server: TLS and bearer-token auth, routing, and the one place that turns
// any failure into a Status response. A request can never crash the server.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { ApiError, isApiError } from '../../src/api/status.ts';
import { DEFAULT_MAX_BODY } from './body.ts';
import { guardConnections } from './connection-guard.ts';
import { ApiServerError } from './errors.ts';
import type { HandlerContext } from './context.ts';
import { discoveryCache, SERVER_VERSION } from './discovery.ts';
import { AGGREGATED_TYPE, wantsAggregatedDiscovery } from './negotiate.ts';
import { Registry as PromRegistry } from 'prom-client';
import { metricsRegistry, requestMetrics, requestVerb, serveMetrics } from './metrics.ts';
import { serveHealth, type HealthCheck } from './health.ts';
import { handleObjects } from './objects.ts';
import { openApiCache } from './openapi.ts';
import { internalError, sendError, sendJson } from './respond.ts';
import { parseRoute, type Route } from './routes.ts';
import { generateTls } from './tls.ts';
import type { ApiServer, ApiServerOptions, ApiServerStats } from './types.ts';

const UNAUTHORIZED = new ApiError('Unauthorized', 'Unauthorized');
const NOT_FOUND = new ApiError('NotFound', 'the server could not find the requested resource');

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new ApiServerError('BAD_HOST', `the API server listens on 127.0.0.1 only (got ${String(host)})`);
  const logger = options.logger ?? pino({ level: 'silent' });
  const tls = await generateTls();
  const token = options.token ?? randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  const ctx: HandlerContext = {
    store: options.store,
    registry: options.registry,
    logger,
    now: options.now ?? Date.now,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    heartbeatMs: options.watchHeartbeatMs ?? 10_000,
    watchMaxSeconds: options.watchMaxSeconds,
    watchBookmarkMs: options.watchBookmarkMs,
    watchMaxBufferedBytes: options.watchMaxBufferedBytes ?? 1024 * 1024,
    watchStats: { open: 0, slowClosed: 0 },
    logs: options.logs,
    streams: new Set(),
  };
  const discovery = discoveryCache(options.registry);
  const openapi = openApiCache(options.registry);

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization;
    if (header === undefined || header.length !== expected.length) return false;
    return timingSafeEqual(Buffer.from(header, 'latin1'), expected);
  };

  const onlyReads = (req: IncomingMessage): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource: ${req.method}`);
    }
  };
  const serveMeta = (req: IncomingMessage, res: ServerResponse, route: Route): void => {
    onlyReads(req);
    const aggregated = wantsAggregatedDiscovery(req.headers.accept);
    switch (route.type) {
      case 'version':
        return sendJson(res, 200, SERVER_VERSION);
      case 'api':
        return aggregated ? sendJson(res, 200, discovery().apiAggregated, AGGREGATED_TYPE) : sendJson(res, 200, discovery().apiVersions);
      case 'apis':
        return aggregated ? sendJson(res, 200, discovery().apisAggregated, AGGREGATED_TYPE) : sendJson(res, 200, discovery().apis);
      case 'coreVersion': {
        const doc = route.version === 'v1' ? discovery().coreResources : undefined;
        if (!doc) throw NOT_FOUND;
        return sendJson(res, 200, doc);
      }
      case 'group': {
        const doc = discovery().groups.get(route.group);
        if (!doc) throw NOT_FOUND;
        return sendJson(res, 200, doc);
      }
      case 'groupVersion': {
        const doc = discovery().groupVersions.get(`${route.group}/${route.version}`);
        if (!doc) throw NOT_FOUND;
        return sendJson(res, 200, doc);
      }
      case 'openapiRoot':
        return sendJson(res, 200, openapi().root);
      case 'openapiGroupVersion': {
        const doc = openapi().groupVersions.get(`${route.group}/${route.version}`);
        if (!doc) throw NOT_FOUND;
        return sendJson(res, 200, doc);
      }
      default:
        throw NOT_FOUND;
    }
  };

  // Set once the server listens (it reads the connection counters).
  let metrics: ReturnType<typeof metricsRegistry>;
  const promRegistry = options.metrics ?? new PromRegistry();
  let closing: Promise<void> | undefined;
  const firstKind = options.registry.list()[0]?.key;
  const healthChecks: HealthCheck[] = [
    { name: 'ping', live: true, check: () => undefined },
    ...(options.logs ? [{ name: 'log', live: true, check: () => (options.logs!.stats?.(), undefined) }] : []),
    // The store answers a list (it is in memory: this fails only if it is broken).
    { name: 'store', live: true, check: () => (firstKind !== undefined ? (options.store.list(firstKind, { limit: 1 }), undefined) : undefined) },
    { name: 'shutdown', check: () => (closing ? 'the API server is shutting down' : undefined) },
    ...(options.healthChecks ?? []),
  ];
  const observe = requestMetrics(promRegistry, options.store, options.registry);
  /** The resource label of a request: a kind the registry knows (never a client's made-up name). */
  const resourceLabel = (route: Route): string => {
    if (route.type !== 'objects') return '';
    const info = options.registry.resolve(route.group === '' ? route.plural : `${route.plural}.${route.group}`);
    if (!info) return 'unknown';
    const name = info.group ? `${info.plural}.${info.group}` : info.plural;
    return route.subresource === 'status' || route.subresource === 'scale' || route.subresource === 'log' ? `${name}/${route.subresource}` : name;
  };
  const debug = logger.isLevelEnabled('debug');
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (debug) {
      const start = performance.now();
      res.once('finish', () =>
        logger.debug({ method: req.method, url: req.url?.slice(0, 300), status: res.statusCode, ms: Math.round((performance.now() - start) * 10) / 10 }, 'request'),
      );
    }
    try {
      if (!guard.admit(req, res)) return;
      if (!authorized(req)) throw UNAUTHORIZED;
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const route = parseRoute(q === -1 ? url : url.slice(0, q));
      if (route.type === 'objects') {
        const started = performance.now();
        const watch = route.watchPath || /[?&](watch|follow)=(1|t|T|TRUE|true|True)(&|$)/.test(url);
        const verb = requestVerb(req.method ?? 'GET', route.name !== undefined, watch);
        const resource = resourceLabel(route);
        res.once('close', () => observe(verb, resource, res.statusCode, watch ? undefined : (performance.now() - started) / 1000));
      }
      if (route.type === 'notFound') throw NOT_FOUND;
      if (route.type === 'metrics') {
        onlyReads(req);
        await serveMetrics(res, metrics);
      } else if (route.type === 'health') {
        onlyReads(req);
        const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
        const onFailure = (check: string, reason: string) => logger.info({ check, reason }, `${route.endpoint} check failed`);
        await serveHealth(res, { endpoint: route.endpoint, ...(route.check !== undefined ? { check: route.check } : {}), query, onFailure }, healthChecks);
      } else if (route.type === 'objects') {
        const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
        await handleObjects(ctx, req, res, route, query);
      } else {
        serveMeta(req, res, route);
      }
    } catch (err) {
      try {
        if (isApiError(err)) {
          sendError(res, err);
        } else {
          logger.error({ err, method: req.method, url: req.url?.slice(0, 500) }, 'request failed');
          sendError(res, internalError());
        }
      } catch (sendErr) {
        // Not even a Status could be sent (the socket is gone): drop the connection, never the server.
        logger.error({ err: sendErr }, 'could not send an error response');
        res.destroy();
      }
    }
  };

  // Kubernetes (Go) accepts 1 MiB of headers; Node's default of 16 KiB would cut long selectors.
  // A TCP connection that never completes the TLS handshake is dropped after 10 s.
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem, noDelay: true, maxHeaderSize: 1024 * 1024, handshakeTimeout: options.connectionLimits?.handshakeTimeoutMs ?? 10_000 }, (req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  const guard = guardConnections(server, options.connectionLimits);
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Requests that are not even HTTP never reach a handler: answer a Status and close.
  // Node's parser reports the same error again for every later chunk of a refused request (a 1.1 MiB
  // header arrives in many): the first report answers, the repeats must not cut the lingering close.
  const answered = new WeakSet<object>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (answered.has(socket)) return;
    logger.debug({ err: err.message, code: err.code }, 'client error');
    if (!socket.writable || err.code === 'ECONNRESET' || err.code?.startsWith('ERR_SSL')) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const answer = clientErrorAnswer(err.code);
    const code = answer.code;
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: answer.message ?? `malformed HTTP request: ${err.code ?? err.message}`, reason: answer.reason, code });
    socket.end(
      `HTTP/1.1 ${code} ${answer.text}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    // Lingering close: read and drop what the client is still sending, so closing with unread
    // data does not reset the connection and destroy the answer before the client reads it.
    socket.on('data', () => undefined);
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
  server.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'TLS client error'));

  const port0 = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new ApiServerError('PORT_IN_USE', `cannot serve the API on ${host}:${port0}: the port is already in use`, { cause: err })
          : new ApiServerError('LISTEN_FAILED', `cannot serve the API on ${host}:${port0}: ${err.message}`, { cause: err }),
      );
    server.once('error', onError);
    server.listen({ host, port: port0 }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'API server error'));
  const port = (server.address() as AddressInfo).port;
  const url = `https://${host}:${port}`;
  logger.info({ url }, 'API server listening');

  function stats(): ApiServerStats {
    const g = guard.stats();
    return {
      connections: sockets.size,
      streams: ctx.streams.size,
      openConnections: g.connections,
      refusedConnections: g.refused,
      evictedConnections: g.evicted,
      timedOutConnections: g.timedOut,
      watches: ctx.watchStats.open,
      slowWatchesClosed: ctx.watchStats.slowClosed,
    };
  }
  metrics = metricsRegistry(stats, options.logs, promRegistry);
  return {
    url,
    port,
    token,
    caPem: tls.caPem,
    stats,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const stop of [...ctx.streams]) stop();
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** What a request that never reached a handler gets: a Status with the reason Kubernetes would use. */
/** How long a refused connection is drained before it is closed for good. */
const LINGER_MS = 2000;

function clientErrorAnswer(code: string | undefined): { code: number; text: string; reason: string; message?: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 431, text: 'Request Header Fields Too Large', reason: 'RequestHeaderFieldsTooLarge', message: 'request headers too large (limit 1 MiB)' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 408, text: 'Request Timeout', reason: 'Timeout', message: 'the request did not arrive in time; send the headers and body without pausing' };
    default:
      return { code: 400, text: 'Bad Request', reason: 'BadRequest' };
  }
}
