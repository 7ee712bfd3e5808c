// apphostctl apply -f FILE|DIR|apphost.ts: create or update; prints `<kind>.<group>/<name>
// created | configured | unchanged` like kubectl. Unlike kubectl, a namespace the objects name
// (metadata.namespace or -n) that does not exist is created first (`namespace/dev created`), and
// Namespaces in the input are applied before the rest.
import { APPHOSTCTL_FIELD_MANAGER } from '../../api/field-managers.ts';
import { Command } from 'commander';
import { deepEqual } from '../../api/json.ts';
import { missingNamespace, namespacesFirst } from '../../api/namespaces.ts';
import type { KubeObject } from '../../api/types.ts';
import { CliError, isCliError } from '../errors.ts';
import { objectPath, qualifiedName, type KindRef } from '../kinds.ts';
import { loadInput, type LoadedInput } from '../load-input.ts';
import { checkUnique, manifestSource } from '../../host/manifests.ts';
import { withSession, type Session } from '../session.ts';

export type ApplyResult = 'created' | 'configured' | 'unchanged';

export function applyCommand(): Command {
  return new Command('apply')
    .description('Create or update objects from YAML/JSON manifests or a TypeScript apphost file')
    .requiredOption('-f, --filename <path...>', 'file or folder (repeatable): .yaml, .yml, .json, or apphost.ts/.js')
    .option('--dry-run', 'validate on the server and report, without changing anything')
    .option('--validate <mode>', 'unknown or duplicate fields: strict (refuse), warn, ignore (as kubectl; true = strict, false = ignore)', 'strict')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl apply -f apphost.yaml
  apphostctl apply -f manifests/
  apphostctl apply -f apphost.ts`,
    )
    .action(async (opts: { filename: string[]; dryRun?: boolean; validate: string }, cmd: Command) => {
      const fieldValidation = fieldValidationOf(opts.validate);
      const inputs: LoadedInput[] = [];
      for (const f of opts.filename) inputs.push(await loadInput(f));
      // Across several -f too: one definition per object, or the last would silently win.
      checkUnique(inputs.flatMap((i) => i.objects));
      if (inputs.every((i) => i.objects.length === 0)) {
        throw new CliError('BAD_INPUT', `no objects passed to apply: ${opts.filename.join(', ')} holds no manifests`);
      }
      await withSession(cmd, async (s) => {
        const kinds = await s.kinds();
        let failures = 0;
        for (const obj of namespacesFirst(inputs.flatMap((i) => i.objects))) {
          const kind = kinds.forObject(obj.apiVersion, obj.kind);
          try {
            const apply = () => applyObject(s, kind, obj, { dryRun: opts.dryRun, fieldValidation });
            const result = await apply().catch(async (err: unknown) => {
              const missing = isCliError(err, 'API_ERROR') ? missingNamespace(err.status) : undefined;
              if (!missing || opts.dryRun) throw err;
              await s.client.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: missing } } });
              s.out.write(`namespace/${missing} created\n`);
              return apply();
            });
            s.out.write(`${qualifiedName(kind, obj.metadata.name)} ${result}${opts.dryRun ? ' (server dry run)' : ''}\n`);
          } catch (err) {
            if (!isCliError(err, 'API_ERROR')) throw err;
            failures++;
            // A 422 names the object itself (as kubectl's); any other refusal (a strict decoding
            // error) is named here, with where it came from.
            const source = manifestSource(obj);
            const what = err.status?.reason === 'Invalid' ? '' : `${source ? `${source}: ` : ''}${qualifiedName(kind, obj.metadata.name)}: `;
            s.err.write(`error: ${what}${err.message}\n`);
          }
        }
        if (failures > 0) throw new CliError('API_ERROR', `${failures} object(s) could not be applied`);
      });
    });
}

/**
 * Server-side apply with field manager `apphostctl`: fields this manifest sets are taken, fields an
 * earlier apply of it set and it no longer does are removed, and fields others set (a `scale`, a
 * controller) are kept, as with `kubectl apply`.
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const VALIDATE: Record<string, FieldValidation> = { strict: 'Strict', true: 'Strict', warn: 'Warn', ignore: 'Ignore', false: 'Ignore' };

export function fieldValidationOf(mode: string): FieldValidation {
  const v = VALIDATE[mode.toLowerCase()];
  if (!v) throw new CliError('USAGE', `--validate must be strict, warn or ignore (or true/false), got "${mode}"`);
  return v;
}

export interface ApplyOptions {
  dryRun?: boolean;
  /** Default Strict: an unknown field (a typo) is refused with its path, as kubectl apply does. */
  fieldValidation?: FieldValidation;
}

export async function applyObject(s: Session, kind: KindRef, obj: KubeObject, options: ApplyOptions = {}): Promise<ApplyResult> {
  const { dryRun = false, fieldValidation = 'Strict' } = options;
  const ns = kind.namespaced ? (obj.metadata.namespace ?? s.namespace) : undefined;
  const body: KubeObject = { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } };
  delete body.status;
  const path = objectPath(kind, ns, obj.metadata.name);
  let existing: KubeObject | undefined;
  try {
    existing = await s.client.request<KubeObject>({ path });
  } catch (err) {
    if (!isCliError(err, 'API_ERROR') || err.status?.code !== 404) throw err;
  }
  const result = await s.client.request<KubeObject>({
    method: 'PATCH',
    path,
    body,
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: APPHOSTCTL_FIELD_MANAGER, force: 'true', fieldValidation, dryRun: dryRun ? 'All' : undefined },
  });
  if (!existing) return 'created';
  const { status: _a, ...before } = existing;
  const { status: _b, ...after } = result;
  const unchanged = dryRun
    ? deepEqual({ ...before, metadata: { ...before.metadata, resourceVersion: '' } }, { ...after, metadata: { ...after.metadata, resourceVersion: '' } })
    : result.metadata.resourceVersion === existing.metadata.resourceVersion;
  return unchanged ? 'unchanged' : 'configured';
}
