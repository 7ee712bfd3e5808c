// apphostctl restart resource/x: a rolling restart. Records `apphost.dev/restartedAt` on the
// Resource, then deletes its replicas one at a time; the replicas controller re-creates each (same
// name, new uid) and the next goes only once the new one is ready, so a resource with several
// replicas keeps serving. Works with the controllers as they are: no templateHash change needed.
import { APPHOSTCTL_FIELD_MANAGER } from '../../api/field-managers.ts';
import { Command } from 'commander';
import type { KubeObject, Replica } from '../../api/types.ts';
import { RESTARTED_AT_ANNOTATION } from '../../api/annotations.ts';
import { parseDuration } from '../duration.ts';
import { CliError, isCliError } from '../errors.ts';
import { objectPath, parseTargets, qualifiedName } from '../kinds.ts';
import { listReplicasOf } from '../replica-target.ts';
import { withSession, type Session } from '../session.ts';


export function restartCommand(): Command {
  return new Command('restart')
    .description('Restart every replica of a resource, one at a time')
    .argument('<target...>', 'resource/NAME, or resource NAME')
    .option('--timeout <duration>', 'how long to wait for each new replica to be ready', '60s')
    .option('--no-wait', 'delete every replica at once and return')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl restart resource/api
  apphostctl restart res api frontend --timeout=2m`,
    )
    .action(async (args: string[], opts: { timeout: string; wait: boolean }, cmd: Command) => {
      const timeoutMs = parseDuration(opts.timeout);
      await withSession(cmd, async (s) => {
        for (const t of parseTargets(await s.kinds(), args)) {
          if (t.name === undefined) throw new CliError('USAGE', 'restart needs a name: resource/NAME');
          if (t.kind.group !== 'apphost.dev' || t.kind.kind !== 'Resource') {
            throw new CliError('USAGE', `only resources can be restarted, not ${t.kind.plural}`);
          }
          await s.client.request({
            method: 'PATCH',
            path: objectPath(t.kind, s.namespace, t.name),
            body: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: new Date().toISOString() } } },
            contentType: 'application/merge-patch+json',
            query: { fieldManager: APPHOSTCTL_FIELD_MANAGER },
          });
          for (const r of await listReplicasOf(s, t.name)) {
            await replaceReplica(s, r, opts.wait ? timeoutMs : 0);
          }
          s.out.write(`${qualifiedName(t.kind, t.name)} restarted\n`);
        }
      });
    });
}

const replicaPath = (s: Session, name: string) => `/apis/apphost.dev/v1/namespaces/${s.namespace}/replicas/${encodeURIComponent(name)}`;

/** Deletes one replica and (timeoutMs > 0) waits for its successor (same name, new uid) to be ready. */
async function replaceReplica(s: Session, r: Replica, timeoutMs: number): Promise<void> {
  const name = r.metadata.name;
  try {
    await s.client.request({ method: 'DELETE', path: replicaPath(s, name), body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
  } catch (err) {
    if (!isCliError(err, 'API_ERROR') || err.status?.code !== 404) throw err;
  }
  if (timeoutMs <= 0) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let now: KubeObject | undefined;
    try {
      now = await s.client.request<KubeObject>({ path: replicaPath(s, name) });
    } catch (err) {
      if (!isCliError(err, 'API_ERROR') || err.status?.code !== 404) throw err;
    }
    const fresh = now && now.metadata.uid !== r.metadata.uid ? (now as Replica) : undefined;
    if (fresh?.status?.ready) return;
    if (Date.now() > deadline) {
      throw new CliError(
        'TIMEOUT',
        `replica ${name} was not ready again within the timeout: see \`apphostctl describe replica/${name}\``,
      );
    }
    await new Promise((res) => setTimeout(res, 200));
  }
}
