// The starter's api: answers which replica served the request. Listens on PORT (set by apphost).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const who = `${process.env.APPHOST_REPLICA ?? 'api'} pid ${process.pid}`;

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ api: who, time: new Date().toISOString() }) + '\n');
});

server.listen(port, () => console.log(`api ${who} listening on ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
