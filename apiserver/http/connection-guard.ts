// Limits on connections, so that clients that connect and say nothing, or say it very slowly, cannot
// hold the server's memory: a cap on open connections (the oldest idle one makes room for a new
// one; when none is idle, the newcomer's request is refused with a 429 Status), a timeout for a
// connection with no request in flight, and Node's own header/request timeouts and TLS handshake
// timeout. Streams (watch, log follow) are requests in flight: they are never idle.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import { ApiError } from '../../src/api/status.ts';

export interface ConnectionLimits {
  /** Open connections at most (TCP, before and after the TLS handshake). Default 1,024. */
  maxConnections?: number;
  /** A connection with no request in flight for this long is closed. Default 65 s (keep-alive). */
  idleTimeoutMs?: number;
  /** The request line and headers must arrive within this time. Default 15 s. */
  headersTimeoutMs?: number;
  /** The whole request (headers and body) must arrive within this time. Default 60 s. */
  requestTimeoutMs?: number;
}

export const DEFAULT_CONNECTION_LIMITS: Required<ConnectionLimits> = {
  maxConnections: 1024,
  idleTimeoutMs: 65_000,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 60_000,
};

interface Tracked {
  socket: Socket;
  inFlight: number;
  idleSince: number;
  idleTimer?: NodeJS.Timeout;
  /** Accepted while every slot was busy: its requests are refused. */
  overLimit: boolean;
}

export interface ConnectionGuard {
  /** Call first for every request: false means it was answered (429) and must not be handled. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  stats(): { connections: number; refused: number; evicted: number; timedOut: number };
}

export function guardConnections(server: Server, limits: ConnectionLimits = {}): ConnectionGuard {
  const { maxConnections, idleTimeoutMs, headersTimeoutMs, requestTimeoutMs } = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  const open = new Map<Socket, Tracked>();
  let refused = 0;
  let evicted = 0;
  let timedOut = 0;

  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  // Node checks the two timeouts above this often (default 30 s): a slow client is cut promptly.
  (server as unknown as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.min(1000, headersTimeoutMs);

  const armIdle = (t: Tracked) => {
    clearTimeout(t.idleTimer);
    t.idleSince = Date.now();
    t.idleTimer = setTimeout(() => {
      timedOut++;
      t.socket.destroy();
    }, idleTimeoutMs);
    t.idleTimer.unref();
  };

  const oldestIdle = (): Tracked | undefined => {
    let oldest: Tracked | undefined;
    for (const t of open.values()) if (t.inFlight === 0 && !t.overLimit && (!oldest || t.idleSince < oldest.idleSince)) oldest = t;
    return oldest;
  };

  server.on('connection', (socket: Socket) => {
    const t: Tracked = { socket, inFlight: 0, idleSince: Date.now(), overLimit: false };
    if (open.size >= maxConnections) {
      const victim = oldestIdle();
      if (victim) {
        evicted++;
        victim.socket.destroy();
        open.delete(victim.socket);
      } else {
        t.overLimit = true;
      }
    }
    open.set(socket, t);
    armIdle(t);
    socket.once('close', () => {
      clearTimeout(t.idleTimer);
      open.delete(socket);
    });
  });

  return {
    admit(req, res) {
      // The TLS socket wraps the TCP one the 'connection' event saw.
      const raw = (req.socket as Socket & { _parent?: Socket })._parent ?? req.socket;
      const t = open.get(raw) ?? open.get(req.socket);
      if (!t) return true;
      if (t.overLimit) {
        refused++;
        const err = new ApiError('TooManyRequests', `too many open connections to the API server (limit ${maxConnections}); close idle ones and retry`, { retryAfterSeconds: 1 });
        res.shouldKeepAlive = false;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
        res.end(JSON.stringify(err.toStatus()));
        return false;
      }
      t.inFlight++;
      clearTimeout(t.idleTimer);
      res.once('close', () => {
        t.inFlight--;
        if (t.inFlight === 0 && open.has(t.socket)) armIdle(t);
      });
      return true;
    },
    stats: () => ({ connections: open.size, refused, evicted, timedOut }),
  };
}
