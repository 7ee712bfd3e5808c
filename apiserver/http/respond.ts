// Writing JSON and Status responses. One place, so every answer carries the same headers.
import type { ServerResponse } from 'node:http';
import { ApiError, type Status } from '../../src/api/status.ts';

export const JSON_TYPE = 'application/json';

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = JSON_TYPE, warnings?: string[]): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string | string[] | number> = {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache, private',
  };
  if (warnings && warnings.length > 0) headers['warning'] = warningHeaders(warnings);
  res.writeHead(code, headers);
  res.end(text);
}

/**
 * `299 - "text"` as Kubernetes sends it: one line, quotes and backslashes escaped, and anything that
 * is not printable ASCII as `\uXXXX` (a header may not carry it; the text can quote user input).
 */
export function warningHeader(text: string): string {
  const clean = text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `299 - "${clean}"`;
}

/** Warning headers stay small whatever the user sent: each warning cut to 256 characters, 4 KiB in all. */
const MAX_WARNING = 256;
const MAX_WARNINGS_TOTAL = 4096;

export function warningHeaders(warnings: readonly string[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (let i = 0; i < warnings.length; i++) {
    const text = warnings[i]!.length > MAX_WARNING ? `${warnings[i]!.slice(0, MAX_WARNING)}...` : warnings[i]!;
    const header = warningHeader(text);
    if (total + header.length > MAX_WARNINGS_TOTAL) {
      out.push(warningHeader(`${warnings.length - i} more warnings not shown`));
      break;
    }
    out.push(header);
    total += header.length;
  }
  return out;
}

export function sendStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status.code, status);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  sendStatus(res, err.toStatus());
}

export function internalError(message = 'an internal error occurred'): ApiError {
  return new ApiError('InternalError', message);
}
