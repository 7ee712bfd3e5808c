// The live view of `apphostctl up`: a status block (resources, replicas ready, endpoint URLs) kept
// at the top of the terminal while prefixed, coloured replica logs scroll below it (an ANSI scroll
// region). Without a terminal, status changes print as plain lines between the logs.
import pc from 'picocolors';
import type { Endpoint, Replica, Resource } from '../../api/types.ts';
import { formatColumns } from '../output/columns.ts';

export interface StatusSnapshot {
  resources: Resource[];
  replicas: Replica[];
  endpoints: Endpoint[];
}

export interface ResourceLine {
  name: string;
  phase: string;
  /** Why it is in that phase (CrashLoopBackOff, PortInUse, WaitForCycle...), when not Running. */
  reason?: string;
  ready: string;
  restarts: number;
  urls: string[];
}

/** The phase, with its reason when that says more (`Degraded (CrashLoopBackOff)`). */
export function phaseText(l: Pick<ResourceLine, 'phase' | 'reason'>): string {
  return l.reason && l.phase !== 'Running' && l.reason !== l.phase ? `${l.phase} (${l.reason})` : l.phase;
}

export function summarize(s: StatusSnapshot): ResourceLine[] {
  return [...s.resources]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((r) => {
      const name = r.metadata.name;
      const reps = s.replicas.filter((x) => x.spec?.resource === name);
      const ready = reps.filter((x) => x.status?.ready).length;
      const want = r.spec?.replicas ?? 1;
      const urls = s.endpoints
        .filter((e) => e.spec?.resource === name)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
        .map((e) => e.status?.url ?? `${e.spec?.name ?? e.metadata.name}: <pending>`);
      const restarts = reps.reduce((n, x) => n + (x.status?.restarts ?? 0), 0);
      return { name, phase: r.status?.phase ?? 'Pending', reason: r.status?.reason, ready: `${ready}/${want}`, restarts, urls };
    });
}

function colourPhase(phase: string, text = phase): string {
  if (phase === 'Running') return pc.green(text);
  if (phase === 'Failed' || phase === 'Degraded') return pc.red(text);
  return pc.yellow(text);
}

export function statusLines(title: string, lines: ResourceLine[], details: string[] = []): string[] {
  const { lines: table } = formatColumns(
    ['RESOURCE', 'PHASE', 'READY', 'RESTARTS', 'ENDPOINTS'],
    lines.map((l) => [l.name, phaseText(l), l.ready, String(l.restarts), l.urls.join(' ') || '-']),
  );
  // Colour after padding so widths stay right.
  const coloured = table.map((t, i) => {
    if (i === 0) return pc.dim(t);
    const l = lines[i - 1];
    return t.replace(phaseText(l), colourPhase(l.phase, phaseText(l)));
  });
  return [pc.bold(title), ...details, ...coloured];
}

export interface StatusView {
  update(lines: ResourceLine[]): void;
  log(line: string): void;
  /** Leaves the terminal as it was (scroll region reset, cursor below). */
  close(): void;
}

export function createStatusView(options: { title: string; details?: string[]; out: NodeJS.WriteStream; tty?: boolean }): StatusView {
  const out = options.out;
  const details = options.details ?? [];
  const tty = options.tty ?? (!!out.isTTY && process.env.TERM !== 'dumb');
  if (!tty) return plainView([options.title, ...details], out);
  let height = 0;
  let last: string[] = [];
  const rows = () => out.rows || 24;
  const draw = (lines: string[]) => {
    const max = Math.max(3, Math.floor(rows() / 2));
    const block = lines.length > max ? [...lines.slice(0, max - 1), pc.dim(`... ${lines.length - max + 1} more`)] : lines;
    const h = block.length + 1;
    let s = '\x1b7'; // save cursor
    if (h !== height) {
      // New scroll region below the block; move the cursor into it.
      s = `\x1b[${h + 1};${rows()}r\x1b[${rows()};1H\x1b7`;
      height = h;
    }
    block.forEach((l, i) => (s += `\x1b[${i + 1};1H\x1b[2K${l}`));
    s += `\x1b[${h};1H\x1b[2K${pc.dim('─'.repeat(Math.min(out.columns || 80, 100)))}`;
    s += '\x1b8'; // restore cursor (inside the scroll region)
    out.write(s);
  };
  out.write('\x1b[2J\x1b[H');
  const onResize = () => {
    height = 0;
    out.write('\x1b[2J');
    draw(last);
  };
  out.on('resize', onResize);
  return {
    update(lines) {
      const next = statusLines(options.title, lines, details);
      if (height !== 0 && next.join('\n') === last.join('\n')) return; // unchanged: no redraw
      last = next;
      draw(last);
    },
    log(line) {
      out.write(line + '\n');
    },
    close() {
      out.off('resize', onResize);
      out.write(`\x1b[r\x1b[${rows()};1H\n`);
    },
  };
}

function plainView(header: string[], out: NodeJS.WritableStream): StatusView {
  const shown = new Map<string, string>();
  let titled = false;
  return {
    update(lines) {
      if (!titled) {
        out.write(header.map((h) => `${h}\n`).join(''));
        titled = true;
      }
      for (const l of lines) {
        const text = `${phaseText(l)} ${l.ready} ready${l.urls.length ? ` ${l.urls.join(' ')}` : ''}`;
        if (shown.get(l.name) === text) continue;
        shown.set(l.name, text);
        out.write(`${pc.bold(`[apphost] ${l.name}:`)} ${text}\n`);
      }
    },
    log(line) {
      out.write(line + '\n');
    },
    close() {},
  };
}
