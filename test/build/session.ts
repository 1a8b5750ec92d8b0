/** Real client sessions against a jail: the sftp client driving the jail's sftp-server, scp -t / -f inside it. */
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ScpClient } from '../../src/profiles/scp-protocol.js';

export { isRoot } from '../support/root.js';

export { ensureUser } from '../support/users.js';

async function numericIds(user: string): Promise<string> {
  const uid = (await execa('id', ['-u', user])).stdout.trim();
  const gid = (await execa('id', ['-g', user])).stdout.trim();
  return `${uid}:${gid}`;
}

export interface SftpSession {
  ok: boolean;
  output: string;
  bytesIntact: boolean;
}

/** put / ls -l / mkdir / rename / get / rm / rmdir as `user` inside `jail`, through the jail's own sftp-server. */
export async function sftpSession(jail: string, user: string, home: string): Promise<SftpSession> {
  const ids = await numericIds(user);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jt-sftp-session-'));
  try {
    const payload = Buffer.alloc(200_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) & 0xff;
    await writeFile(path.join(dir, 'up.bin'), payload);
    await writeFile(
      path.join(dir, 'batch'),
      [`cd ${home}`, 'put up.bin', 'ls -l', 'mkdir d', 'rename up.bin d/moved.bin', 'get d/moved.bin back.bin', 'rm d/moved.bin', 'rmdir d'].join('\n') + '\n',
    );
    const r = await execa('sftp', ['-b', 'batch', '-D', `/usr/sbin/chroot --userspec=${ids} ${jail} /usr/lib/openssh/sftp-server`], {
      cwd: dir,
      reject: false,
      all: true,
      timeout: 60_000,
    });
    const back = await readFile(path.join(dir, 'back.bin')).catch(() => Buffer.alloc(0));
    return { ok: r.exitCode === 0, output: r.all ?? '', bytesIntact: back.equals(payload) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** scp -t (upload) then scp -f (download) as `user` inside the jail; returns the bytes that came back. */
export async function scpRoundTrip(jail: string, user: string, home: string, data: Buffer): Promise<{ ok: boolean; back?: Buffer; error?: string }> {
  // numeric ids, as sshd does: it switches user before exec, so no lookup happens in the jail at that point
  const chroot = ['/usr/sbin/chroot', `--userspec=${await numericIds(user)}`, jail];
  try {
    const up = execa(chroot[0], [...chroot.slice(1), '/usr/bin/scp', '-t', home], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      reject: false,
      timeout: 30_000,
    });
    const c1 = new ScpClient(up.stdin!, up.stdout!);
    await c1.send([{ kind: 'file', name: 'scp.bin', mode: 0o644, data }]);
    c1.end();
    const r1 = await up;
    if (r1.exitCode !== 0) return { ok: false, error: `scp -t: exit ${r1.exitCode}: ${r1.stderr}` };
    const down = execa(chroot[0], [...chroot.slice(1), '/usr/bin/scp', '-f', `${home}/scp.bin`], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      reject: false,
      timeout: 30_000,
    });
    const c2 = new ScpClient(down.stdin!, down.stdout!);
    const got = await c2.receive();
    c2.end();
    const r2 = await down;
    const f = got.find((e) => e.kind === 'file');
    return { ok: r2.exitCode === 0, back: f && f.kind === 'file' ? f.data : undefined, error: r2.stderr };
  } catch (e) {
    return { ok: false, error: String((e as Error).message) };
  }
}
