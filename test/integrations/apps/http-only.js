// A plain http server on PORT (TLS, if any, is the proxy's business).
import http from 'node:http';

http.createServer((req, res) => res.end(`plain http from ${process.env.APPHOST_REPLICA}\n`)).listen(Number(process.env.PORT), '127.0.0.1');
