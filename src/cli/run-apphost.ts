// Runs an apphost in the foreground, exactly as `apphostctl up` does (and `builder.build().run()`):
// start it, show the live status view above prefixed replica logs, stop cleanly on Ctrl+C or
// SIGTERM with a summary. Reads status through its own API like any other client; replica logs come
// in-process from the log rings (folded when a replica floods).
import { dirname, relative } from 'node:path';
import pc from 'picocolors';
import type { Endpoint, KubeObject, Replica, Resource } from '../api/types.ts';
import { startDashboard, type Dashboard } from '../dashboard/index.ts';
import { startApphost, type Apphost } from '../host/index.ts';
import type { ControllerDefinition } from '../runtime/types.ts';
import { ApiClient } from './api-client.ts';
import { removeDashboardUrl, writeDashboardUrl } from './commands/dashboard-url.ts';
import { CliError } from './errors.ts';
import { prefixLine } from './commands/logs.ts';
import { loadControllerFiles } from './up/load-controllers.ts';
import { capOutputFile, DEFAULT_OUTPUT_MAX_BYTES } from './up/output-cap.ts';
import { followReplicaLogs } from './up/replica-logs.ts';
import { createStatusView, summarize, type ResourceLine } from './up/status-view.ts';
import { createExitNotices } from './up/exit-notices.ts';
import { removePid, writePid } from './up/pid-file.ts';
import { createLogSink } from './up/log-sink.ts';
import { shutdownLine, startShutdownProgress } from './up/shutdown-progress.ts';
import { exitWhenDrained } from './exit.ts';

export interface RunApphostOptions {
  dir: string;
  name?: string;
  manifests: KubeObject[];
  /** Controller module files (`--controller`). */
  controllers?: string[];
  /** Controller definitions given directly. */
  controllerDefinitions?: ControllerDefinition[];
  crdDirs?: string[];
  out?: NodeJS.WriteStream;
  /** Force the plain (non-terminal) view. */
  plain?: boolean;
  /** Serve the web dashboard (default true). */
  dashboard?: boolean;
  /** Its port on 127.0.0.1 (default: any free port). */
  dashboardPort?: number;
  /** Resolves when the caller wants to stop (tests); default: SIGINT/SIGTERM. */
  until?: Promise<void>;
}

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export async function runApphost(options: RunApphostOptions): Promise<void> {
  const out = options.out ?? process.stdout;
  // `up -d` (and `up >> file`): the file stays under APPHOST_OUTPUT_MAX_BYTES (default 10 MiB) plus one older copy.
  const outputCap = out === process.stdout ? capOutputFile({ fd: 1, maxBytes: Number(process.env.APPHOST_OUTPUT_MAX_BYTES) || DEFAULT_OUTPUT_MAX_BYTES }) : undefined;
  const controllers = [...(options.controllerDefinitions ?? []), ...(await loadControllerFiles(options.controllers ?? [], { dir: options.dir }))];
  const started = Date.now();
  // Signals are caught before anything starts: a Ctrl+C during start-up still stops cleanly. The
  // second one kills what is left (replica groups, session containers) and lets the clean-up
  // finish at once; a third one (or a second during start-up) exits, leaving the rest to the
  // next `up`.
  let signalCount = 0;
  let apphost: Apphost | undefined;
  let forced = false;
  const stopRequested = new Promise<string>((resolve) => {
    const onSignal = (sig: string) => {
      signalCount++;
      if (signalCount === 2 && apphost) {
        forced = true;
        out.write(`\n${sig} again: killing every replica process and session container now (Ctrl+C once more to exit at once)\n`);
        void apphost.kill().catch(() => undefined);
        return;
      }
      if (signalCount > 1) {
        out.write('\nforced exit: replicas may still be running (the next `apphostctl up` cleans them up)\n');
        void exitWhenDrained(130);
        return;
      }
      resolve(sig);
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    options.until?.then(() => resolve('request'));
  });
  const sink = createLogSink();
  apphost = await startApphost({
    logger: sink.logger,
    dir: options.dir,
    name: options.name,
    manifests: options.manifests,
    crdDirs: options.crdDirs,
    controllers,
  });
  const stateDir = dirname(apphost.kubeconfigPath);
  // Before the pid: a crashed earlier run's URL would mislead `apphostctl dashboard` and `up -d`.
  removeDashboardUrl(stateDir);
  writePid(options.dir);
  let client: ApiClient;
  let dashboard: Dashboard | undefined;
  try {
    client = await ApiClient.fromKubeconfig(apphost.kubeconfigPath);
    if (options.dashboard !== false) {
      dashboard = await startDashboard({ store: apphost.store, logs: apphost.logs, appName: apphost.name, port: options.dashboardPort, logger: sink.logger.child({ component: 'dashboard' }) }).catch(
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'EADDRINUSE') throw new CliError('USAGE', `dashboard port ${options.dashboardPort} is in use: pick another with --dashboard-port, or leave it out for any free port`);
          throw err;
        },
      );
      writeDashboardUrl(stateDir, dashboard.loginUrl);
    }
  } catch (err) {
    await apphost.stop();
    removePid(options.dir);
    throw err;
  }
  const kubeconfig = relative(process.cwd(), apphost.kubeconfigPath) || apphost.kubeconfigPath;
  const view = createStatusView({
    title: `apphost ${apphost.name}  ${apphost.url}  kubeconfig ${kubeconfig}  (Ctrl+C to stop)`,
    details: dashboard ? [`dashboard  ${dashboard.loginUrl}`] : [],
    out,
    tty: options.plain ? false : undefined,
  });
  sink.attach((line) => view.log(line));
  const ac = new AbortController();
  let lastLines: ResourceLine[] = [];
  const refresh = async () => {
    const ns = '/apis/apphost.dev/v1/namespaces/default';
    const [res, reps, eps] = await Promise.all([
      client.request<{ items: Resource[] }>({ path: `${ns}/resources` }),
      client.request<{ items: Replica[] }>({ path: `${ns}/replicas` }),
      client.request<{ items: Endpoint[] }>({ path: `${ns}/endpoints` }),
    ]);
    lastLines = summarize({ resources: res.items ?? [], replicas: reps.items ?? [], endpoints: eps.items ?? [] });
    view.update(lastLines);
  };
  let refreshing = false;
  const timer = setInterval(() => {
    if (refreshing || ac.signal.aborted) return;
    refreshing = true;
    refresh()
      .catch(() => undefined)
      .finally(() => (refreshing = false));
  }, 1000);
  await refresh().catch(() => undefined);
  // In-process, from the same rings the API serves: a flooding replica is folded, not copied.
  const logs = followReplicaLogs({
    logs: apphost.logs,
    namespace: 'default',
    format: prefixLine,
    write: (text) => view.log(text.slice(0, -1)),
  });
  // Each exit of a replica, as the store sees it (a crash loop shows in the terminal, rate-limited).
  const exits = createExitNotices();
  const exitWatch = apphost.store.watch<Replica>('Replica', { namespace: 'default' }).subscribe((ev) => {
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
    const notice = exits.observe(ev.object);
    if (notice) view.log(pc.yellow(notice));
  });

  const reason = await stopRequested;
  clearInterval(timer);
  await refresh().catch(() => undefined);
  ac.abort();
  exitWatch.unsubscribe();
  logs.close();
  client.close();
  view.close();
  outputCap?.stop();
  const containers = apphost.store.list<Replica>('Replica').items.filter((r) => r.status?.containerId).length;
  const progress = { write: (text: string) => void out.write(text), graceMs: apphost.gracePeriodMs, processes: apphost.processes, containers };
  out.write(`${shutdownLine(apphost.name, reason, progress)}\n`);
  const ticker = startShutdownProgress(progress);
  if (dashboard) {
    removeDashboardUrl(stateDir);
    await dashboard.close();
  }
  await apphost.stop();
  ticker.stop();
  removePid(options.dir);
  if (forced) process.exitCode = 130;
  const replicas = lastLines.reduce((n, l) => n + Number(l.ready.split('/')[0]), 0);
  out.write(
    `stopped apphost ${apphost.name} after ${elapsed(Date.now() - started)}: ${lastLines.length} resource(s), ${replicas} ready replica(s) stopped, proxies closed\n`,
  );
  for (const l of lastLines) {
    out.write(`  ${l.name}: ${l.phase}, ${l.ready} ready${l.urls.length ? `, ${l.urls.join(' ')}` : ''}\n`);
  }
}
