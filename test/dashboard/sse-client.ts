// A Server-Sent Events reader for the dashboard's streams (tests): GET with the session cookie,
// events parsed as they arrive, `next(event)` waits for the next one of a name.
import { request, type IncomingMessage } from 'node:http';
import { waitFor } from '../support/wait.ts';

export interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

export interface SseReader {
  status: number;
  events: SseEvent[];
  /** The first event named `name` after the `from`-th event (default: any not yet taken). */
  next(name: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export function openSseReader(url: string, headers: Record<string, string>): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res: IncomingMessage) => {
      const events: SseEvent[] = [];
      let taken = 0;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev: Partial<SseEvent> & { lines: string[] } = { event: 'message', lines: [] };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(': ');
            const [field, value] = colon >= 0 ? [line.slice(0, colon), line.slice(colon + 2)] : [line, ''];
            if (field === 'event') ev.event = value;
            else if (field === 'id') ev.id = value;
            else if (field === 'data') ev.lines.push(value);
          }
          if (ev.lines.length) events.push({ event: ev.event!, id: ev.id, data: JSON.parse(ev.lines.join('\n')) });
        }
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        events,
        async next(name, timeoutMs = 5_000) {
          const i = await waitFor(`SSE event ${name}`, () => {
            const at = events.findIndex((e, n) => n >= taken && e.event === name);
            return at >= 0 ? at + 1 : undefined;
          }, timeoutMs);
          taken = i;
          return events[i - 1];
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
