// Server-Sent Events on a plain http response: headers, one event per write, a comment heartbeat
// so proxies and the browser keep the stream open, and a stop on close.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SseStream {
  send(event: string, data: unknown, id?: string): void;
  /** Bytes queued but not yet written to the socket (back-pressure). */
  backlog(): number;
  readonly closed: boolean;
  onClose(fn: () => void): void;
}

const HEARTBEAT_MS = 15_000;

export function openSse(req: IncomingMessage, res: ServerResponse): SseStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  let closed = false;
  const closers: (() => void)[] = [];
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const fn of closers) fn();
  };
  res.on('close', close);
  res.on('error', close);
  return {
    send(event, data, id) {
      if (closed) return;
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    backlog: () => res.writableLength,
    get closed() {
      return closed;
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
  };
}
