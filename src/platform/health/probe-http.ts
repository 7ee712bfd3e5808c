// One HTTP(S) GET, bounded in time, no keep-alive (agent: false, Connection: close), redirects not
// followed, the body not read. 200-399 is healthy. HTTPS does not verify the certificate (local
// development certificates). Never throws.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { boundedProbe } from './bounded-probe.ts';
import { DEFAULT_PROBE_TIMEOUT_MS, failureOf } from './probe-tcp.ts';
import type { HttpProbeOptions, ProbeResult } from './types.ts';

export function probeHttp(options: HttpProbeOptions): Promise<ProbeResult> {
  const { url } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, code: 'PROBE_INVALID_URL', message: `invalid probe URL "${url}"` });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return Promise.resolve({
      ok: false,
      code: 'PROBE_INVALID_URL',
      message: `invalid probe URL "${url}": only http and https are supported`,
    });
  }
  const timeoutMessage = `timeout after ${timeoutMs} ms waiting for ${url}`;
  return boundedProbe({ target: url, timeoutMs, timeoutMessage, signal: options.signal }, (finish) => {
    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      res.resume();
      res.on('error', () => undefined); // destroyed below; nothing more to learn
      const ok = status >= 200 && status < 400;
      finish({ ok, code: ok ? 'PROBE_OK' : 'PROBE_HTTP_STATUS', message: `HTTP ${status} from ${url}` });
    };
    const common = {
      method: 'GET',
      agent: false as const,
      headers: { connection: 'close', 'user-agent': 'apphost-health-probe', accept: '*/*' },
    };
    let req: ClientRequest;
    try {
      req =
        parsed.protocol === 'https:'
          ? httpsRequest(parsed, { ...common, rejectUnauthorized: false }, onResponse)
          : httpRequest(parsed, common, onResponse);
    } catch (err) {
      finish({ ok: false, code: 'PROBE_ERROR', message: (err as Error).message });
      return () => undefined;
    }
    req.once('error', (err: NodeJS.ErrnoException) => finish(failureOf(err)));
    req.end();
    return () => req.destroy();
  });
}
