// The starter's frontend: calls the api through the reference variable apphost injects
// (services__api__http__0, or API_HTTP) and answers with which replicas served the request.
import { createServer, get } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const who = `${process.env.APPHOST_REPLICA ?? 'frontend'} pid ${process.pid}`;
const apiUrl = process.env.services__api__http__0 ?? process.env.API_HTTP;

function callApi() {
  return new Promise((resolve, reject) => {
    if (!apiUrl) return reject(new Error('no api reference injected (services__api__http__0)'));
    // agent: false = a new connection per call, so the api proxy spreads calls over its replicas.
    const req = get(new URL('/', apiUrl), { agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body).api);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('api timed out')));
    req.on('error', reject);
  });
}

const server = createServer(async (req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  try {
    const api = await callApi();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ frontend: who, api }) + '\n');
  } catch (err) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ frontend: who, error: String(err.message ?? err) }) + '\n');
  }
});

server.listen(port, () => console.log(`frontend ${who} listening on ${server.address().port}, api at ${apiUrl}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
