// CLI output into a real pipe is never cut: stdout to a pipe is asynchronous, and an exit before
// it drains dropped everything past the first 64 KiB (`get -o json | jq` got invalid JSON, `logs |
// wc -l` counted a few hundred of 10,000 lines). Through the real `apphostctl up` and a shell pipe,
// with a reader that keeps up (`wc -l`) and one that starts late (the pipe is full long before).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { waitFor } from '../support/wait.ts';
import { BIN } from './support.ts';

const LINES_PER_REPLICA = 5_000;
const STOPPED_RESOURCES = 150;

const FLOOD = `const name = process.env.APPHOST_REPLICA;
let out = '';
for (let i = 1; i <= ${LINES_PER_REPLICA}; i++) out += name + ' line ' + i + ' ' + 'x'.repeat(40) + '\\n';
process.stdout.write(out);
setInterval(() => undefined, 60_000);
`;

function manifest(): string {
  const docs = [`apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: flood}
spec:
  executable: {command: node, args: [flood.mjs]}
  replicas: 2
`];
  // Enough objects for `get -o json` to be far over 64 KiB; stopped, so nothing runs.
  for (let i = 0; i < STOPPED_RESOURCES; i++) {
    docs.push(`apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: idle-${i}, labels: {group: idle}}
spec:
  stopped: true
  executable: {command: node, args: [idle.mjs]}
  env: [{name: PADDING, value: "${'p'.repeat(600)}"}]
`);
  }
  return docs.join('---\n');
}

/** Runs `apphostctl ARGS | READER` in bash (pipefail: the code is apphostctl's unless the reader fails) in the app's folder. */
function pipeline(app: CliApp, args: string, reader: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const sh = spawn('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${BIN}" ${args} | ${reader}`], {
      cwd: app.dir,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    sh.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    sh.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => sh.kill('SIGKILL'), 60_000);
    sh.on('error', reject);
    sh.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

// Reads all of stdin, then parses it: a late reader, when the writer has long filled the pipe.
const LATE_JSON_READER = `sh -c 'sleep 1; exec node -e "let s=\\"\\";process.stdin.on(\\"data\\",d=>s+=d).on(\\"end\\",()=>{const o=JSON.parse(s);console.log(o.items.length, s.length)})"'`;

describe('apphostctl output into a pipe', { timeout: 180_000 }, () => {
  let app: CliApp;
  beforeAll(async () => {
    app = await startCliApp({ name: 'pipes', files: { 'apphost.yaml': manifest(), 'flood.mjs': FLOOD, 'idle.mjs': '' } });
    await waitFor(
      'both replicas logged every line',
      async () => {
        for (const r of ['flood-0', 'flood-1']) {
          const res = await app.client.request({ path: `/apis/apphost.dev/v1/namespaces/default/replicas/${r}/log` });
          if (res.status !== 200 || res.text.split('\n').filter(Boolean).length < LINES_PER_REPLICA) return false;
        }
        return true;
      },
      60_000,
      200,
    );
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('logs resource/x of 10,000 lines: wc -l counts every one, with a fast and with a late reader', async () => {
    for (const reader of ['wc -l', 'wc -l', "sh -c 'sleep 1; exec wc -l'"]) {
      const r = await pipeline(app, 'logs resource/flood', reader);
      expect({ reader, lines: Number(r.stdout.trim()), stderr: r.stderr, code: r.code }).toEqual({
        reader,
        lines: 2 * LINES_PER_REPLICA,
        stderr: '',
        code: 0,
      });
    }
  });

  it('get -o json of many objects parses whole, well over 64 KiB', async () => {
    const r = await pipeline(app, 'get res -o json', LATE_JSON_READER);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [count, chars] = r.stdout.trim().split(' ').map(Number);
    expect(count).toBe(STOPPED_RESOURCES + 1);
    expect(chars).toBeGreaterThan(4 * 65_536);
  });

  it('a reader that stops early (head) ends the CLI quietly, without an error', async () => {
    const r = await pipeline(app, 'logs resource/flood', 'head -n 3');
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(r.stderr).toBe('');
  });
});
