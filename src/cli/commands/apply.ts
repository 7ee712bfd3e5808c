// apphostctl apply -f FILE|DIR|apphost.ts: create or update; prints `<kind>.<group>/<name>
// created | configured | unchanged` like kubectl.
import { Command } from 'commander';
import type { KubeObject } from '../../api/types.ts';
import { CliError, isCliError } from '../errors.ts';
import { objectPath, qualifiedName, type KindRef } from '../kinds.ts';
import { loadInput, type LoadedInput } from '../load-input.ts';
import { withSession, type Session } from '../session.ts';

export type ApplyResult = 'created' | 'configured' | 'unchanged';

export function applyCommand(): Command {
  return new Command('apply')
    .description('Create or update objects from YAML/JSON manifests or a TypeScript apphost file')
    .requiredOption('-f, --filename <path...>', 'file or folder (repeatable): .yaml, .yml, .json, or apphost.ts/.js')
    .option('--dry-run', 'validate on the server and report, without changing anything')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl apply -f apphost.yaml
  apphostctl apply -f manifests/
  apphostctl apply -f apphost.ts`,
    )
    .action(async (opts: { filename: string[]; dryRun?: boolean }, cmd: Command) => {
      const inputs: LoadedInput[] = [];
      for (const f of opts.filename) inputs.push(await loadInput(f));
      await withSession(cmd, async (s) => {
        const kinds = await s.kinds();
        let failures = 0;
        for (const input of inputs) {
          for (const obj of input.objects) {
            const kind = kinds.forObject(obj.apiVersion, obj.kind);
            try {
              const result = await applyObject(s, kind, obj, opts.dryRun);
              s.out.write(`${qualifiedName(kind, obj.metadata.name)} ${result}${opts.dryRun ? ' (server dry run)' : ''}\n`);
            } catch (err) {
              if (!isCliError(err, 'API_ERROR')) throw err;
              failures++;
              s.err.write(`error: ${err.message}\n`);
            }
          }
        }
        if (failures > 0) throw new CliError('API_ERROR', `${failures} object(s) could not be applied`);
      });
    });
}

function stripServerFields(meta: KubeObject['metadata']): Record<string, unknown> {
  const { name, labels, annotations } = meta;
  return { name, labels, annotations };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * Create when absent; else replace spec (and merge labels/annotations) with the manifest's, checked
 * first with a server-side dry run so that "unchanged" accounts for the server's defaults.
 */
export async function applyObject(s: Session, kind: KindRef, obj: KubeObject, dryRun = false): Promise<ApplyResult> {
  const ns = kind.namespaced ? (obj.metadata.namespace ?? s.namespace) : undefined;
  const body: KubeObject = { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } };
  delete body.status;
  let existing: KubeObject | undefined;
  try {
    existing = await s.client.request<KubeObject>({ path: objectPath(kind, ns, obj.metadata.name) });
  } catch (err) {
    if (!isCliError(err, 'API_ERROR') || err.status?.code !== 404) throw err;
  }
  if (!existing) {
    await s.client.request({ method: 'POST', path: objectPath(kind, ns), body, query: { dryRun: dryRun ? 'All' : undefined, fieldManager: 'apphostctl' } });
    return 'created';
  }
  const desired: KubeObject = {
    ...existing,
    ...body,
    metadata: {
      ...existing.metadata,
      labels: { ...existing.metadata.labels, ...body.metadata.labels },
      annotations: { ...existing.metadata.annotations, ...body.metadata.annotations },
    },
    status: existing.status,
  };
  if (!desired.metadata.labels || Object.keys(desired.metadata.labels).length === 0) delete desired.metadata.labels;
  if (!desired.metadata.annotations || Object.keys(desired.metadata.annotations).length === 0) delete desired.metadata.annotations;
  const path = objectPath(kind, ns, obj.metadata.name);
  const preview = await s.client.request<KubeObject>({ method: 'PUT', path, body: desired, query: { dryRun: 'All', fieldManager: 'apphostctl' } });
  const { metadata: _a, status: _b, ...restPreview } = preview;
  const { metadata: _c, status: _d, ...restExisting } = existing;
  if (sameJson(restPreview, restExisting) && sameJson(stripServerFields(preview.metadata), stripServerFields(existing.metadata))) {
    return 'unchanged';
  }
  if (!dryRun) await s.client.request({ method: 'PUT', path, body: desired, query: { fieldManager: 'apphostctl' } });
  return 'configured';
}
