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

export function Actions(props: { row: ResourceRow }) {
  const { row } = props;
  const [busy, setBusy] = useState('');
  const act = (action: 'restart' | 'stop' | 'start') => async () => {
    setBusy(action);
    await attempt(`${action} ${row.name}`, () => runAction(row.name, action));
    setBusy('');
  };
  return (
    <div class="actions">
      <button data-action="restart" disabled={busy !== '' || row.stopped} onClick={act('restart')} title="Replace every replica, one at a time">
        Restart
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
