/**
 * How sshd runs a session command (OpenSSH session.c, do_child): every command — the ForceCommand, an external
 * `Subsystem sftp /usr/lib/openssh/sftp-server`, the `scp -t` an scp client asks for — is exec'd as the user's login
 * shell, `execve(SHELL, [basename(SHELL), "-c", COMMAND])`, with SHELL the passwd field ('' means /bin/sh), after the
 * chroot: a ChrootDirectory jail must hold that shell and what it loads. Only internal-sftp runs without it.
 *
 * The traced run mirrors this as `SHELL -c COMMAND` (argv[0] is the full path, not sshd's basename: strace cannot set
 * argv[0] apart from the program, and the shells look only at argv[0]'s basename — bash's `sh` mode included — so
 * the shell behaves and touches the same files).
 */
import { access, constants } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { shQuote } from '../sh-quote.js';
import type { PasswdEntry } from './workspace.js';

/** sshd's PATH for a user session on Debian (`--with-default-path`; `strings /usr/sbin/sshd`). */
export const SSHD_USER_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/games';

/** Login shells that are not shells: sshd still runs `SHELL -c COMMAND` with them, and they refuse or are traced elsewhere. */
const NOT_SHELLS: ReadonlyArray<{ name: string; why: string }> = [
  { name: 'nologin', why: 'refuses every session: through sshd only internal-sftp (ForceCommand/Subsystem internal-sftp) serves this user' },
  { name: 'false', why: 'refuses every session: through sshd only internal-sftp (ForceCommand/Subsystem internal-sftp) serves this user' },
  { name: 'true', why: 'runs no command: through sshd only internal-sftp (ForceCommand/Subsystem internal-sftp) serves this user' },
  { name: 'rssh', why: 'is rssh: the rssh profile traces sessions through it' },
];

export type SessionShell = { shell: string } | { shell?: undefined; why: string };

/** The program sshd would run a command through for a user with this passwd shell field. */
export function sessionShell(passwdShell: string | undefined): SessionShell {
  const shell = passwdShell === undefined || passwdShell === '' ? '/bin/sh' : passwdShell;
  const base = shell.slice(shell.lastIndexOf('/') + 1);
  const not = NOT_SHELLS.find((r) => r.name === base);
  if (not) return { why: `the login shell ${shell} ${not.why}` };
  return { shell };
}

/** One word as sh reads it back: left bare when it holds nothing sh treats specially, else single-quoted. */
export function shWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : shQuote(s);
}

/** A command line for sh: each word quoted when it needs to be (`scp -t '/tmp/a b'`). */
export function shCommand(argv: readonly string[]): string {
  return argv.map(shWord).join(' ');
}

/** The argv of a session command run the way sshd runs it: `SHELL -c COMMAND`. */
export function viaShell(shell: string, command: string): string[] {
  return [shell, '-c', command];
}

export interface SessionCommand {
  /** What to trace: `SHELL -c COMMAND`, or the command itself (no user, or a login shell that is not a shell). */
  argv: string[];
  /** The login shell it runs through, if any. */
  shell?: string;
  /** Why it does not run through the login shell. */
  note?: string;
  /**
   * The user's host home: a shell run by sshd reads startup files there (Debian's bash reads ~/.bashrc when its stdin
   * is a socket, as under sftp -D). They are the user's, not jail content: inside the jail the home is the jail's own.
   */
  excludes: string[];
  /** The environment sshd would add: its user PATH and SHELL. */
  env: (base: Record<string, string>) => Record<string, string>;
}

/** A session command for `user` as sshd would run it (no user: as given, the way jailtrace always traced it). */
export async function sessionCommand(user: PasswdEntry | undefined, command: string[]): Promise<SessionCommand> {
  const same = (b: Record<string, string>): Record<string, string> => b;
  if (!user) return { argv: command, env: same, excludes: [] };
  const s = sessionShell(user.shell);
  if (s.shell === undefined) return { argv: command, env: same, excludes: [], note: `${user.name}: ${s.why}; traced ${command[0]} without it` };
  const shell = s.shell;
  if (
    !(await access(shell, constants.X_OK).then(
      () => true,
      () => false,
    ))
  ) {
    throw new UsageError(
      `${user.name}'s login shell ${shell} is not an executable on this host`,
      `sshd runs every command through it (${shell} -c ...); install it, or give ${user.name} an installed shell (usermod -s /bin/sh ${shWord(user.name)})`,
    );
  }
  return {
    argv: viaShell(shell, shCommand(command)),
    shell,
    excludes: user.home.startsWith('/') && user.home !== '/' ? [user.home] : [],
    env: (b) => ({ ...b, PATH: SSHD_USER_PATH, SHELL: shell }),
  };
}
