// apphostctl delete TYPE NAME... | TYPE/NAME... | -f FILE | TYPE -l SELECTOR | TYPE --all
import { Command } from 'commander';
import type { KubeObject } from '../../api/types.ts';
import { CliError, isCliError } from '../errors.ts';
import { objectPath, parseTargets, quotedName, type KindRef } from '../kinds.ts';
import { loadInput } from '../load-input.ts';
import { withSession, type Session } from '../session.ts';
import { parseDuration } from '../duration.ts';

interface DeleteOptions {
  filename?: string[];
  selector?: string;
  all?: boolean;
  wait: boolean;
  timeout: string;
  ignoreNotFound?: boolean;
}

export function deleteCommand(): Command {
  return new Command('delete')
    .description('Delete objects by type and name, by label selector, or those in a file')
    .argument('[type[/name]...]', 'a type and names, or TYPE/NAME pairs')
    .option('-f, --filename <path...>', 'delete the objects a manifest file / folder / apphost.ts defines')
    .option('-l, --selector <selector>', 'delete the objects of TYPE matching the label selector')
    .option('--all', 'delete every object of TYPE in the namespace')
    .option('--no-wait', 'do not wait for finalizers to finish')
    .option('--timeout <duration>', 'how long to wait for the objects to go away', '60s')
    .option('--ignore-not-found', 'treat "not found" as a successful delete')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl delete resource api
  apphostctl delete res/api ep/web-http
  apphostctl delete -f apphost.yaml
  apphostctl delete replicas -l apphost.dev/resource=api`,
    )
    .action(async (args: string[], opts: DeleteOptions, cmd: Command) => {
      const fromFiles: KubeObject[] = [];
      for (const f of opts.filename ?? []) fromFiles.push(...(await loadInput(f)).objects);
      await withSession(cmd, async (s) => {
        const kinds = await s.kinds();
        const work: { kind: KindRef; namespace?: string; name: string }[] = [];
        for (const o of fromFiles) {
          const kind = kinds.forObject(o.apiVersion, o.kind);
          work.push({ kind, namespace: o.metadata.namespace ?? s.namespace, name: o.metadata.name });
        }
        if (args.length > 0) {
          for (const t of parseTargets(kinds, args)) {
            if (t.name !== undefined) {
              work.push({ kind: t.kind, namespace: s.namespace, name: t.name });
            } else {
              if (!opts.selector && !opts.all) {
                throw new CliError('USAGE', `resource(s) were provided, but no name was specified: give names, -l SELECTOR or --all`);
              }
              const list = await s.client.request<{ items: KubeObject[] }>({
                path: objectPath(t.kind, s.namespace),
                query: { labelSelector: opts.selector },
              });
              for (const o of list.items ?? []) work.push({ kind: t.kind, namespace: o.metadata.namespace, name: o.metadata.name });
            }
          }
        }
        if (work.length === 0) {
          if (args.length === 0 && fromFiles.length === 0) throw new CliError('USAGE', 'you must specify what to delete: TYPE NAME, TYPE/NAME or -f FILE');
          s.err.write('No resources found\n');
          return;
        }
        let failures = 0;
        const deleted: (typeof work[number] & { uid?: string })[] = [];
        for (const w of work) {
          try {
            const obj = await s.client.request<KubeObject | { kind: 'Status' }>({ method: 'DELETE', path: objectPath(w.kind, w.namespace, w.name), body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
            s.out.write(`${quotedName(w.kind, w.name)} deleted\n`);
            deleted.push({ ...w, uid: (obj as KubeObject).metadata?.uid });
          } catch (err) {
            if (isCliError(err, 'API_ERROR') && err.status?.code === 404 && opts.ignoreNotFound) continue;
            if (!isCliError(err, 'API_ERROR')) throw err;
            failures++;
            s.err.write(`error: ${err.message}\n`);
          }
        }
        if (opts.wait) await waitGone(s, deleted, parseDuration(opts.timeout));
        if (failures > 0) throw new CliError('API_ERROR', `${failures} object(s) could not be deleted`);
      });
    });
}

/**
 * Waits until every object is gone (finalizers done), polling. An object of the same name with
 * another uid (a controller re-created it, e.g. a Replica) counts as gone.
 */
export async function waitGone(s: Session, objs: { kind: KindRef; namespace?: string; name: string; uid?: string }[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const o of objs) {
    for (;;) {
      try {
        const now = await s.client.request<KubeObject>({ path: objectPath(o.kind, o.namespace, o.name) });
        if (o.uid && now.metadata?.uid && now.metadata.uid !== o.uid) break;
      } catch (err) {
        if (isCliError(err, 'API_ERROR') && err.status?.code === 404) break;
        throw err;
      }
      if (Date.now() > deadline) {
        throw new CliError('TIMEOUT', `timed out waiting for ${quotedName(o.kind, o.name)} to be deleted (finalizers still pending): see \`apphostctl describe ${o.kind.plural}/${o.name}\``);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
