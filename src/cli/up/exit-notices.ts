// One line in `apphostctl up`'s terminal for each exit of a replica (how it ended, when it restarts,
// how many restarts so far), so a crash loop is visible where the user looks. Rate-limited per
// resource: a resource whose many replicas crash at once prints a few lines per window, and the next
// line it prints says how many were not shown.
import type { Replica } from '../../api/types.ts';

export interface ExitNoticeOptions {
  /** Lines per resource per window. Default 5 (one replica's exits at 0, 0.5, 1.5, 3.5, 7.5 s all show). */
  perWindow?: number;
  /** Default 10 s. */
  windowMs?: number;
  now?: () => number;
}

export interface ExitNotices {
  /** A replica as the API shows it now; returns the line to print when it shows a new exit. */
  observe(replica: Replica): string | undefined;
}

const exited = (r: Replica) => r.status?.state === 'Failed' || r.status?.state === 'Exited';

export function createExitNotices(options: ExitNoticeOptions = {}): ExitNotices {
  const perWindow = options.perWindow ?? 5;
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;
  /** Replica uid/name -> identity of the exit last seen (so each exit counts once). */
  const seen = new Map<string, string>();
  const windows = new Map<string, { start: number; shown: number; suppressed: number }>();

  return {
    observe(r) {
      const id = r.metadata.uid ?? r.metadata.name;
      if (!exited(r)) return undefined;
      const st = r.status!;
      const exit = `${st.finishedAt ?? ''}|${st.restarts ?? 0}|${st.exitCode ?? ''}`;
      if (seen.get(id) === exit) return undefined;
      seen.set(id, exit);
      if (seen.size > 10_000) seen.delete(seen.keys().next().value!);

      const resource = r.spec?.resource ?? r.metadata.name;
      const t = now();
      let w = windows.get(resource);
      if (!w || t - w.start >= windowMs) {
        w = { start: t, shown: 0, suppressed: w?.suppressed ?? 0 };
        windows.set(resource, w);
      }
      if (w.shown >= perWindow) {
        w.suppressed++;
        return undefined;
      }
      w.shown++;
      const how = st.message ?? (st.exitCode !== undefined ? `exited with code ${st.exitCode}` : `is ${st.state}`);
      const restarts = st.restarts ?? 0;
      const more = w.suppressed > 0 ? `; ${w.suppressed} more exit(s) of ${resource} not shown` : '';
      w.suppressed = 0;
      return `[apphost] ${r.metadata.name} ${how} (${restarts} restart${restarts === 1 ? '' : 's'} so far${more})`;
    },
  };
}
