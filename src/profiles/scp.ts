/**
 * The scp workload: the server side of scp (`scp -t` sink, `scp -f` source, `scp -r -t`) as sshd would run it, each
 * one traced command, talked to by our protocol client (./scp-protocol.ts) over its stdin/stdout.
 * Also the rssh profile: the same runs through `rssh -c "scp ..."`.
 */
import os from 'node:os';
import path from 'node:path';
import { OutputFileError, prepareOutputDir } from '../output-file.js';
import { captureLive, privilegedNote } from '../capture/strace.js';
import { rsshInfo } from '../rssh/info.js';
import { UsageError } from '../errors.js';
import { findScp } from './find.js';
import { ScpClient, type ScpEntry } from './scp-protocol.js';
import type { ProfileName, ProfileOptions, ProfileRun, ProfileStep } from './types.js';
import { PrivateTree } from './private-tree.js';
import { listUserDir, readUserFile } from './read-user.js';
import { cleanEnv, payload, resolvePrefix, runAs } from './workspace.js';
import { sessionCommand, shCommand, viaShell } from './login-shell.js';

interface ScpRun {
  description: string;
  args: string[];
  /** Drive the server; returns an error text when the transfer's result is wrong. */
  talk: (c: ScpClient) => Promise<string | undefined>;
}

/** The dir tree of the -r upload: nested, with a binary file. */
function tree(size: number): ScpEntry {
  return {
    kind: 'dir',
    name: 'tree',
    entries: [
      { kind: 'file', name: 'a.bin', data: payload(size, 3) },
      { kind: 'dir', name: 'sub', mode: 0o750, entries: [{ kind: 'file', name: 'b.txt', mode: 0o600, data: Buffer.from('line 1\nline 2\0nul\n') }] },
    ],
  };
}

/** Did the upload `e` arrive whole under `rel`? Read as root through ./read-user.ts: the user owns the tree. */
async function sameTree(tree: PrivateTree, rel: string, e: ScpEntry): Promise<boolean> {
  const p = path.posix.join(rel, e.name);
  if (e.kind === 'file') {
    const got = await readUserFile(tree, p, e.data.length);
    return got.ok && got.data.equals(e.data);
  }
  const names = await listUserDir(tree, p);
  if (
    !names.ok ||
    names.names.join('/') !==
      e.entries
        .map((x) => x.name)
        .sort()
        .join('/')
  )
    return false;
  for (const c of e.entries) if (!(await sameTree(tree, p, c))) return false;
  return true;
}

export async function runScp(opts: ProfileOptions, name: ProfileName = 'scp'): Promise<ProfileRun> {
  const chroot = name === 'rssh' ? undefined : await resolvePrefix(opts.chrootCommand);
  // the workload's files inside the jail: under verify's chroot prefix, or where rssh's helper chroots
  const inJail = chroot !== undefined || (name === 'rssh' && opts.rsshChain !== undefined);
  if (inJail && (!opts.scratchRoot || !opts.scratchInJail))
    throw new UsageError('chroot mode needs scratchRoot and scratchInJail', 'a writable dir inside the jail, as host path and as in-jail path');
  let prefix: (cmd: string[]) => string[] = (cmd) => cmd;
  let scp = '';
  let alsoRuns: string[] = [];
  if (name === 'rssh') {
    // The real chain, as sshd starts it for an rssh user: `rssh -c "scp -t DIR"` as the user; rssh checks the command
    // against its allow list and runs its compiled-in scp, through its setuid chroot helper when rssh.conf chroots.
    const info = await rsshInfo();
    scp = 'scp';
    alsoRuns = [info.helper];
    prefix = (cmd) => [info.rssh, '-c', cmd.join(' ')];
  }
  const who = await runAs(opts.user);
  const owner = opts.user ? who : undefined;
  // scp: as sshd runs the `scp -t DIR` an scp -O client sends, through the user's login shell (./login-shell.ts), the
  // bare name found on sshd's PATH; the rssh profile keeps its own prefix
  const session = name === 'scp' ? await sessionCommand(owner, ['scp']) : undefined;
  if (name !== 'rssh') {
    const found = await findScp(opts.scp);
    scp = session?.shell && opts.scp === undefined ? 'scp' : found;
    prefix = (cmd) => [...(chroot ?? []), ...(session?.shell ? viaShell(session.shell, shCommand(cmd)) : cmd)];
  }
  const size = opts.payloadBytes ?? 64 * 1024;

  // Built private (root, 0700) and handed to the user last (./private-tree.ts): root never writes where the user can.
  const work = inJail ? await PrivateTree.named(path.join(opts.scratchRoot!, 'scp-work')) : await PrivateTree.temp(os.tmpdir(), 'jailtrace-scp-');
  const host = work.top;
  const seen = inJail ? path.posix.join(opts.scratchInJail!, 'scp-work') : host;
  const up = payload(size, 1);
  const down = payload(size, 2);
  try {
    for (const d of ['up', 'up-r', 'down']) await work.dir(d);
    await work.file('down/download.bin', down);
    await work.handOver(owner);
  } catch (e) {
    await work.remove();
    throw e;
  }
  const dirTree = tree(size);

  const runs: ScpRun[] = [
    {
      description: 'scp -t: upload one file',
      args: [scp, '-t', path.posix.join(seen, 'up')],
      talk: async (c) => {
        await c.send([{ kind: 'file', name: 'upload.bin', data: up }]);
        return undefined;
      },
    },
    {
      description: 'scp -f: download one file',
      args: [scp, '-f', path.posix.join(seen, 'down', 'download.bin')],
      talk: async (c) => {
        const got = await c.receive(down.length); // no more than we put there: the user may have grown it
        const f = got[0];
        return got.length === 1 && f.kind === 'file' && f.name === 'download.bin' && f.data.equals(down) ? undefined : 'download differs from the server file';
      },
    },
    {
      description: 'scp -r -t: upload a directory tree',
      args: [scp, '-r', '-t', path.posix.join(seen, 'up-r')],
      talk: async (c) => {
        await c.send([dirTree]);
        return undefined;
      },
    },
  ];

  const steps: ProfileStep[] = [];
  const traces: string[] = [];
  const notes: string[] = [];
  await prepareOutputDir(opts.outputDir).catch((e: unknown) => {
    if (e instanceof OutputFileError) throw new UsageError(`--output-dir: ${e.message}`, 'give --output-dir a directory only root can write');
    throw e;
  });
  try {
    for (const [i, run] of runs.entries()) {
      const output = path.join(opts.outputDir, `${name}-${i + 1}.strace`);
      const argv = prefix(run.args);
      let problem: string | undefined;
      const r = await captureLive({
        argv,
        user: chroot ? undefined : opts.user,
        env: session ? session.env(cleanEnv(who)) : cleanEnv(who),
        cwd: '/', // never the tree: root's chdir would follow a name the user can swap (every path given is absolute)
        alsoRuns,
        output,
        timeoutMs: opts.timeoutMs ?? 600_000,
        onData: opts.onData ? (chunk) => opts.onData!(chunk, i) : undefined,
        interact: async ({ stdin, stdout }) => {
          const c = new ScpClient(stdin, stdout);
          problem = await run.talk(c);
          c.end();
        },
      });
      traces.push(output);
      if (r.privileged.length > 0 && i === 0) notes.push(`${name}: ${privilegedNote(r.privileged)}`);
      if (r.interactError !== undefined) problem = (r.interactError as Error).message;
      steps.push({
        description: run.description,
        argv,
        exitCode: r.exitCode,
        signal: r.signal,
        stderr: r.stderr + (problem ? `${problem}\n` : ''),
        ok: r.exitCode === 0 && !problem,
      });
    }
    // checks, not processes: "ok", or why not in `stderr`
    const check = (description: string, argv: string[], ok: boolean, why: string): void => {
      steps.push({ description, argv, stderr: ok ? '' : why, ok, check: true });
    };
    const upload = await readUserFile(work, 'up/upload.bin', up.length);
    check(
      'upload arrived byte for byte',
      runs[0].args,
      upload.ok && upload.data.equals(up),
      upload.ok ? 'up/upload.bin differs from what was sent' : `up/upload.bin: ${upload.why}`,
    );
    check('directory tree arrived whole', runs[2].args, await sameTree(work, 'up-r', dirTree), 'up-r/tree is missing something or differs from what was sent');
  } finally {
    await work.remove();
  }
  if (session?.note) notes.unshift(session.note);
  return { name, traces, excludes: [...new Set([host, seen, ...(session?.excludes ?? [])])], cwd: '/', steps, ...(notes.length ? { notes } : {}) };
}
