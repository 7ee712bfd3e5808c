// Serves https on HTTPS_PORT with apphost's development certificate (APPHOST_TLS_CERT/KEY) and
// plain http on PORT.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const answer = (scheme) => (req, res) => res.end(`${scheme} from ${process.env.APPHOST_REPLICA}\n`);
https
  .createServer({ cert: readFileSync(process.env.APPHOST_TLS_CERT), key: readFileSync(process.env.APPHOST_TLS_KEY) }, answer('https'))
  .listen(Number(process.env.HTTPS_PORT), '127.0.0.1');
http.createServer(answer('http')).listen(Number(process.env.PORT), '127.0.0.1');
