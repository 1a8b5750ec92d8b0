/** `jailtrace script` on the command line. */
import { Option, type Command } from 'commander';
import type { Output } from './output.js';
import { VERSION } from '../version.js';
import { collect } from './register-build.js';
import { FORMATS } from './register-parse.js';
import { maxPathsOption, traceLimits } from './trace-limits.js';

export interface ScriptCliOptions {
  jail: string;
  user: string[];
  platform?: string;
  output?: string;
  format: string;
  cwd: string;
  exclude: string[];
  keepSetuid: string[];
  allowDevice: string[];
  maxPaths: number;
}

export function registerScript(program: Command, out: Output): void {
  program
    .command('script')
    .summary('write a POSIX sh script that builds the jail on the host the traces came from')
    .description(
      'For hosts where jailtrace does not run (Solaris, AIX, FreeBSD, macOS, or a Linux without Node): read traces made there and ' +
        'write a POSIX sh script that builds the jail ON THAT HOST, looking at its files as it runs (modes, owners, symlinks, device ' +
        'numbers, the libraries ldd or dump -H lists). The script has its own -n dry run, refuses symlinks that lead out of the jail, ' +
        'and changes nothing on a second run. See docs/platforms/<os>.md.',
    )
    .argument('<trace...>', 'trace files (truss, dtruss, kdump, strace) or strace -ff directories')
    .requiredOption('--jail <dir>', 'the jail directory on the host (absolute)')
    .option('--user <name>', 'jail user: their passwd/group lines and home go in (repeatable)', collect, [])
    .option('--platform <os>', 'the host: linux, solaris, aix, freebsd, macos (default: from the trace format)')
    .option('-o, --output <file>', 'write the script here (mode 0755) instead of stdout')
    .addOption(new Option('--format <name>', 'trace dialect').choices(FORMATS).default('auto'))
    .option('--cwd <dir>', "the traced program's starting directory on the host (for relative paths)", '/')
    .option('--exclude <dir>', 'workload data under this host directory is never jail content (repeatable)', collect, [])
    .option(
      '--allow-device <path>',
      "make this device node (/dev/kmsg, a disk...) on the host; the platform's safe ones (/dev/null, /dev/zero...) are always made (repeatable)",
      collect,
      [],
    )
    .option('--keep-setuid <path>', 'keep the setuid/setgid bits of this file (repeatable)', collect, [])
    .addOption(maxPathsOption())
    .addHelpText(
      'after',
      `
Examples:
  jailtrace script rssh.truss --jail /var/jail --user alice -o build-jail.sh     # then on the host: sh build-jail.sh -n; sh build-jail.sh
  jailtrace script sftp.truss scp.truss --platform aix --jail /chroot/sftp --user bob > jail.sh
  jailtrace script traces/linux/sftp-server/f.strace --cwd /tmp/jt-sftp-work --jail /srv/jail`,
    )
    .action(async (traces: string[], o: ScriptCliOptions) => {
      const { scriptCommand, writeScript } = await import('../app/script.js');
      const { renderScriptSummary } = await import('./script.js');
      const r = await scriptCommand(traces, {
        jail: o.jail,
        users: o.user,
        platform: o.platform,
        format: o.format as never,
        cwd: o.cwd,
        excludes: o.exclude,
        keepSetuid: o.keepSetuid,
        allowDevices: o.allowDevice,
        version: VERSION,
        limits: traceLimits(o),
      });
      if (o.output) await writeScript(o.output, r.script);
      else out.result(r.script);
      for (const l of renderScriptSummary(r, Boolean(program.opts().verbose))) out.note(l);
      if (o.output) out.note(`wrote ${o.output}: run it on the host as root: sh ${o.output} -n, then sh ${o.output}`);
    });
}
