// Resolves `https+http://api` from the injected service variables and GETs it. Trust comes from
// NODE_EXTRA_CA_CERTS (apphost's development CA), read by Node at start-up.
import https from 'node:https';
import http from 'node:http';
import { resolveServiceUrl } from '../../../src/discovery/index.ts';

const url = resolveServiceUrl('https+http://api/');
const get = url.startsWith('https:') ? https.get : http.get;
const attempt = () =>
  get(url, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => console.log(`CLIENT-OK ${url} ${body.trim()}`));
  }).on('error', (err) => {
    console.log(`CLIENT-ERROR ${url} ${err.message}`);
    setTimeout(attempt, 500);
  });
attempt();
setInterval(() => {}, 60_000);
