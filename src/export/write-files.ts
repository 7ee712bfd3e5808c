// Puts an export on disk. The output folder must be empty, missing, or an earlier export (it has
// the marker file): files of the earlier export that this one no longer writes are removed, so a
// resource dropped from the app does not linger; nothing else in the folder is touched.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ExportError } from './errors.ts';
import type { ExportFile } from './output.ts';

export const MARKER_FILE = '.apphost-export.json';

/** Files holding secret values are readable by their owner only. */
const PRIVATE = /(^|\/)\.env$|\.secrets\.env$/;

export function writeExport(outDir: string, files: readonly ExportFile[]): string[] {
  const root = resolve(outDir);
  const previous = previousFiles(root);
  for (const old of previous) {
    if (!files.some((f) => f.path === old)) rmSync(join(root, old), { force: true });
  }
  const written: string[] = [];
  for (const f of files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content, { mode: PRIVATE.test(f.path) ? 0o600 : 0o644 });
    written.push(f.path);
  }
  writeFileSync(join(root, MARKER_FILE), JSON.stringify({ writtenBy: 'apphostctl export', files: written }, null, 2) + '\n');
  return written;
}

function previousFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const entries = readdirSync(root);
  if (entries.length === 0) return [];
  if (!entries.includes(MARKER_FILE)) {
    throw new ExportError('EXPORT_OUTPUT', `${root} is not empty and holds no earlier export: choose another -o folder or empty it`);
  }
  try {
    const marker = JSON.parse(readFileSync(join(root, MARKER_FILE), 'utf8')) as { files?: unknown };
    return Array.isArray(marker.files) ? marker.files.filter((f): f is string => typeof f === 'string' && !f.includes('..')) : [];
  } catch {
    return [];
  }
}
