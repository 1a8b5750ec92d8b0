/** `jailtrace check` and `jailtrace sync` on the command line. */
import type { Command } from 'commander';
import type { Output } from './output.js';
import { lockOptions, waitOption } from './lock-cli.js';
import { collect } from './register-build.js';
import type { ManyJudgeOptions } from './check-many.js';

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
        "Several jails (or a config's): each is checked in turn under its own lock, with its findings; the exit code is the worst. " +
        'Exit 0: clean; 1: findings; 2: error.',
    )
    .argument('[jails...]', 'jails built by jailtrace build (several: each is checked in turn, a file hard-linked into many is hashed once)')
    .option('--json', 'print the findings as JSON (schema jailtrace.check/1; several jails: jailtrace.check-many/1)')
    .option('--from-rssh-conf [file]', 'check every jail rssh.conf names (chrootpath=, user= lines)')
    .option('--from-sshd-config [file]', 'check every jail sshd_config names (Match User ... ChrootDirectory)')
    .option('--allow-secret <path>', 'a secret the jail holds on purpose (as build --allow-secret copied it): not suspicious (repeatable)', collect, [])
    .option('--allow-device <path>', 'a device node the jail holds on purpose (as build --allow-device made it): not suspicious (repeatable)', collect, [])
    .addOption(waitOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace check /srv/jail                  # in cron after every upgrade
  jailtrace check /srv/jail || jailtrace sync /srv/jail
  jailtrace check /srv/jail --wait 600       # in cron: let a running build or sync finish first
  jailtrace check /srv/jail/*                # many jails: each inode hard-linked across them is hashed once
  jailtrace check --from-rssh-conf /etc/rssh.conf`,
    )
    .action(async (jails: string[], o: ManyJudgeOptions & { allowSecret: string[]; allowDevice: string[] }) => {
      const { requireJailArg, requireRoot, withJailLock } = await lockedCommand();
      requireRoot('check', 'it reads the root-only record and every file of the jail');
      if (jails.length === 1 && o.fromRsshConf === undefined && o.fromSshdConfig === undefined) {
        const { runCheck } = await import('./check.js');
        const jail = jails[0];
        await requireJailArg(jail, 'existing', 'check');
        process.exitCode = await withJailLock(jail, lockOptions(o, out, 'shared', jail), () => runCheck(jail, o, out));
        return;
      }
      const { jailsToJudge, runJudgeMany } = await import('./check-many.js');
      process.exitCode = await runJudgeMany('check', await jailsToJudge(jails, o, out, 'check'), o, out);
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
        "Several jails (or a config's): each is synced in turn under its own lock; the exit code is the worst. " +
        'Exit 0: done; 1: done, but suspicious record entries were refused; 3: the jail could not be written.',
    )
    .argument('[jails...]', 'jails built by jailtrace build (several: each is synced in turn, a file hard-linked into many is hashed once)')
    .option('--from-rssh-conf [file]', 'sync every jail rssh.conf names (chrootpath=, user= lines)')
    .option('--from-sshd-config [file]', 'sync every jail sshd_config names (Match User ... ChrootDirectory)')
    .option('-n, --dry-run', 'print the plan and write nothing')
    .option('--allow-secret <path>', 'copy this secret (/etc/shadow, a key...) if the trace needs it (repeatable)', collect, [])
    .option(
      '--allow-device <path>',
      'make this device node (/dev/kmsg, a disk...) if the record asks for it; /dev/null, zero, full, random, urandom and tty are always made (repeatable)',
      collect,
      [],
    )
    .option('--json', 'print the report as JSON (schema jailtrace.sync/1; several jails: jailtrace.sync-many/1)')
    .addOption(waitOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace sync /srv/jail --dry-run
  jailtrace check /srv/jail || jailtrace sync /srv/jail
  jailtrace sync /srv/jail --wait 600 -q     # in cron: one writer at a time, waiting for a running build
  jailtrace sync --from-sshd-config          # every jail sshd_config names`,
    )
    .action(async (jails: string[], o: ManyJudgeOptions & { allowSecret: string[]; allowDevice: string[] }) => {
      const { requireJailArg, requireRoot, withJailLock } = await lockedCommand();
      requireRoot('sync', 'it reads the root-only record and writes the jail as root');
      if (jails.length === 1 && o.fromRsshConf === undefined && o.fromSshdConfig === undefined) {
        const { runSync } = await import('./check.js');
        const jail = jails[0];
        await requireJailArg(jail, 'existing', 'sync');
        process.exitCode = await withJailLock(jail, lockOptions(o, out, o.dryRun ? 'shared' : 'exclusive', jail), () => runSync(jail, o, out));
        return;
      }
      const { jailsToJudge, runJudgeMany } = await import('./check-many.js');
      process.exitCode = await runJudgeMany('sync', await jailsToJudge(jails, o, out, 'sync'), o, out);
    });
}

/** What check and sync need before they run (the root check, the jail argument, the lock): imported when they run. */
async function lockedCommand() {
  const [{ requireJailArg, requireRoot }, { withJailLock }] = await Promise.all([import('../app/jail-arg.js'), import('../jail/lock.js')]);
  return { requireJailArg, requireRoot, withJailLock };
}
