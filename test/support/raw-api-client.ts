// A raw HTTPS client for tests of the server (and the fuzz test): no Kubernetes client in between,
// so tests see exactly the status, headers and body the server sent.
import https from 'node:https';
import type { ApiServer } from '../../apiserver/http/types.ts';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send no Authorization header. */
  noAuth?: boolean;
  timeoutMs?: number;
}

export function createRawClient(server: Pick<ApiServer, 'url' | 'port' | 'token' | 'caPem'>) {
  const agent = new https.Agent({ keepAlive: true, ca: server.caPem, maxSockets: 16 });
  const request = (r: RawRequest): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...(r.headers ?? {}) };
      if (!r.noAuth) headers['authorization'] ??= `Bearer ${server.token}`;
      if (r.body !== undefined) headers['content-length'] = Buffer.byteLength(r.body);
      const req = https.request(
        { host: '127.0.0.1', port: server.port, method: r.method ?? 'GET', path: r.path, headers, agent, timeout: r.timeoutMs ?? 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`request timed out: ${r.method ?? 'GET'} ${r.path}`)));
      req.on('error', reject);
      req.end(r.body);
    });

  /** Opens a streaming GET (watch, log follow) and collects lines until `close()`. */
  const stream = (r: RawRequest) => {
    const lines: string[] = [];
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    let ended = false;
    let waiters: (() => void)[] = [];
    let abort = () => {};
    const notify = () => {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    };
    const headersIn = new Promise<void>((resolve, reject) => {
      const h: Record<string, string> = { ...(r.headers ?? {}) };
      if (!r.noAuth) h['authorization'] ??= `Bearer ${server.token}`;
      const req = https.request({ host: '127.0.0.1', port: server.port, method: 'GET', path: r.path, headers: h, ca: server.caPem, agent: false }, (res) => {
        status = res.statusCode ?? 0;
        headers = res.headers;
        resolve();
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let nl: number;
          while ((nl = buf.indexOf('\n')) !== -1) {
            lines.push(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
          }
          notify();
        });
        res.on('end', () => {
          if (buf) lines.push(buf);
          ended = true;
          notify();
        });
        res.on('error', () => {
          ended = true;
          notify();
        });
      });
      req.on('error', (err) => {
        ended = true;
        notify();
        reject(err);
      });
      req.end();
      abort = () => req.destroy();
    });
    const handle = {
      lines,
      get status() {
        return status;
      },
      get headers() {
        return headers;
      },
      get ended() {
        return ended;
      },
      headersIn,
      abort: () => abort(),
      /** Resolves once `predicate(lines)` holds (checked on every chunk), rejects after `timeoutMs`. */
      waitFor(predicate: (lines: string[]) => boolean, timeoutMs = 5000): Promise<void> {
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out waiting; lines so far: ${JSON.stringify(lines).slice(0, 2000)}`)), timeoutMs);
          const check = () => {
            if (predicate(lines)) {
              clearTimeout(timer);
              resolve();
            } else if (ended) {
              clearTimeout(timer);
              predicate(lines) ? resolve() : reject(new Error(`stream ended; lines: ${JSON.stringify(lines).slice(0, 2000)}`));
            } else waiters.push(check);
          };
          check();
        });
      },
    };
    return handle;
  };

  return { request, stream, close: () => agent.destroy() };
}
