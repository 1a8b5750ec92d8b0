/**
 * The sftp workload: the real sftp client in batch mode drives a traced sftp-server through `sftp -D` (no sshd, no
 * network): the trace is what the server touches for one realistic session. The client and its local files stay on
 * the host; only the server's side is traced.
 */
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import {
  argvPrograms,
  findStrace,
  openTraceFifo,
  privilegedNote,
  privilegedPrograms,
  straceFailure,
  tracedCommandLine,
  trackGroup,
  type TraceFifo,
} from '../capture/strace.js';
import { rsshInfo } from '../rssh/info.js';
import { TracerError, UsageError } from '../errors.js';
import { findSftpClient, findSftpServer } from './find.js';
import type { ProfileOptions, ProfileRun, ProfileStep } from './types.js';
import { PrivateTree } from './private-tree.js';
import { listUserDir, readUserFile } from './read-user.js';
import { sessionCommand } from './login-shell.js';
import { cleanEnv, payload, resolvePrefix, runAs, sftpDirectCommand } from './workspace.js';

const q = (p: string): string => `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The session: every kind of request a client makes. A leading `-` lets the batch go on after that one fails. */
export function sftpBatch(remote: string, local: string): string {
  return [
    `cd ${q(remote)}`,
    `lcd ${q(local)}`,
    'ls -l',
    'put upload.bin',
    'get existing.bin',
    'mkdir newdir',
    'rename upload.bin newdir/renamed.bin',
    'symlink newdir/renamed.bin link.bin',
    // sftp has no stat command: ls of a missing name makes the server lstat/stat it and fail
    '-ls -l missing-file.bin',
    'get newdir/renamed.bin renamed-back.bin',
    'rm link.bin',
    'rm newdir/renamed.bin',
    'rmdir newdir',
    'ls -l',
    '',
  ].join('\n');
}

/**
 * `via: 'rssh'`: the real chain, `rssh -c SFTP-SERVER` as the user (rssh compares the command with its compiled-in
 * sftp-server path, so that exact path is sent), through its setuid chroot helper into `opts.rsshChain.jail`.
 */
export async function runSftp(opts: ProfileOptions, via?: 'rssh'): Promise<ProfileRun> {
  const st = await findStrace();
  const client = await findSftpClient();
  const rssh = via === 'rssh' ? await rsshInfo() : undefined;
  const server = rssh ? rssh.sftpServer : await findSftpServer(opts.sftpServer);
  const chroot = rssh ? undefined : await resolvePrefix(opts.chrootCommand);
  const inJail = chroot !== undefined || (rssh !== undefined && opts.rsshChain !== undefined);
  if (inJail && (!opts.scratchRoot || !opts.scratchInJail))
    throw new UsageError('chroot mode needs scratchRoot and scratchInJail', 'a writable dir inside the jail, as host path and as in-jail path');
  const who = await runAs(opts.user);
  // as sshd runs the Subsystem command: through the user's login shell (./login-shell.ts); rssh is that shell itself
  const session = await sessionCommand(opts.user && !rssh ? who : undefined, [server]);
  const serverArgv = rssh ? [rssh.rssh, '-c', server] : [...(chroot ?? []), ...session.argv];
  const privileged = await privilegedPrograms([...argvPrograms(serverArgv), ...(rssh ? [rssh.helper] : [])]);
  // fail before creating anything: sftp -D cannot carry whitespace (the FIFO path is checked again below)
  sftpDirectCommand([st.path, ...serverArgv]);
  const owner = opts.user ? who : undefined;
  const size = opts.payloadBytes ?? 64 * 1024;

  // The server's side: in the jail (chroot mode, under verify's root-owned scratch dir) or a fresh dir in /tmp. Built
  // private (root, 0700) and handed to the user last (./private-tree.ts): root never writes where the user can.
  const tree = inJail ? await PrivateTree.named(path.join(opts.scratchRoot!, 'sftp-remote')) : await PrivateTree.temp(os.tmpdir(), 'jailtrace-sftp-');
  const remoteRel = inJail ? '' : 'remote';
  const remoteHost = tree.path(remoteRel);
  const remoteSeen = inJail ? path.posix.join(opts.scratchInJail!, 'sftp-remote') : remoteHost;
  // the client's side: never traced, never the user's (the client runs as root)
  let local: PrivateTree | undefined;
  const output = path.join(opts.outputDir, rssh ? 'rssh-sftp-server.strace' : 'sftp-server.strace');
  // '/', never the tree: root's chdir would follow the top's name, which is the user's to swap once handed over
  const cwd = '/';
  const steps: ProfileStep[] = [];
  let fifo: TraceFifo | undefined;
  try {
    local = await PrivateTree.temp(os.tmpdir(), 'jailtrace-sftp-local-');
    const up = payload(size, 1);
    const down = payload(size, 2);
    await local.file('upload.bin', up);
    if (remoteRel) await tree.dir(remoteRel);
    await tree.file(path.join(remoteRel, 'existing.bin'), down);
    await tree.handOver(owner);
    const batch = local.path('batch');
    await local.file('batch', Buffer.from(sftpBatch(remoteSeen, local.top)));

    fifo = await openTraceFifo({ output, onData: opts.onData ? (c) => opts.onData!(c, 0) : undefined });
    const direct = sftpDirectCommand(
      tracedCommandLine({
        argv: serverArgv,
        fifo: fifo.fifo,
        user: chroot ? undefined : opts.user,
        seccomp: st.seccompBpf && privileged.length === 0,
        strace: st.path,
      }),
    );
    // The client runs as root and writes what the user's server sends into our private dir: a file size limit keeps a
    // download the user grew (a sparse 100 GiB existing.bin) from filling the disk (SIGXFSZ ends the client instead).
    const fsize = size * 2 + 1024 * 1024;
    const argv = ['prlimit', `--fsize=${fsize}`, '--', client, '-b', batch, '-D', direct];
    // Own process group: on timeout the whole group goes (sftp, strace, the server). Killing sftp alone (execa's
    // `timeout`) left strace and a server blocked in open() on a FIFO holding our stderr pipe: the run never ended.
    const child = execa(argv[0], argv.slice(1), { cwd, env: session.env(cleanEnv(who)), extendEnv: false, reject: false, stdin: 'ignore', detached: true });
    const group = trackGroup(child.pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      group.kill('SIGKILL');
    }, opts.timeoutMs ?? 600_000);
    const r = await child.finally(() => {
      clearTimeout(timer);
      group.kill('SIGKILL'); // anything sftp left running in its group (a server that outlived the client)
      group.release();
    });
    if (timedOut)
      steps.push({
        description: `sftp session killed after the ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s timeout (with strace and the server)`,
        argv,
        ok: false,
        stderr: String(r.stderr),
        signal: 'SIGKILL',
      });
    await fifo.close();
    const failure = straceFailure(String(r.stderr), r.exitCode, await fifo.done.catch(() => 0), serverArgv);
    if (failure) throw failure;
    const bytes = await fifo.done.catch((e: unknown) => {
      throw new TracerError(`sftp did not start the traced server: ${String(r.stderr).trim() || (e as Error).message}`, 'run the sftp -D command by hand', {
        cause: e,
      });
    });
    steps.push({
      description: `sftp batch session against the traced sftp-server${session.shell ? ` (run as sshd runs it: ${session.shell} -c ${server})` : ''} (${bytes} trace bytes)`,
      argv,
      exitCode: r.exitCode,
      signal: r.signal,
      stderr: String(r.stderr),
      ok: r.exitCode === 0,
    });
    // capped reads, O_NOFOLLOW: the client's files are root's own, but their bytes came from a server the user ran
    const same = async (rel: string, want: Buffer): Promise<boolean> => {
      const got = await readUserFile(local!, rel, want.length);
      return got.ok && got.data.equals(want);
    };
    // checks, not processes: "ok", or why not in `stderr`
    const check = (description: string, cmd: string[], ok: boolean, why = ''): void => {
      steps.push({ description, argv: cmd, stderr: ok ? '' : why, ok, check: true });
    };
    check(
      'put + rename: the renamed upload downloads back byte for byte',
      ['put', 'upload.bin'],
      await same('renamed-back.bin', up),
      'renamed-back.bin is missing or differs from upload.bin',
    );
    check(
      'get: the download equals the server file',
      ['get', 'existing.bin'],
      await same('existing.bin', down),
      'existing.bin is missing or differs from the server file',
    );
    check(
      'ls of a missing file fails (and the batch went on)',
      ['-ls', '-l', 'missing-file.bin'],
      /not found/.test(String(r.stderr)),
      `sftp did not say "not found": ${String(r.stderr).trim().split('\n').slice(-1)[0] ?? ''}`,
    );
    const left = await listUserDir(tree, remoteRel);
    check(
      'rm, rmdir: only the server file is left',
      ['rmdir', 'newdir'],
      left.ok && left.names.join(',') === 'existing.bin',
      left.ok ? `left: ${left.names.join(' ')}` : left.why,
    );
  } finally {
    await fifo?.close();
    await local?.remove();
    // workload data: the trace keeps its paths, the files themselves are not needed
    await tree.remove();
  }
  const scratch = [...(inJail ? [remoteHost, remoteSeen] : [tree.top]), ...session.excludes];
  const notes = [...(session.note ? [session.note] : []), ...(privileged.length > 0 ? [`${rssh ? 'rssh' : 'sftp'}: ${privilegedNote(privileged)}`] : [])];
  return { name: rssh ? 'rssh' : 'sftp', traces: [output], excludes: [...new Set(scratch)], cwd, steps, ...(notes.length ? { notes } : {}) };
}
