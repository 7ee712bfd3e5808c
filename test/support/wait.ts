// Waiting in tests: poll a condition until it holds (bounded), and find a free port.
import { createPortAllocator } from '../../src/platform/ports/index.ts';

/** Polls `fn` every `everyMs` until it returns something truthy; fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A port nobody listens on right now, for a test that must name a fixed port before the code under
 * test binds it (where the code binds port 0 itself, read its port back instead). It comes from
 * apphost's own allocator: outside the kernel's ephemeral range, so no outgoing connection or bind
 * to port 0 takes it in between.
 */
export function freePort(): Promise<number> {
  return createPortAllocator().allocate();
}
