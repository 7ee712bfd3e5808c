// Errors of refused actions, shown at the top of the page until dismissed.
import { useEffect, useState } from 'preact/hooks';

interface Notice {
  id: number;
  text: string;
}

let notices: Notice[] = [];
let next = 1;
const listeners = new Set<() => void>();
const changed = () => listeners.forEach((l) => l());

export function reportError(what: string, err: unknown): void {
  notices = [...notices, { id: next++, text: `${what}: ${(err as Error)?.message ?? String(err)}` }].slice(-5);
  changed();
}

export function Notices() {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => set((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  if (notices.length === 0) return null;
  return (
    <div class="notices">
      {notices.map((n) => (
        <div class="notice" role="alert" key={n.id}>
          <span>{n.text}</span>
          <button
            class="icon"
            title="Dismiss"
            onClick={() => {
              notices = notices.filter((x) => x.id !== n.id);
              changed();
            }}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** Runs an action, reporting a refusal; returns whether it worked. */
export async function attempt(what: string, fn: () => Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    reportError(what, err);
    return false;
  }
}
