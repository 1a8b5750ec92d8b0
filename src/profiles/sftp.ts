/**
 * The sftp workload: the real sftp client in batch mode drives a traced sftp-server through `sftp -D` (no sshd, no
 * network): the trace is what the server touches for one realistic session. The client and its local files stay on
 * the host; only the server's side is traced.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { findStrace, openTraceFifo, straceFailure, tracedCommandLine, trackGroup, type TraceFifo } from '../capture/strace.js';
import { TracerError, UsageError } from '../errors.js';
import { findSftpClient, findSftpServer } from './find.js';
import type { ProfileOptions, ProfileRun, ProfileStep } from './types.js';
import { cleanEnv, makeDir, payload, putFile, resolvePrefix, runAs, scratchDir, sftpDirectCommand } from './workspace.js';

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

export async function runSftp(opts: ProfileOptions): Promise<ProfileRun> {
  const st = await findStrace();
  const client = await findSftpClient();
  const server = await findSftpServer(opts.sftpServer);
  const chroot = await resolvePrefix(opts.chrootCommand);
  if (chroot && (!opts.scratchRoot || !opts.scratchInJail)) throw new UsageError('chroot mode needs scratchRoot and scratchInJail', 'a writable dir inside the jail, as host path and as in-jail path');
  const serverArgv = [...(chroot ?? []), server];
  // fail before creating anything: sftp -D cannot carry whitespace (the FIFO path is checked again below)
  sftpDirectCommand([st.path, ...serverArgv]);
  const who = await runAs(opts.user);
  const owner = opts.user ? who : undefined;
  const size = opts.payloadBytes ?? 64 * 1024;

  // the server's side: in the jail (chroot mode) or a fresh dir in /tmp, owned by the user
  const remoteHost = chroot ? path.join(opts.scratchRoot!, 'sftp-remote') : path.join(await scratchDir('jailtrace-sftp-', owner), 'remote');
  const remoteSeen = chroot ? path.posix.join(opts.scratchInJail!, 'sftp-remote') : remoteHost;
  // the client's side: never traced
  const local = await scratchDir('jailtrace-sftp-local-');
  const output = path.join(opts.outputDir, 'sftp-server.strace');
  const cwd = chroot ? '/' : path.dirname(remoteHost);
  const steps: ProfileStep[] = [];
  let fifo: TraceFifo | undefined;
  try {
    await makeDir(remoteHost, owner);
    const up = payload(size, 1);
    const down = payload(size, 2);
    await putFile(path.join(local, 'upload.bin'), up);
    await putFile(path.join(remoteHost, 'existing.bin'), down, owner);
    const batch = path.join(local, 'batch');
    await writeFile(batch, sftpBatch(remoteSeen, local));

    fifo = await openTraceFifo({ output, onData: opts.onData ? (c) => opts.onData!(c, 0) : undefined });
    const direct = sftpDirectCommand(tracedCommandLine({ argv: serverArgv, fifo: fifo.fifo, user: chroot ? undefined : opts.user, seccomp: st.seccompBpf, strace: st.path }));
    const argv = [client, '-b', batch, '-D', direct];
    // Own process group: on timeout the whole group goes (sftp, strace, the server). Killing sftp alone (execa's
    // `timeout`) left strace and a server blocked in open() on a FIFO holding our stderr pipe: the run never ended.
    const child = execa(argv[0], argv.slice(1), { cwd, env: cleanEnv(who), extendEnv: false, reject: false, stdin: 'ignore', detached: true });
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
    if (timedOut) steps.push({ description: `sftp session killed after the ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s timeout (with strace and the server)`, argv, ok: false, stderr: String(r.stderr), signal: 'SIGKILL' });
    await fifo.close();
    const failure = straceFailure(String(r.stderr), r.exitCode, await fifo.done.catch(() => 0), serverArgv);
    if (failure) throw failure;
    const bytes = await fifo.done.catch((e: unknown) => {
      throw new TracerError(`sftp did not start the traced server: ${String(r.stderr).trim() || (e as Error).message}`, 'run the sftp -D command by hand', { cause: e });
    });
    steps.push({ description: `sftp batch session against the traced sftp-server (${bytes} trace bytes)`, argv, exitCode: r.exitCode, signal: r.signal, stderr: String(r.stderr), ok: r.exitCode === 0 });
    const same = async (f: string, want: Buffer): Promise<boolean> => (await readFile(f).catch(() => Buffer.alloc(0))).equals(want);
    const check = (description: string, cmd: string[], ok: boolean, stderr = ''): void => {
      steps.push({ description, argv: cmd, stderr, ok });
    };
    check('put + rename: the renamed upload downloads back byte for byte', ['put', 'upload.bin'], await same(path.join(local, 'renamed-back.bin'), up));
    check('get: the download equals the server file', ['get', 'existing.bin'], await same(path.join(local, 'existing.bin'), down));
    check('ls of a missing file fails (and the batch went on)', ['-ls', '-l', 'missing-file.bin'], /not found/.test(String(r.stderr)), String(r.stderr));
    const left = (await readdir(remoteHost).catch(() => [])).sort();
    check('rm, rmdir: only the server file is left', ['rmdir', 'newdir'], left.join(',') === 'existing.bin', `left: ${left.join(' ')}`);
  } finally {
    await fifo?.close();
    await rm(local, { recursive: true, force: true });
    // workload data: the trace keeps its paths, the files themselves are not needed
    await rm(chroot ? remoteHost : path.dirname(remoteHost), { recursive: true, force: true });
  }
  const scratch = chroot ? [remoteHost, remoteSeen] : [path.dirname(remoteHost)];
  return { name: 'sftp', traces: [output], excludes: [...new Set(scratch)], cwd, steps };
}
