import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.ts';

function split(chunks: (string | Buffer)[], maxLineLength?: number): string[] {
  const lines: string[] = [];
  const s = new LineSplitter({ onLine: (l) => lines.push(l), maxLineLength });
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return lines;
}

describe('LineSplitter', () => {
  it('joins lines cut across chunks and flushes the partial last line', () => {
    expect(split(['hel', 'lo\nwor', 'ld\n', 'tail'])).toEqual(['hello', 'world', 'tail']);
  });

  it('strips \\r of CRLF and keeps empty lines', () => {
    expect(split(['a\r\n\r\nb\n'])).toEqual(['a', '', 'b']);
  });

  it('does not break a UTF-8 character cut between chunks', () => {
    const bytes = Buffer.from('héllo ✓\n');
    const cut = bytes.indexOf(0xa9); // second byte of é
    expect(split([bytes.subarray(0, cut), bytes.subarray(cut, cut + 8), bytes.subarray(cut + 8)])).toEqual([
      'héllo ✓',
    ]);
  });

  it('emits a line without newline in bounded pieces', () => {
    expect(split(['abcdefghij'], 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
});
