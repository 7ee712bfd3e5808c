// Test app: an HTTP server on $PORT answering JSON {replica, pid, port, env}; `--udp` instead binds a
// UDP socket on $PORT and answers each datagram with "<replica>:<datagram>". Options by env:
//   READY_AFTER_MS  /health answers 503 until this long after start
//   LISTEN_DELAY_MS wait this long before listening
//   SPAWN_CHILD     start a long-lived child process (in the same process group)
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createSocket } from 'node:dgram';

const port = Number(process.env.PORT ?? 0);
const replica = process.env.APPHOST_REPLICA ?? 'unknown';
const started = Date.now();
const readyAfter = Number(process.env.READY_AFTER_MS ?? 0);

function listen() {
  if (process.argv.includes('--udp')) {
    const sock = createSocket('udp4');
    sock.on('message', (msg, rinfo) => sock.send(`${replica}:${msg}`, rinfo.port, rinfo.address));
    sock.bind(port, '127.0.0.1');
    process.on('SIGTERM', () => sock.close(() => process.exit(0)));
    return;
  }
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      const ok = Date.now() - started >= readyAfter;
      res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'not yet');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ replica, pid: process.pid, port: server.address().port, env: process.env }));
  });
  server.listen(port);
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

if (process.env.SPAWN_CHILD) spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
setTimeout(listen, Number(process.env.LISTEN_DELAY_MS ?? 0));
