// Summarises a V8 .cpuprofile (from BENCH_PROF=<dir>): top functions by self time, and self time
// grouped by where the code lives (Node's TLS/HTTP/streams, JSON, ajv, apiserver files, GC...).
// `node bin/run-ts.js bench/api/profile-summary.ts <file.cpuprofile> [top=25]`
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

function where(n: Node): string {
  const { functionName, url } = n.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`;
  const rel = url.replace(/^file:\/\//, '').replace(/^.*?\/node_modules\//, 'node_modules/').replace(/^.*?\/(apiserver|src|bench)\//, '$1/');
  if (rel.startsWith('node:')) return rel.split('/').slice(0, 2).join('/').replace(/_.*$/, '');
  if (rel.startsWith('node_modules/')) return rel.split('/').slice(0, rel.startsWith('node_modules/@') ? 3 : 2).join('/');
  return rel;
}

const fns = new Map<string, number>();
const groups = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${where(n)}:${n.callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const g = where(n);
  groups.set(g, (groups.get(g) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const top = Number(topArg ?? 25);
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled\n\ntop functions by self time`);
for (const [k, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`);
console.log('\nself time by place');
for (const [k, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`);

// Inclusive time (self + callees) of the parts a write goes through, by the frames on the stack.
const buckets: [string, (n: Node) => boolean][] = [
  ['TLS + socket writes (native writev, tls, stream_base)', (n) => n.callFrame.functionName === 'writev' || /node:(tls|_tls|internal\/stream_base)/.test(n.callFrame.url) || n.callFrame.functionName === 'writevGeneric'],
  ['HTTP parsing (parserOnHeadersComplete, parserOnBody)', (n) => /^parserOn/.test(n.callFrame.functionName)],
  ['request body: read + JSON.parse (apiserver/http/body.ts)', (n) => n.callFrame.url.endsWith('apiserver/http/body.ts')],
  ['store write (apiserver/store/, incl. admission and fan-out)', (n) => /apiserver\/store\/store\.ts$/.test(n.callFrame.url) && /^(create|update|replace|apply|patch|remove|delete)/.test(n.callFrame.functionName)],
  ['admission: registry (ajv validation, shape, defaults)', (n) => /apiserver\/registry\//.test(n.callFrame.url)],
  ['ajv compiled validators', (n) => /node_modules\/ajv|^validate\d*$/.test(n.callFrame.url + ' ' + n.callFrame.functionName) && /validate/.test(n.callFrame.functionName)],
  ['watch fan-out (store watch-fanout + http watch.ts)', (n) => /apiserver\/store\/watch-fanout\.ts$|apiserver\/http\/watch\.ts$/.test(n.callFrame.url)],
  ['serialise (objectJson / sendJson)', (n) => n.callFrame.functionName === 'objectJson' || n.callFrame.functionName === 'sendJson'],
  ['logging (pino)', (n) => /node_modules\/pino/.test(n.callFrame.url)],
  ['garbage collector', (n) => n.callFrame.functionName === '(garbage collector)'],
];
const parent = new Map<number, number>();
for (const n of profile.nodes as (Node & { children?: number[] })[]) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
let busy = 0;
for (const [id, us] of self) {
  if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
  busy += us;
  const hit = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    for (const [name, match] of buckets) if (match(byId.get(cur)!)) hit.add(name);
  }
  for (const name of hit) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
}
console.log(`\ninclusive time, share of non-idle ${(busy / 1000).toFixed(0)} ms (buckets overlap: e.g. the fan-out runs inside the store write)`);
for (const [name] of buckets) console.log(`  ${(((inclusive.get(name) ?? 0) * 100) / busy).toFixed(1).padStart(5)} %  ${name}`);
