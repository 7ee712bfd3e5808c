// The actions of a resource (Restart, Stop/Start, Scale, Logs), on its row and its details page.
import { useState } from 'preact/hooks';
import { runAction } from './api.ts';
import type { ResourceRow } from './model.ts';
import { attempt } from './notices.tsx';
import { href } from './router.ts';

function ScaleControl(props: { row: ResourceRow }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(String(props.row.desired));
  if (!open) {
    return (
      <button
        data-action="scale"
        onClick={() => {
          setValue(String(props.row.desired));
          setOpen(true);
        }}
      >
        Scale
      </button>
    );
  }
  const apply = async () => {
    const ok = await attempt(`scale ${props.row.name}`, () => runAction(props.row.name, 'scale', { replicas: Number(value) }));
    if (ok) setOpen(false);
  };
  return (
    <span class="scale">
      <input
        type="number"
        min="0"
        aria-label="replicas"
        value={value}
        autoFocus
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void apply();
          if (e.key === 'Escape') setOpen(false);
        }}
      />
      <button class="primary" data-action="scale-apply" onClick={() => void apply()}>
        Apply
      </button>
      <button class="icon" title="Cancel" onClick={() => setOpen(false)}>
        ×
      </button>
    </span>
  );
}

/** Uids of the replicas a restart must replace, per resource, while it runs (kept across re-renders). */
const restarting = new Map<string, { uids: Set<string>; until: number }>();
const RESTART_SHOWN_MS = 60_000;

/** True while a restart clicked here still has old replicas to replace, or new ones not ready. */
function restartInProgress(row: ResourceRow): boolean {
  const r = restarting.get(row.name);
  if (!r) return false;
  const done = Date.now() > r.until || row.replicas.every((x) => !r.uids.has(x.metadata.uid ?? '') && x.status?.ready);
  if (done) restarting.delete(row.name);
  return !done;
}

export function Actions(props: { row: ResourceRow }) {
  const { row } = props;
  const [busy, setBusy] = useState('');
  const act = (action: 'restart' | 'stop' | 'start') => async () => {
    setBusy(action);
    const uids = new Set(row.replicas.map((x) => x.metadata.uid ?? ''));
    const ok = await attempt(`${action} ${row.name}`, () => runAction(row.name, action));
    if (ok && action === 'restart') restarting.set(row.name, { uids, until: Date.now() + RESTART_SHOWN_MS });
    setBusy('');
  };
  const rolling = restartInProgress(row);
  return (
    <div class="actions">
      <button data-action="restart" disabled={busy !== '' || row.stopped || rolling} onClick={act('restart')} title="Replace every replica, one at a time">
        {rolling ? 'Restarting…' : 'Restart'}
      </button>
      {row.stopped ? (
        <button data-action="start" disabled={busy !== ''} onClick={act('start')}>
          Start
        </button>
      ) : (
        <button data-action="stop" disabled={busy !== ''} onClick={act('stop')}>
          Stop
        </button>
      )}
      <ScaleControl row={row} />
      <a class="button" href={href({ page: 'console', resource: row.name })} title="Console logs">
        Logs
      </a>
    </div>
  );
}
