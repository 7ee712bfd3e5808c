// Log capture shares the event loop with the proxies and the API. Reading a flooding child's pipe
// flat out costs one 64 KiB read after another in the same loop iteration (libuv reads a ready pipe
// up to 32 times in a row), each split into lines and appended, while other sockets wait. A turn
// budget caps the log bytes handled per loop iteration across every captured stream: a stream that
// goes over it is paused (Node stops reading its pipe, so the child blocks on write: backpressure)
// and resumed in the check phase, after the other sockets' I/O of the iteration has run.
import type { Readable } from 'node:stream';

export interface TurnBudget {
  /** Counts `bytes` just handled from `stream`; pauses it until the next turn when over budget. */
  take(stream: Readable, bytes: number): void;
}

export const DEFAULT_CAPTURE_BYTES_PER_TURN = 256 * 1024;

export function createTurnBudget(bytesPerTurn = DEFAULT_CAPTURE_BYTES_PER_TURN): TurnBudget {
  let used = 0;
  let scheduled = false;
  const paused = new Set<Readable>();
  const nextTurn = () => {
    scheduled = false;
    used = 0;
    for (const stream of paused) if (!stream.destroyed) stream.resume();
    paused.clear();
  };
  return {
    take(stream, bytes) {
      used += bytes;
      if (!scheduled) {
        scheduled = true;
        setImmediate(nextTurn);
      }
      if (used >= bytesPerTurn && !paused.has(stream)) {
        stream.pause();
        paused.add(stream);
      }
    },
  };
}
