// A thin REST client for the apphost API: @kubernetes/client-node reads the kubeconfig and
// supplies TLS and auth (apphost's own kubeconfig takes a fast path, see simple-kubeconfig.ts);
// requests are plain HTTPS so the CLI can ask for Tables, stream watches and
// logs, and see Status errors as they are.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { dirname } from 'node:path';
import type { Status } from '../api/status.ts';
import { CliError, statusMessage } from './errors.ts';
import { readSimpleKubeconfig } from './simple-kubeconfig.ts';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  method?: string;
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

export interface StreamOptions extends RequestOptions {
  signal?: AbortSignal;
}

function bodyText(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** The texts of Kubernetes `Warning: 299 - "text"` headers (several may share one header line). */
export function warningTexts(header: string | string[] | undefined): string[] {
  const out: string[] = [];
  for (const h of [header ?? []].flat()) {
    for (const m of h.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!.replace(/\\u([0-9a-fA-F]{4})|\\(.)/g, (_, hex?: string, c?: string) => (hex ? String.fromCharCode(parseInt(hex, 16)) : c!)));
  }
  return out;
}

export class ApiClient {
  /** Called with each warning the server sends (`Warning` headers), e.g. an unknown field. */
  onWarning: (text: string) => void = () => undefined;
  readonly server: string;
  readonly namespace: string;
  readonly kubeconfigPath: string;
  readonly #agent: https.Agent;
  readonly #headers: Record<string, string>;

  private constructor(kubeconfigPath: string, server: string, namespace: string, agent: https.Agent, headers: Record<string, string>) {
    this.kubeconfigPath = kubeconfigPath;
    this.server = server.replace(/\/+$/, '');
    this.namespace = namespace;
    this.#agent = agent;
    this.#headers = headers;
  }

  static async fromKubeconfig(path: string): Promise<ApiClient> {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new CliError('NO_APPHOST', `cannot read kubeconfig ${path}: ${(err as Error).message.split('\n')[0]}`);
    }
    const simple = readSimpleKubeconfig(text);
    if (simple) {
      const agent = new https.Agent({ keepAlive: true, ca: simple.ca, ...(simple.insecure ? { rejectUnauthorized: false } : {}) });
      const headers: Record<string, string> = simple.token ? { authorization: `Bearer ${simple.token}` } : {};
      return new ApiClient(path, simple.server, simple.namespace, agent, headers);
    }
    // Any other kubeconfig: client-node reads it (exec plugins, client certificates, files...).
    // Only its kubeconfig module: the package root loads every generated API model.
    const { KubeConfig } = await import('@kubernetes/client-node/dist/config.js');
    const kc = new KubeConfig();
    try {
      kc.loadFromString(text);
    } catch (err) {
      throw new CliError('NO_APPHOST', `cannot read kubeconfig ${path}: ${(err as Error).message.split('\n')[0]}`);
    }
    kc.makePathsAbsolute(dirname(path));
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new CliError('NO_APPHOST', `kubeconfig ${path} has no current cluster`);
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((opts.headers ?? {}) as Record<string, unknown>)) {
      if (typeof v === 'string') headers[k] = v;
    }
    const agent = new https.Agent({
      keepAlive: true,
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
    });
    const ctx = kc.getContextObject(kc.getCurrentContext());
    return new ApiClient(path, cluster.server, ctx?.namespace || 'default', agent, headers);
  }

  close(): void {
    this.#agent.destroy();
  }

  url(path: string, query?: Query): URL {
    const u = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u;
  }

  /** JSON (or text for text/plain) of a 2xx answer; a Status error as a CliError API_ERROR. */
  async request<T = unknown>(options: RequestOptions): Promise<T> {
    const { res, body } = await this.#send(options);
    const text = body.toString('utf8');
    const type = String(res.headers['content-type'] ?? '');
    if ((res.statusCode ?? 0) >= 400) throw this.#statusError(res.statusCode ?? 0, text);
    if (type.includes('json')) return JSON.parse(text) as T;
    return text as T;
  }

  /** Streams a chunked answer line by line until it ends or `signal` aborts. */
  stream(options: StreamOptions, onLine: (line: string) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = this.#open(options, (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(this.#statusError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
          return;
        }
        let buf = '';
        let failed = false;
        const emit = (line: string) => {
          if (failed) return;
          try {
            onLine(line);
          } catch (err) {
            failed = true;
            reject(err);
            req.destroy();
          }
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            emit(line);
          }
        });
        res.on('end', () => {
          if (buf) emit(buf);
          resolve();
        });
        res.on('error', (e) => (options.signal?.aborted ? resolve() : reject(this.#netError(e))));
      });
      req.on('error', (e) => (options.signal?.aborted ? resolve() : reject(this.#netError(e))));
      if (options.signal) {
        if (options.signal.aborted) req.destroy();
        options.signal.addEventListener('abort', () => req.destroy(), { once: true });
      }
      req.end();
    });
  }

  #send(options: RequestOptions): Promise<{ res: import('node:http').IncomingMessage; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = this.#open(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(this.#netError(e)));
      });
      req.on('error', (e) => reject(this.#netError(e)));
      if (options.body !== undefined) {
        req.end(bodyText(options.body));
      } else {
        req.end();
      }
    });
  }

  #open(options: RequestOptions, onResponse: (res: import('node:http').IncomingMessage) => void) {
    const u = this.url(options.path, options.query);
    const withWarnings = (res: import('node:http').IncomingMessage) => {
      for (const w of warningTexts(res.headers.warning)) this.onWarning(w);
      onResponse(res);
    };
    const headers: Record<string, string> = { ...this.#headers, accept: options.accept ?? 'application/json' };
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      // Node sends a DELETE body without chunked encoding: the length must be declared.
      headers['content-length'] = String(Buffer.byteLength(bodyText(options.body)));
    }
    return https.request(u, { method: options.method ?? 'GET', agent: this.#agent, headers }, withWarnings);
  }

  #statusError(code: number, text: string): CliError {
    let status: Status | undefined;
    try {
      const parsed = JSON.parse(text) as Status;
      if (parsed && parsed.kind === 'Status') status = parsed;
    } catch {
      // not JSON
    }
    if (status) return new CliError('API_ERROR', statusMessage(status), { status });
    if (code === 401) return new CliError('API_ERROR', `the apphost API refused the token in ${this.kubeconfigPath} (401): is it from an older run? restart with \`apphostctl up\``);
    return new CliError('API_ERROR', `the apphost API answered ${code}: ${text.split('\n')[0].slice(0, 200)}`);
  }

  #netError(err: Error): CliError {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH') {
      return new CliError(
        'UNREACHABLE',
        `cannot reach the apphost API at ${this.server} (${code}): is \`apphostctl up\` still running? (kubeconfig ${this.kubeconfigPath})`,
      );
    }
    return new CliError('UNREACHABLE', `request to ${this.server} failed: ${err.message}`);
  }
}
