// apphostctl logs [-f] [--since 5m] [--tail N] resource/x | replica: every line prefixed with its
// replica (`[api-0] ...`), in one colour per replica.
import { Command } from 'commander';
import pc from 'picocolors';
import type { Replica } from '../../api/types.ts';
import { parseDuration } from '../duration.ts';
import { CliError } from '../errors.ts';
import { resolveReplicaTarget } from '../replica-target.ts';
import { interruptSignal, withSession, type Session } from '../session.ts';

interface LogsOptions {
  follow?: boolean;
  since?: string;
  tail?: string;
  timestamps?: boolean;
  prefix: boolean;
}

const COLOURS = [pc.cyan, pc.yellow, pc.green, pc.magenta, pc.blue, pc.red];

export function colourFor(name: string): (s: string) => string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const idx = /-(\d+)$/.exec(name);
  return COLOURS[(idx ? Number(idx[1]) : h) % COLOURS.length];
}

export function prefixLine(replica: string, line: string): string {
  return `${colourFor(replica)(`[${replica}]`)} ${line}`;
}

export function logsCommand(): Command {
  return new Command('logs')
    .description('Print the logs of a replica, or of every replica of a resource')
    .argument('<target>', 'resource/NAME, replica/NAME, or a replica or resource name')
    .option('-f, --follow', 'keep streaming new lines (and replicas that appear)')
    .option('--since <duration>', 'only lines newer than this, e.g. 5m, 1h')
    .option('--tail <lines>', 'only the last N lines of each replica')
    .option('--timestamps', 'prefix each line with its time')
    .option('--no-prefix', 'do not prefix lines with the replica name')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl logs resource/api
  apphostctl logs -f --since 5m res/api
  apphostctl logs api-0 --tail 20`,
    )
    .action(async (target: string, opts: LogsOptions, cmd: Command) => {
      const sinceSeconds = opts.since ? Math.max(1, Math.ceil(parseDuration(opts.since) / 1000)) : undefined;
      const tailLines = opts.tail !== undefined ? Number(opts.tail) : undefined;
      if (tailLines !== undefined && (!Number.isInteger(tailLines) || tailLines < 0)) {
        throw new CliError('USAGE', `--tail needs a whole number >= 0, got "${opts.tail}"`);
      }
      await withSession(cmd, async (s) => {
        const t = await resolveReplicaTarget(s, target);
        if (t.replicas.length === 0 && t.resource) {
          s.err.write(`resource "${t.resource}" has no replicas${opts.follow ? ' yet: waiting for some' : ''}\n`);
        }
        const query = { sinceSeconds, tailLines };
        if (!opts.follow) {
          await printMerged(s, t.replicas, query, opts);
          return;
        }
        await follow(s, t.resource, t.replicas, query, opts);
      });
    });
}

function out(s: Session, opts: LogsOptions, replica: string, line: string): void {
  s.out.write((opts.prefix ? prefixLine(replica, line) : line) + '\n');
}

function logPath(s: Session, replica: string): string {
  return `/apis/apphost.dev/v1/namespaces/${s.namespace}/replicas/${encodeURIComponent(replica)}/log`;
}

const TS = /^(\d{4}-\d\d-\d\dT[^ ]+) (.*)$/s;

/** Lines of several replicas, merged in time order (the server's timestamps), then printed. */
async function printMerged(s: Session, replicas: Replica[], query: Record<string, number | undefined>, opts: LogsOptions): Promise<void> {
  const all: { t: number; i: number; replica: string; ts: string; line: string }[] = [];
  let i = 0;
  for (const r of replicas) {
    const text = await s.client.request<string>({ path: logPath(s, r.metadata.name), query: { ...query, timestamps: true }, accept: 'text/plain' });
    for (const raw of String(text).split('\n')) {
      if (raw === '') continue;
      const m = TS.exec(raw);
      const ts = m?.[1] ?? '';
      all.push({ t: m ? Date.parse(m[1]) : 0, i: i++, replica: r.metadata.name, ts, line: m ? m[2] : raw });
    }
  }
  if (replicas.length > 1) all.sort((a, b) => a.t - b.t || a.i - b.i);
  for (const l of all) out(s, opts, l.replica, opts.timestamps && l.ts ? `${l.ts} ${l.line}` : l.line);
}

async function follow(
  s: Session,
  resource: string | undefined,
  initial: Replica[],
  query: Record<string, number | undefined>,
  opts: LogsOptions,
): Promise<void> {
  const interrupt = interruptSignal();
  const following = new Map<string, Promise<void>>();
  const start = (name: string, q: Record<string, number | undefined>) => {
    if (following.has(name)) return;
    const p = s.client
      .stream(
        { path: logPath(s, name), query: { ...q, follow: true, timestamps: opts.timestamps ? true : undefined }, accept: 'text/plain', signal: interrupt.signal },
        (line) => out(s, opts, name, line),
      )
      .catch((err: unknown) => {
        // A replica deleted while we followed it: its stream ends; nothing to report.
        if (!interrupt.signal.aborted) s.err.write(`${pc.dim(`[${name}] log stream ended: ${(err as Error).message}`)}\n`);
      });
    following.set(name, p);
  };
  try {
    for (const r of initial) start(r.metadata.name, query);
    if (resource) {
      // Replicas that appear later (scale up, restart) are followed from their first line.
      await s.client
        .stream(
          { path: `/apis/apphost.dev/v1/namespaces/${s.namespace}/replicas`, query: { watch: 1 }, signal: interrupt.signal },
          (line) => {
            if (!line.trim()) return;
            const ev = JSON.parse(line) as { type: string; object: Replica };
            if (ev.type === 'ADDED' && ev.object?.spec?.resource === resource) start(ev.object.metadata.name, {});
            if (ev.type === 'DELETED') following.delete(ev.object?.metadata?.name);
          },
        )
        .catch((err: unknown) => {
          if (!interrupt.signal.aborted) throw err;
        });
    }
    await Promise.all(following.values());
  } finally {
    interrupt.dispose();
  }
}
