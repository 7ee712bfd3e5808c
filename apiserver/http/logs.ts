// GET .../replicas/<name>/log: plain-text replica logs from the optional LogProvider, chunked while
// following (`follow`, `sinceSeconds`, `tailLines`, `timestamps` as in kubectl logs).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../src/api/status.ts';
import type { KindInfo } from '../../src/api/registry.ts';
import type { HandlerContext } from './context.ts';
import { boolParam, intParam } from './query.ts';
import type { ObjectRoute } from './routes.ts';
import type { LogLine } from './types.ts';

/** Unread bytes a following client may have queued before new lines wait in the ring for it. */
const FOLLOW_MAX_BUFFERED = 256 * 1024;

function rfc3339(time: LogLine['time']): string {
  const d = time instanceof Date ? time : new Date(time);
  return Number.isNaN(d.getTime()) ? String(time) : d.toISOString();
}

export function serveLogs(ctx: HandlerContext, _req: IncomingMessage, res: ServerResponse, info: KindInfo, route: ObjectRoute, query: URLSearchParams): void {
  const follow = boolParam(query, 'follow');
  const timestamps = boolParam(query, 'timestamps');
  const sinceSeconds = intParam(query, 'sinceSeconds');
  const tail = intParam(query, 'tailLines');
  // 404 for a replica that does not exist, like any other subresource.
  ctx.store.get(info.key, route.namespace, route.name!);
  if (!ctx.logs) {
    throw new ApiError('NotFound', `logs of ${info.plural} "${route.name}" are not available: this server has no log provider`);
  }
  const id = `${route.namespace ?? ''}/${route.name}`;
  const format = (l: LogLine) => (timestamps ? `${rfc3339(l.time)} ${l.line}\n` : `${l.line}\n`);
  const readOptions = { sinceMs: sinceSeconds !== undefined ? sinceSeconds * 1000 : undefined, tail };
  if (!follow) {
    const text = ctx.logs.read(id, readOptions).map(format).join('');
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' });
    res.end(text);
    return;
  }
  // Follow before reading, so no line falls between the two; `seq` (when the provider has it) drops
  // the lines that were both read and followed.
  let pending: LogLine[] | undefined = [];
  let stopped = false;
  let lastSeq = -Infinity;
  // Backpressure: while the client has more than FOLLOW_MAX_BUFFERED unread, new lines are not
  // queued for it; on 'drain' it reads them from the provider's ring after its cursor (lastSeq), so
  // a slow `logs -f` costs at most the ring, never a copy of the whole flood. Lines the ring dropped
  // meanwhile are said in one line.
  let behind = 0;
  const send = (lines: LogLine[]) => {
    if (lines.length === 0) return;
    for (const l of lines) if (typeof l.seq === 'number') lastSeq = Math.max(lastSeq, l.seq);
    res.write(lines.map(format).join(''));
    if (res.writableLength > FOLLOW_MAX_BUFFERED && Number.isFinite(lastSeq)) {
      behind = 1;
      res.once('drain', catchUp);
    }
  };
  const catchUp = () => {
    if (stopped) return;
    const missed = behind - 1;
    behind = 0;
    const lines = ctx.logs!.read(id, { afterSeq: lastSeq });
    if (missed > lines.length) res.write(`[apphost] ${missed - lines.length} lines dropped: the client read too slowly to keep up\n`);
    send(lines);
  };
  const unfollow = ctx.logs.follow(id, (line) => {
    if (stopped) return;
    try {
      if (pending) pending.push(line);
      else if (behind > 0) behind++;
      else send([line]);
    } catch (err) {
      // Runs inside the log store's append: never let it throw there.
      ctx.logger.error({ err, id }, 'log line could not be sent; ending the follow');
      stop();
    }
  });
  const lines = ctx.logs.read(id, readOptions);
  for (const l of lines) if (typeof l.seq === 'number') lastSeq = Math.max(lastSeq, l.seq);
  const later = pending.filter((l) => typeof l.seq !== 'number' || l.seq > lastSeq);
  pending = undefined;
  res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  send([...lines, ...later]);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    unfollow();
    ctx.streams.delete(stop);
    if (!res.writableEnded) res.end();
  };
  ctx.streams.add(stop);
  res.on('close', stop);
  res.on('error', stop);
}
