/** `jailtrace check` and `jailtrace sync` on the command line. */
import type { Command } from 'commander';
import type { Output } from './output.js';
import { lockOptions, waitOption } from './lock-cli.js';
import { collect } from './register-build.js';

export function registerCheck(program: Command, out: Output): void {
  program
    .command('check')
    .summary('compare a jail with its record and the host (stale, tampered, missing, extra, unsafe)')
    .description(
      'Compare JAIL with its record (JAIL/.jailtrace/manifest.json) and with the host: stale copies (the host file ' +
        'changed since the build; both sha256 and mtimes shown), tampered copies, missing and extra paths, setuid/setgid ' +
        'files, group/world-writable directories (sticky ones like /tmp are notes), and a jail root OpenSSH would refuse. ' +
        'Every recorded path is judged again by the current rules: a record that asks for a secret, or for what the rules ' +
        'do not give, is reported as suspicious-record. ' +
        'Exit 0: clean; 1: findings; 2: error.',
    )
    .argument('<jail>', 'a jail built by jailtrace build')
    .option('--json', 'print the findings as JSON (schema jailtrace.check/1)')
    .option('--allow-secret <path>', 'a secret the jail holds on purpose (as build --allow-secret copied it): not suspicious (repeatable)', collect, [])
    .option('--allow-device <path>', 'a device node the jail holds on purpose (as build --allow-device made it): not suspicious (repeatable)', collect, [])
    .addOption(waitOption())
    .addHelpText('after', `
Examples:
  jailtrace check /srv/jail                  # in cron after every upgrade
  jailtrace check /srv/jail || jailtrace sync /srv/jail
  jailtrace check /srv/jail --wait 600       # in cron: let a running build or sync finish first`)
    .action(async (jail: string, o: { json?: boolean; allowSecret: string[]; allowDevice: string[]; wait?: number }) => {
      const { runCheck } = await import('./check.js');
      const { requireJailArg, requireRoot, withJailLock } = await lockedCommand();
      requireRoot('check', 'it reads the root-only record and every file of the jail');
      await requireJailArg(jail, 'existing', 'check');
      process.exitCode = await withJailLock(jail, lockOptions(o, out, 'shared', jail), () => runCheck(jail, o, out));
    });

  program
    .command('sync')
    .summary('bring stale, tampered and missing jail files back in line with the host')
    .description(
      'Re-copy stale, tampered and missing files from the host through the confined, atomic apply path (a file is ' +
        'replaced by rename, never written through: a hard-linked copy gets a new inode, other links keep their content), ' +
        'then update the record. Extra files, setid bits and writable directories are reported, not changed. ' +
        'What is copied is decided by the current rules with fresh host facts, never by the decisions stored in the record: ' +
        'a record entry asking for a secret (or for what the rules do not give) is refused. ' +
        'Exit 0: done; 1: done, but suspicious record entries were refused; 3: the jail could not be written.',
    )
    .argument('<jail>', 'a jail built by jailtrace build')
    .option('-n, --dry-run', 'print the plan and write nothing')
    .option('--allow-secret <path>', 'copy this secret (/etc/shadow, a key...) if the trace needs it (repeatable)', collect, [])
    .option('--allow-device <path>', 'make this device node (/dev/kmsg, a disk...) if the record asks for it; /dev/null, zero, full, random, urandom and tty are always made (repeatable)', collect, [])
    .option('--json', 'print the report as JSON (schema jailtrace.sync/1)')
    .addOption(waitOption())
    .addHelpText('after', `
Examples:
  jailtrace sync /srv/jail --dry-run
  jailtrace check /srv/jail || jailtrace sync /srv/jail
  jailtrace sync /srv/jail --wait 600 -q     # in cron: one writer at a time, waiting for a running build`)
    .action(async (jail: string, o: { dryRun?: boolean; json?: boolean; allowSecret: string[]; allowDevice: string[]; wait?: number }) => {
      const { runSync } = await import('./check.js');
      const { requireJailArg, requireRoot, withJailLock } = await lockedCommand();
      requireRoot('sync', 'it reads the root-only record and writes the jail as root');
      await requireJailArg(jail, 'existing', 'sync');
      process.exitCode = await withJailLock(jail, lockOptions(o, out, o.dryRun ? 'shared' : 'exclusive', jail), () => runSync(jail, o, out));
    });
}

/** What check and sync need before they run (the root check, the jail argument, the lock): imported when they run. */
async function lockedCommand() {
  const [{ requireJailArg, requireRoot }, { withJailLock }] = await Promise.all([import('../app/jail-arg.js'), import('../jail/lock.js')]);
  return { requireJailArg, requireRoot, withJailLock };
}
