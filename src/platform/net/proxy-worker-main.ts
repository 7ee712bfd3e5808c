// Entry point of a proxy worker process (forked by proxy-workers.ts, never imported). It accepts
// on listening sockets apphost bound and sent over IPC, forwards with the handles engine, follows
// backend and policy changes, and reports its counters. It exits when apphost goes away.
import { HandleTcpProxy, handleEngineAvailable } from './tcp-handle-proxy.ts';
import type { UvTcpHandle } from './uv-bindings.ts';
import type { FromWorker, ToWorker } from './proxy-worker-protocol.ts';
import type { ProxyStats } from './types.ts';

const STATS_EVERY_MS = 200;

const send = (message: FromWorker): void => {
  if (process.connected) process.send!(message);
};

if (!process.send || !handleEngineAvailable()) {
  process.stderr.write('proxy worker: needs an IPC channel and the libuv handle bindings\n');
  process.exit(2);
}

const pendingHandles = new Map<string, UvTcpHandle[]>();
const proxies = new Map<string, { proxy: HandleTcpProxy; reported: string }>();

process.on('message', (message: ToWorker, handle: unknown) => {
  switch (message.op) {
    case 'handle': {
      const list = pendingHandles.get(message.id) ?? [];
      list[message.index] = handle as UvTcpHandle;
      pendingHandles.set(message.id, list);
      return;
    }
    case 'start': {
      const handles = pendingHandles.get(message.id) ?? [];
      pendingHandles.delete(message.id);
      try {
        if (handles.filter(Boolean).length !== message.handles) throw new Error(`expected ${message.handles} listening handles, got ${handles.length}`);
        const proxy = new HandleTcpProxy(message.options);
        proxy.adopt(handles, message.addresses, message.port);
        proxies.set(message.id, { proxy, reported: '' });
        send({ op: 'started', id: message.id });
      } catch (err) {
        for (const h of handles) h?.close();
        send({ op: 'failed', id: message.id, message: (err as Error).message });
      }
      return;
    }
    case 'backends':
      proxies.get(message.id)?.proxy.setBackends(message.backends);
      return;
    case 'policy':
      proxies.get(message.id)?.proxy.setPolicy(message.policy, message.clientIPAffinity);
      return;
    case 'whenNoBackend':
      proxies.get(message.id)?.proxy.setWhenNoBackend(message.mode);
      return;
    case 'close': {
      const entry = proxies.get(message.id);
      proxies.delete(message.id);
      void (entry ? entry.proxy.close() : Promise.resolve()).then(() => {
        if (entry) report(message.id, entry.proxy.stats(), '');
        send({ op: 'closed', id: message.id });
      });
      return;
    }
  }
});

function report(id: string, stats: ProxyStats, previous: string): string {
  const text = JSON.stringify(stats);
  if (text !== previous) send({ op: 'stats', id, stats });
  return text;
}

// Ctrl+C in a terminal signals the whole foreground group, this worker too: apphost decides when
// its proxies stop (it closes them after its replicas, then ends this worker), so ignore it here.
process.on('SIGINT', () => undefined);

// apphost gone (exit, crash or SIGKILL closes the channel): so are its proxies. The channel may
// have closed while this worker was still loading, before any listener could hear it: check too.
process.on('disconnect', () => process.exit(0));
if (!process.connected) process.exit(0);

setInterval(() => {
  // Belt and braces: never outlive apphost, even if the disconnect was missed.
  if (!process.connected) process.exit(0);
  for (const [id, entry] of proxies) entry.reported = report(id, entry.proxy.stats(), entry.reported);
}, STATS_EVERY_MS);

send({ op: 'ready' });
