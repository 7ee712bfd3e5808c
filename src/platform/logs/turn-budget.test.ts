// The turn budget against a real child flooding its pipe: no byte is lost, and between two turns of
// the event loop at most the budget (plus the chunk that crossed it, and what Node had buffered)
// is handled, so other sockets get their turn.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTurnBudget } from './turn-budget.ts';

describe('createTurnBudget', () => {
  it('pauses a flooding pipe each turn and loses nothing', async () => {
    const budget = createTurnBudget(64 * 1024);
    const child = spawn(process.execPath, ['-e', "const b = Buffer.alloc(1 << 20, 120); for (let i = 0; i < 16; i++) process.stdout.write(b);"], { stdio: ['ignore', 'pipe', 'inherit'] });
    let total = 0;
    let sinceTurn = 0;
    let maxPerTurn = 0;
    let turns = 0;
    let done = false;
    const tick = () => {
      turns++;
      sinceTurn = 0;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    child.stdout.on('data', (chunk: Buffer) => {
      total += chunk.length;
      sinceTurn += chunk.length;
      maxPerTurn = Math.max(maxPerTurn, sinceTurn);
      budget.take(child.stdout, chunk.length);
    });
    await new Promise((resolve) => child.stdout.once('end', resolve));
    done = true;
    expect(total).toBe(16 << 20);
    // 64 KiB budget, a 64 KiB read crossing it, and the readable's own buffer of a chunk or two.
    expect(maxPerTurn).toBeLessThanOrEqual(4 * 64 * 1024);
    expect(turns).toBeGreaterThan(16);
  });
});
