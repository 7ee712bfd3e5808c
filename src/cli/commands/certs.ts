// apphostctl certs print|trust|clean: the per-user development CA that https endpoints use
// (src/platform/tls). Works without a running apphost.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { cleanDevCertificates, devCertsDir, ensureDevCertificates } from '../../platform/tls/index.ts';
import { CliError } from '../errors.ts';

const run = promisify(execFile);
/** Debian/Ubuntu's folder for local CAs (update-ca-certificates). APPHOST_TRUST_DIR overrides it. */
const SYSTEM_TRUST_DIR = '/usr/local/share/ca-certificates';
const TRUSTED_NAME = 'apphost-development-ca.crt';

function trustDir(): string {
  return process.env.APPHOST_TRUST_DIR || SYSTEM_TRUST_DIR;
}

async function refreshSystemStore(dir: string): Promise<string> {
  if (dir !== SYSTEM_TRUST_DIR) return '';
  try {
    await run('update-ca-certificates', [], { timeout: 60_000 });
    return ' and ran update-ca-certificates';
  } catch (err) {
    throw new CliError('INTERNAL', `update-ca-certificates failed: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function certsCommand(): Command {
  const certs = new Command('certs')
    .description('The development CA of https endpoints (~/.apphost/dev-certs; APPHOST_HOME moves it)')
    .addHelpText('after', '\nExamples:\n  apphostctl certs print > apphost-ca.pem\n  sudo apphostctl certs trust\n  apphostctl certs clean');

  certs
    .command('print')
    .description('Print the CA certificate (PEM), creating it if needed; --path prints where it is')
    .option('--path', 'print the file path instead of the certificate')
    .addHelpText('after', '\nExamples:\n  apphostctl certs print > apphost-ca.pem\n  curl --cacert "$(apphostctl certs print --path)" https://localhost:5001')
    .action(async (opts: { path?: boolean }) => {
      const p = await ensureDevCertificates();
      process.stdout.write(opts.path ? `${p.caCert}\n` : readFileSync(p.caCert, 'utf8'));
    });

  certs
    .command('trust')
    .description(`Install the CA into the system trust store (${SYSTEM_TRUST_DIR}, update-ca-certificates; as root)`)
    .addHelpText('after', '\nExamples:\n  sudo apphostctl certs trust')
    .action(async () => {
      const p = await ensureDevCertificates();
      const dir = trustDir();
      const target = join(dir, TRUSTED_NAME);
      try {
        copyFileSync(p.caCert, target);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new CliError(
          'USAGE',
          code === 'EACCES' || code === 'EPERM'
            ? `cannot write ${target}: run \`sudo apphostctl certs trust\`, or trust ${p.caCert} yourself`
            : `cannot write ${target}: ${(err as Error).message}`,
        );
      }
      const refreshed = await refreshSystemStore(dir);
      process.stdout.write(`trusted ${p.caCert}: copied to ${target}${refreshed}\n`);
    });

  certs
    .command('clean')
    .description('Remove the development CA and certificates (and the trusted copy, if this user may)')
    .addHelpText('after', '\nExamples:\n  apphostctl certs clean')
    .action(async () => {
      const dir = devCertsDir();
      const removed = cleanDevCertificates(dir);
      const trusted = join(trustDir(), TRUSTED_NAME);
      let untrusted = '';
      if (existsSync(trusted)) {
        try {
          rmSync(trusted);
          untrusted = `; removed ${trusted}${await refreshSystemStore(trustDir())}`;
        } catch (err) {
          untrusted = `; could not remove ${trusted} (${(err as NodeJS.ErrnoException).code}): run \`sudo apphostctl certs clean\``;
        }
      }
      process.stdout.write(`${removed ? `removed ${dir}` : `nothing in ${dir}`}${untrusted}\n`);
    });
  return certs;
}
