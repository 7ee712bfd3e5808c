// Watch: `?watch=1` on list paths and the legacy /watch/ paths. Headers are flushed at once, then one
// JSON event per line (chunked). A bare newline every heartbeat keeps quiet watches alive; an ERROR
// event (e.g. 410 Expired) ends the stream; timeoutSeconds ends it cleanly.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import type { KubeObject } from '../../src/api/types.ts';
import { ApiError, isApiError } from '../../src/api/status.ts';
import type { KindInfo } from '../../src/api/registry.ts';
import type { WatchEvent } from '../../src/api/store.ts';
import type { HandlerContext } from './context.ts';
import { METADATA_TYPE, negotiateView, TABLE_TYPE, type View } from './negotiate.ts';
import { boolParam, intParam } from './query.ts';
import { JSON_TYPE, sendError } from './respond.ts';
import type { ObjectRoute } from './routes.ts';
import { objectJson } from './serialize.ts';
import { parseIncludeObject, toTable, type IncludeObject } from './table.ts';

function encoder(ctx: HandlerContext, info: KindInfo, view: View, include: IncludeObject): (e: WatchEvent) => string {
  if (view === 'object') {
    return (e) => `{"type":"${e.type}","object":${objectJson(e.object)}}\n`;
  }
  return (e) => {
    let object: unknown = e.object;
    if (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') {
      object =
        view === 'table'
          ? toTable(info, [e.object], { now: ctx.now(), include, resourceVersion: e.object.metadata.resourceVersion })
          : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: e.object.metadata };
    }
    return `{"type":"${e.type}","object":${JSON.stringify(object)}}\n`;
  };
}

function withName(selector: string | undefined, name: string | undefined): string | undefined {
  if (name === undefined) return selector;
  const byName = `metadata.name=${name}`;
  return selector ? `${selector},${byName}` : byName;
}

export function serveWatch(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, info: KindInfo, route: ObjectRoute, query: URLSearchParams): void {
  const view = negotiateView(req.headers.accept);
  const encode = encoder(ctx, info, view, parseIncludeObject(query.get('includeObject')));
  const timeoutSeconds = intParam(query, 'timeoutSeconds');
  const observable = ctx.store.watch(info.key, {
    namespace: route.namespace,
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: withName(query.get('fieldSelector') ?? undefined, route.name),
    resourceVersion: query.get('resourceVersion') ?? undefined,
    allowBookmarks: boolParam(query, 'allowWatchBookmarks'),
    ...(ctx.watchBookmarkMs !== undefined ? { bookmarkIntervalMs: ctx.watchBookmarkMs } : {}),
  });

  let started = false;
  let finished = false;
  let early: string[] | undefined = [];
  let earlyError: unknown;
  let lastWrite = Date.now();
  let corked = false;
  let subscription: Subscription | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let timeout: NodeJS.Timeout | undefined;
  // The initial replay (every current object, or the history since a resourceVersion) may be large;
  // the cap applies to what live events add on top of what of it is still unsent.
  let replayBytes = 0;
  let written = 0;

  const uncork = () => {
    corked = false;
    res.uncork();
  };
  const write = (text: string) => {
    if (finished) return;
    if (!corked) {
      // The events of one callback (one store write, a replay, a cascade) leave in one TLS record
      // and one syscall per watcher. Flushing per callback rather than per event-loop turn keeps
      // delivery from waiting behind every other request of the turn.
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    res.write(text);
    written += text.length;
    lastWrite = Date.now();
    const queued = res.writableLength;
    const replayUnsent = Math.max(0, replayBytes - (written - queued));
    if (queued - replayUnsent > ctx.watchMaxBufferedBytes) {
      // kube-apiserver closes a watcher whose buffer fills ("Forcing watcher close due to
      // unresponsiveness"); it re-watches from its last resourceVersion. Destroying the socket frees
      // what is queued for it at once (ending it cleanly would wait for a client that never reads).
      ctx.watchStats.slowClosed++;
      ctx.logger.warn({ kind: info.key, buffered: queued }, 'watch client too slow; closing its watch');
      finish();
      res.destroy();
    }
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    subscription?.unsubscribe();
    if (heartbeat) clearInterval(heartbeat);
    if (timeout) clearTimeout(timeout);
    ctx.streams.delete(finish);
    if (started && !res.writableEnded) res.end();
  };

  subscription = observable.subscribe({
    next: (event) => {
      // This runs inside the store's fan-out of someone else's write: it must never throw (RxJS
      // would rethrow asynchronously and take the process down).
      try {
        const line = encode(event as WatchEvent<KubeObject>);
        if (early) early.push(line);
        else write(line);
      } catch (err) {
        ctx.logger.error({ err, kind: info.key }, 'watch event could not be sent; closing the watch');
        if (early) earlyError = err;
        else finish();
      }
    },
    error: (err: unknown) => {
      if (!started) {
        earlyError = err;
        return;
      }
      const status = (isApiError(err) ? err : new ApiError('InternalError', 'the watch failed')).toStatus();
      if (!isApiError(err)) ctx.logger.error({ err, kind: info.key }, 'watch stream failed');
      write(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      finish();
    },
    complete: () => {
      if (started) finish();
      else finished = true;
    },
  });

  if (earlyError !== undefined) {
    subscription.unsubscribe();
    if (isApiError(earlyError)) return sendError(res, earlyError);
    throw earlyError;
  }

  started = true;
  res.writeHead(200, {
    'content-type': view === 'table' ? TABLE_TYPE : view === 'metadata' ? METADATA_TYPE : JSON_TYPE,
    'cache-control': 'no-cache, private',
    'transfer-encoding': 'chunked',
  });
  res.flushHeaders();
  const buffered = early;
  early = undefined;
  const completedEarly = finished;
  finished = false;
  for (const line of buffered) replayBytes += line.length;
  for (const line of buffered) write(line);
  if (completedEarly) {
    finish();
    return;
  }

  ctx.streams.add(finish);
  ctx.watchStats.open++;
  res.once('close', () => ctx.watchStats.open--);
  res.on('close', finish);
  res.on('error', finish);
  heartbeat = setInterval(() => {
    if (Date.now() - lastWrite >= ctx.heartbeatMs - 50) write('\n');
  }, ctx.heartbeatMs);
  heartbeat.unref();
  const limits = [timeoutSeconds, ctx.watchMaxSeconds].filter((s): s is number => s !== undefined && s > 0);
  if (limits.length > 0) {
    timeout = setTimeout(finish, Math.min(...limits) * 1000);
    timeout.unref();
  }
}
