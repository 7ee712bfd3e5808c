// apphostctl wait --for=condition=Ready resource/x [--timeout=60s]; also --for=delete and
// --for=jsonpath='{.status.phase}'=Running, as kubectl wait.
import { Command } from 'commander';
import type { Condition, KubeObject } from '../../api/types.ts';
import { parseDuration } from '../duration.ts';
import { CliError, isCliError } from '../errors.ts';
import { groupSuffix, objectPath, parseTargets, qualifiedName, type KindRef } from '../kinds.ts';
import { withSession, type Session } from '../session.ts';

export type WaitFor =
  | { type: 'condition'; condition: string; status: string }
  | { type: 'delete' }
  | { type: 'jsonpath'; path: string[]; value: string };

export function parseFor(value: string): WaitFor {
  if (value === 'delete') return { type: 'delete' };
  let m = /^condition=([^=]+)(?:=(.+))?$/i.exec(value);
  if (m) return { type: 'condition', condition: m[1], status: m[2] ?? 'True' };
  m = /^jsonpath=\{?\.?([^}=]+)\}?=(.*)$/i.exec(value);
  // kubectl escapes dots inside a key: {.metadata.annotations.example\.dev/seen}
  if (m) return { type: 'jsonpath', path: m[1].split(/(?<!\\)\./).filter(Boolean).map((p) => p.replace(/\\\./g, '.')), value: m[2] };
  throw new CliError('USAGE', `unrecognized --for "${value}": use condition=Ready, condition=Ready=False, delete, or jsonpath='{.status.phase}'=Running`);
}

export function satisfied(obj: KubeObject | undefined, f: WaitFor): boolean {
  if (f.type === 'delete') return obj === undefined;
  if (!obj) return false;
  if (f.type === 'condition') {
    const conds = ((obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);
    return conds.some((c) => c.type.toLowerCase() === f.condition.toLowerCase() && c.status.toLowerCase() === f.status.toLowerCase());
  }
  let v: unknown = obj;
  for (const p of f.path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v !== undefined && String(v) === f.value;
}

export function waitCommand(): Command {
  return new Command('wait')
    .description('Wait until objects meet a condition')
    .argument('<target...>', 'TYPE/NAME (or TYPE NAME...)')
    .requiredOption('--for <condition>', 'condition=Ready, condition=Ready=False, delete, or jsonpath=\'{.status.phase}\'=Running')
    .option('--timeout <duration>', 'give up after this long', '30s')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl wait --for=condition=Ready resource/api --timeout=60s
  apphostctl wait --for=jsonpath='{.status.phase}'=Running res/api
  apphostctl wait --for=delete replica/api-1`,
    )
    .action(async (args: string[], opts: { for: string; timeout: string }, cmd: Command) => {
      const f = parseFor(opts.for);
      const timeoutMs = parseDuration(opts.timeout);
      await withSession(cmd, async (s) => {
        const deadline = Date.now() + timeoutMs;
        for (const t of parseTargets(await s.kinds(), args)) {
          if (t.name === undefined) throw new CliError('USAGE', 'wait needs names: TYPE/NAME');
          await waitOne(s, t.kind, t.name, f, deadline);
          s.out.write(`${qualifiedName(t.kind, t.name)} ${f.type === 'delete' ? 'deleted' : 'condition met'}\n`);
        }
      });
    });
}

async function getOrUndefined(s: Session, kind: KindRef, name: string): Promise<KubeObject | undefined> {
  try {
    return await s.client.request<KubeObject>({ path: objectPath(kind, s.namespace, name) });
  } catch (err) {
    if (isCliError(err, 'API_ERROR') && err.status?.code === 404) return undefined;
    throw err;
  }
}

/** GET, then watch from its resourceVersion (re-watching if the stream ends) until met or timed out. */
async function waitOne(s: Session, kind: KindRef, name: string, f: WaitFor, deadline: number): Promise<void> {
  let first = true;
  for (;;) {
    const obj = await getOrUndefined(s, kind, name);
    if (satisfied(obj, f)) return;
    if (!obj && first && f.type !== 'delete') {
      throw new CliError('NOT_FOUND', `${kind.plural}${groupSuffix(kind)} "${name}" not found`);
    }
    first = false;
    const left = deadline - Date.now();
    if (left <= 0) break;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), left);
    let met = false;
    try {
      await s.client.stream(
        {
          path: objectPath(kind, s.namespace),
          query: { watch: 1, fieldSelector: `metadata.name=${name}`, resourceVersion: obj?.metadata.resourceVersion },
          signal: ac.signal,
        },
        (line) => {
          if (!line.trim()) return;
          const ev = JSON.parse(line) as { type: string; object: KubeObject };
          if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
          if (ev.object?.metadata?.name !== name) return;
          if (satisfied(ev.type === 'DELETED' ? undefined : ev.object, f)) {
            met = true;
            ac.abort();
          }
        },
      );
    } finally {
      clearTimeout(timer);
    }
    if (met) return;
    if (Date.now() >= deadline) break;
  }
  throw new CliError('TIMEOUT', `timed out waiting for the condition on ${kind.plural}/${name}`);
}
