// The apphost proxy as its own process for the benchmark, so it can be pinned to a core:
//   node bin/run-ts.js bench/proxy/proxy-server.ts --backend 127.0.0.1:8080 [--port 0] [--workers N]
// --workers: proxy worker processes next to this one (default: what apphost uses, defaultProxyWorkers()).
// Prints {"port": N} on stdout once listening; stops on SIGTERM.
import { parseArgs } from 'node:util';
import { createNetProxyFactory, defaultProxyWorkers } from '../../src/platform/net/index.ts';

const { values } = parseArgs({
  options: { backend: { type: 'string' }, port: { type: 'string', default: '0' }, listen: { type: 'string', default: '127.0.0.1' }, workers: { type: 'string' } },
});
if (!values.backend) {
  console.error('usage: proxy-server.ts --backend HOST:PORT [--port N] [--listen ADDRESS]');
  process.exit(2);
}
const [address, port] = [values.backend.slice(0, values.backend.lastIndexOf(':')), Number(values.backend.slice(values.backend.lastIndexOf(':') + 1))];
const workers = values.workers !== undefined ? Number(values.workers) : defaultProxyWorkers();
const factory = createNetProxyFactory({ workers });
const proxy = await factory.start({
  listen: { address: values.listen!, port: Number(values.port) },
  protocol: 'TCP',
  backends: [{ name: 'backend', address, port }],
});
process.stdout.write(`${JSON.stringify({ port: proxy.port, engine: proxy.engine, workers })}\n`);
const shutdown = (): void => {
  const stats = proxy.stats();
  process.stderr.write(`${JSON.stringify(stats)}\n`);
  void proxy.close().then(() => factory.close?.()).then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
