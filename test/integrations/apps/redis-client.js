// A replica that uses ConnectionStrings__cache (StackExchange.Redis form `host:port,password=...`):
// AUTH, SET, GET over RESP on a plain socket, prints the outcome, then stays up.
import net from 'node:net';

const cs = process.env.ConnectionStrings__cache ?? '';
const [hostPort, ...opts] = cs.split(',');
const password = opts.find((o) => o.startsWith('password='))?.slice('password='.length);
const at = hostPort.lastIndexOf(':');
const host = hostPort.slice(0, at);
const port = Number(hostPort.slice(at + 1));
const command = (...args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
const value = `v-${process.env.APPHOST_REPLICA}-${Date.now()}`;

const socket = net.connect({ host, port }, () => {
  socket.write(command('AUTH', password) + command('SET', 'apphost-key', value) + command('GET', 'apphost-key'));
});
let reply = '';
socket.on('data', (chunk) => {
  reply += chunk;
  // +OK (AUTH), +OK (SET), $<len>\r\n<value>\r\n (GET)
  const lines = reply.split('\r\n');
  if (lines.length >= 5) {
    const ok = lines[0] === '+OK' && lines[1] === '+OK' && lines[3] === value;
    console.log(ok ? `REDIS-ROUNDTRIP-OK ${host}:${port} ${value}` : `REDIS-ROUNDTRIP-FAILED ${JSON.stringify(lines.slice(0, 4))}`);
    socket.end();
  }
});
socket.on('error', (err) => console.log(`REDIS-ROUNDTRIP-FAILED ${err.message}`));
setInterval(() => {}, 60_000);
