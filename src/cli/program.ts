// The apphostctl command tree. One file per command under commands/.
import { Command } from 'commander';
import { apiResourcesCommand } from './commands/api-resources.ts';
import { applyCommand } from './commands/apply.ts';
import { certsCommand } from './commands/certs.ts';
import { dashboardCommand } from './commands/dashboard.ts';
import { deleteCommand } from './commands/delete.ts';
import { describeCommand } from './commands/describe.ts';
import { downCommand } from './commands/down.ts';
import { exportCommand } from './commands/export.ts';
import { getCommand } from './commands/get.ts';
import { logsCommand } from './commands/logs.ts';
import { manifestCommand } from './commands/manifest.ts';
import { restartCommand } from './commands/restart.ts';
import { scaleCommand } from './commands/scale.ts';
import { startCommand, stopCommand } from './commands/stop-start.ts';
import { upCommand } from './commands/up.ts';
import { versionCommand } from './commands/version.ts';
import { waitCommand } from './commands/wait.ts';

export function createProgram(): Command {
  const program = new Command('apphostctl')
    .description('Run multi-service apps on your machine, and inspect them like kubectl')
    .option('--kubeconfig <path>', 'kubeconfig of the apphost to talk to (default: .apphost/kubeconfig here or in a parent)')
    .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context\'s, else "default")')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl up -f apphost.yaml        start an app (Ctrl+C stops it)
  apphostctl get resources             list what runs
  apphostctl logs -f resource/api      follow the logs of every api replica
  apphostctl scale resource/api --replicas=3`,
    );
  for (const cmd of [
    upCommand(),
    downCommand(),
    dashboardCommand(),
    manifestCommand(),
    exportCommand(),
    getCommand(),
    describeCommand(),
    applyCommand(),
    deleteCommand(),
    logsCommand(),
    scaleCommand(),
    restartCommand(),
    stopCommand(),
    startCommand(),
    waitCommand(),
    apiResourcesCommand(),
    versionCommand(),
    certsCommand(),
  ]) {
    program.addCommand(cmd);
  }
  return program;
}
