// The browser's pure pieces, in Node: ANSI colour parsing and the bounded, filtered log window.
import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from '../../src/dashboard/web/ansi.ts';
import { LogBuffer, type WireLine } from '../../src/dashboard/web/log-buffer.ts';

const line = (n: number, text = `line ${n}`, replica = 'api-0'): WireLine => [n, n, 'o', replica, text];

describe('parseAnsi', () => {
  it('turns SGR codes into styles and drops other escapes', () => {
    expect(parseAnsi('plain')).toEqual([{ text: 'plain' }]);
    expect(parseAnsi('\x1b[32mgreen\x1b[0m done')).toEqual([{ text: 'green', style: 'color:#a6d189' }, { text: ' done', style: undefined }]);
    expect(parseAnsi('\x1b[1;38;5;196mred\x1b[22m')).toEqual([{ text: 'red', style: 'color:rgb(255,0,0);font-weight:600' }]);
    expect(parseAnsi('\x1b[38;2;1;2;3mrgb')).toEqual([{ text: 'rgb', style: 'color:rgb(1,2,3)' }]);
    expect(parseAnsi('\x1b]0;title\x07\x1b[2Kclean')).toEqual([{ text: 'clean', style: undefined }]);
    expect(stripAnsi('\x1b[31merr\x1b[0m: x')).toBe('err: x');
  });
});

describe('LogBuffer', () => {
  it('keeps a bounded window, dropping the oldest tenth at once', () => {
    const b = new LogBuffer(100);
    b.add(Array.from({ length: 100 }, (_, i) => line(i)));
    expect(b.count).toBe(100);
    b.add([line(100)]);
    expect(b.count).toBe(91);
    expect(b.at(0)![0]).toBe(10);
    expect(b.at(90)![0]).toBe(100);
  });

  it('keeps filter matches right as lines arrive and leave the window', () => {
    const b = new LogBuffer(100, (l) => stripAnsi(l[4]));
    b.add(Array.from({ length: 50 }, (_, i) => line(i, i % 10 === 0 ? `\x1b[31mhit\x1b[0m ${i}` : `miss ${i}`)));
    b.setFilter('HIT');
    expect(b.count).toBe(5);
    b.add(Array.from({ length: 60 }, (_, i) => line(50 + i, (50 + i) % 10 === 0 ? `hit ${50 + i}` : 'miss')));
    // 110 lines > 100: the first 10 (0-9) left, taking hit 0 with them.
    expect(Array.from({ length: b.count }, (_, i) => b.at(i)![0])).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    b.setFilter('api-0'); // a replica name matches its lines
    expect(b.count).toBe(100);
    b.setFilter('');
    expect(b.count).toBe(100);
  });

  it('holds lines back while paused and adds them on resume', () => {
    const b = new LogBuffer(10);
    b.add([line(1)]);
    b.setPaused(true);
    b.add([line(2), line(3)]);
    expect(b.count).toBe(1);
    expect(b.held).toHaveLength(2);
    b.setPaused(false);
    expect(b.count).toBe(3);
    b.clear();
    expect(b.count).toBe(0);
  });
});
