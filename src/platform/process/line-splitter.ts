// Splits a byte stream into lines: chunks may cut a line (or a UTF-8 character) anywhere. `\r\n`
// and `\n` end a line; a partial last line is emitted by `end()`. Very long lines are emitted in
// pieces of `maxLineLength` so a stream without newlines cannot grow memory without bound.
import { StringDecoder } from 'node:string_decoder';

export interface LineSplitterOptions {
  onLine: (line: string) => void;
  /** Default 65 536 characters. */
  maxLineLength?: number;
}

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private readonly onLine: (line: string) => void;
  private readonly maxLineLength: number;
  private pending = '';

  constructor(options: LineSplitterOptions) {
    this.onLine = options.onLine;
    this.maxLineLength = options.maxLineLength ?? 65_536;
  }

  push(chunk: Buffer | string): void {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.emit(text.slice(start, nl));
      start = nl + 1;
    }
    this.pending = text.slice(start);
    while (this.pending.length >= this.maxLineLength) {
      this.onLine(this.pending.slice(0, this.maxLineLength));
      this.pending = this.pending.slice(this.maxLineLength);
    }
  }

  /** Flushes the last line when the stream did not end with a newline. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest.length > 0) this.emit(rest);
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
