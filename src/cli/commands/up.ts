// apphostctl up [-f FILE|DIR] [--name] [--controller f.ts]... [--crds dir]... [--detach]
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { CliError } from '../errors.ts';
import { readDashboardUrl } from './dashboard-url.ts';
import { defaultInput, loadInput } from '../load-input.ts';
import { isAlive, pidFilePath, readPid, runningApphost } from '../up/pid-file.ts';

interface UpOptions {
  filename?: string;
  name?: string;
  controller?: string[];
  crds?: string[];
  detach?: boolean;
  plain?: boolean;
  dashboard?: boolean;
  dashboardPort?: string;
}

const BIN = fileURLToPath(new URL('../../../bin/apphostctl.js', import.meta.url));

export function upCommand(): Command {
  return new Command('up')
    .description('Start an app: serve the API, run the controllers, apply the manifests; Ctrl+C stops everything')
    .option('-f, --filename <path>', 'apphost.ts/.js, a YAML/JSON manifest, or a folder of manifests (default: ./apphost.ts or ./apphost.yaml)')
    .option('--name <name>', 'application name (default: the folder name)')
    .option('--controller <file...>', 'load your own controller module(s) in-process (repeatable)')
    .option('--crds <dir...>', 'serve your own CustomResourceDefinitions from this folder (repeatable)')
    .option('-d, --detach', 'run in the background (stop it with `apphostctl down`)')
    .option('--plain', 'plain log lines instead of the live status view')
    .option('--dashboard-port <port>', 'port of the web dashboard on 127.0.0.1 (default: any free port)')
    .option('--no-dashboard', 'do not serve the web dashboard')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl up -f apphost.yaml
  apphostctl up -f apphost.ts --name shop
  apphostctl up --controller ./endpoints-env.ts --crds ./crds
  apphostctl up --dashboard-port 18888
  apphostctl up -d && apphostctl get res && apphostctl down`,
    )
    .action(async (opts: UpOptions) => {
      const dir = process.cwd();
      const existing = runningApphost(dir);
      if (existing !== undefined) {
        throw new CliError('USAGE', `an apphost is already running in this folder (pid ${existing.pid}): stop it with \`apphostctl down\``);
      }
      const dashboardPort = parseDashboardPort(opts.dashboardPort);
      const input = opts.filename ?? defaultInput(dir);
      // Load first: a mistake in the manifests fails before anything starts (also with --detach).
      const loaded = input ? await loadInput(input) : { objects: [], name: undefined };
      if (loaded.objects.length === 0) {
        const what = input ? `${relative(dir, resolve(input)) || input} holds no objects` : 'no apphost.ts or apphost.yaml here (and no -f)';
        process.stderr.write(`Warning: ${what}: apphost starts with nothing to run; add resources with \`apphostctl apply -f\`\n`);
      }
      if (opts.detach) {
        await detach(dir);
        return;
      }
      const { runApphost } = await import('../run-apphost.ts');
      await runApphost({
        dir,
        name: opts.name ?? loaded.name,
        manifests: loaded.objects,
        controllers: opts.controller,
        crdDirs: opts.crds?.map((d) => resolve(d)),
        plain: opts.plain,
        dashboard: opts.dashboard !== false,
        dashboardPort,
      });
    });
}

function parseDashboardPort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError('USAGE', `--dashboard-port needs a port number 1-65535, got "${value}"`);
  return port;
}

/** The background apphost writes its dashboard URL just after its pid: wait for it (briefly). */
async function waitForDashboardUrl(stateDir: string, gone: () => boolean): Promise<string | undefined> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !gone()) {
    const url = readDashboardUrl(stateDir);
    if (url) return url;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/** Re-runs this `up` without --detach in a detached child; returns once it serves the API. */
async function detach(dir: string): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--detach' && a !== '-d');
  if (!args.includes('--plain')) args.push('--plain');
  const logPath = join(dir, '.apphost', 'apphost.log');
  mkdirSync(join(dir, '.apphost'), { recursive: true, mode: 0o700 });
  const fd = openSync(logPath, 'a', 0o600);
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, detached: true, stdio: ['ignore', fd, fd], env: process.env });
  closeSync(fd);
  child.unref();
  const pid = child.pid!;
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (readPid(pidFilePath(dir)) === pid) {
      process.stdout.write(
        `apphost started in the background (pid ${pid}); logs: ${relative(process.cwd(), logPath)}; stop it with \`apphostctl down\`\n`,
      );
      const dashboard = args.includes('--no-dashboard') ? undefined : await waitForDashboardUrl(join(dir, '.apphost'), () => exited !== undefined);
      if (dashboard) process.stdout.write(`dashboard  ${dashboard}\n`);
      return;
    }
    if (exited !== undefined || !isAlive(pid)) {
      const last = readFileSync(logPath, 'utf8').trim().split('\n').filter((l) => l.startsWith('error:')).pop();
      throw new CliError('INTERNAL', `the background apphost exited during start-up${last ? `: ${last.replace(/^error: /, '')}` : ''} (see ${logPath})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CliError('TIMEOUT', `the background apphost (pid ${pid}) did not start within 60s (see ${logPath})`);
}
