// Docker's multiplexed log format (non-TTY containers): frames of an 8-byte header
// [stream, 0, 0, 0, size (uint32 BE)] followed by `size` bytes. Split into per-stream lines.
import type { LogLine } from './types.ts';

export interface LogDemuxer {
  /** Feed raw bytes from the daemon. */
  push(chunk: Buffer): void;
  /** Flush partial lines at end of stream. */
  end(): void;
}

export function createLogDemuxer(onLine: (line: LogLine) => void): LogDemuxer {
  let pending: Buffer = Buffer.alloc(0);
  const partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  const emitText = (stream: 'stdout' | 'stderr', text: string): void => {
    const parts = (partial[stream] + text).split('\n');
    partial[stream] = parts.pop() ?? '';
    for (const part of parts) onLine({ stream, line: part.endsWith('\r') ? part.slice(0, -1) : part });
  };

  return {
    push(chunk) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const kind = pending[0];
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const payload = pending.subarray(8, 8 + size).toString('utf8');
        pending = pending.subarray(8 + size);
        emitText(kind === 2 ? 'stderr' : 'stdout', payload);
      }
    },
    end() {
      for (const stream of ['stdout', 'stderr'] as const) {
        if (partial[stream]) onLine({ stream, line: partial[stream] });
        partial[stream] = '';
      }
    },
  };
}

/** Splits a raw (TTY) byte stream into lines. */
export function createLineSplitter(stream: 'stdout' | 'stderr', onLine: (line: LogLine) => void): LogDemuxer {
  let partial = '';
  return {
    push(chunk) {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) onLine({ stream, line: part.endsWith('\r') ? part.slice(0, -1) : part });
    },
    end() {
      if (partial) onLine({ stream, line: partial });
      partial = '';
    },
  };
}
