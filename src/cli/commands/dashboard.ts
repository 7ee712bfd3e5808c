// apphostctl dashboard: prints the login URL of the running apphost's dashboard again (and opens
// it with $BROWSER when that is set).
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { CliError } from '../errors.ts';
import { findKubeconfig } from '../kubeconfig.ts';
import type { GlobalOptions } from '../session.ts';
import { readDashboardUrl } from './dashboard-url.ts';

/** Resolves when something answers HTTP at `url` (any status: the page wants a login). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'HEAD', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description('Print the URL of the web dashboard of the running apphost (opens it with $BROWSER when set)')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl dashboard
  BROWSER=firefox apphostctl dashboard`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const state = dirname(findKubeconfig({ explicit: cmd.optsWithGlobals<GlobalOptions>().kubeconfig }));
      const url = readDashboardUrl(state);
      if (!url) throw new CliError('NOT_FOUND', 'this apphost serves no dashboard (started with --no-dashboard?): restart it with `apphostctl up`');
      if (!(await answers(new URL('/', url).href))) {
        throw new CliError('UNREACHABLE', `the dashboard at ${new URL(url).origin} does not answer: is \`apphostctl up\` still running?`);
      }
      process.stdout.write(`dashboard  ${url}\n`);
      const browser = process.env.BROWSER;
      if (browser) spawn(browser, [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
    });
}
