// The browser code, bundled by esbuild in memory when the dashboard starts (no build step to
// forget on a fresh checkout, ~100 ms, nothing written to disk). Served with a content hash as ETag.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

const ENTRY = fileURLToPath(new URL('./web/main.tsx', import.meta.url));
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>apphost</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/main.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="/assets/main.js"></script>
</body>
</html>
`;

async function build(): Promise<Map<string, Asset>> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: '/assets',
    logLevel: 'silent',
  });
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    const ext = name.slice(name.lastIndexOf('.'));
    const body = Buffer.from(file.contents);
    assets.set(name, { type: TYPES[ext] ?? 'application/octet-stream', body, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` });
  }
  return assets;
}

export interface Assets {
  /** `main.js`, `main.css`; undefined for anything else. Rejects when the bundle does not build. */
  get(name: string): Promise<Asset | undefined>;
}

export function createAssets(): Assets {
  let built: Promise<Map<string, Asset>> | undefined;
  const start = () => (built ??= build());
  // Start at once; a failure is reported to whoever asks first.
  start().catch(() => undefined);
  return { get: async (name) => (await start()).get(name) };
}
