/**
 * A jail made by hand, the old way (programs and their `ldd` libraries copied, /dev/null, passwd/group lines, the
 * home), with no jailtrace code. The harness self-test logs into it through ChrootDirectory and through rssh: it is
 * the control that shows the harness can pass, so a failing route test is the jail's fault, not the harness's.
 */
import { execa } from 'execa';
import { chmod, chown, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

async function lddClosure(program: string): Promise<string[]> {
  const r = await execa('ldd', [program]);
  const out = new Set<string>([program]);
  for (const line of r.stdout.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) out.add(m[1]);
  }
  return [...out];
}

/** Make JAIL (root-owned 0755, under a root-owned 0755 parent) with `programs`, for `user` whose jail home is `home`. */
export async function handJail(jail: string, user: { name: string; home: string }, programs: string[]): Promise<void> {
  await mkdir(jail, { mode: 0o755 });
  for (const p of programs) {
    for (const f of await lddClosure(p)) {
      const to = path.join(jail, f);
      await mkdir(path.dirname(to), { recursive: true, mode: 0o755 });
      await copyFile(f, to); // follows the host's symlinks: the jail gets plain files
      await chmod(to, 0o755);
    }
  }
  await mkdir(path.join(jail, 'dev'), { mode: 0o755 });
  await execa('mknod', ['-m', '666', path.join(jail, 'dev/null'), 'c', '1', '3']);
  await mkdir(path.join(jail, 'etc'), { mode: 0o755 });
  const pick = async (file: string, names: string[]) =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => names.includes(l.split(':')[0]))
      .join('\n') + '\n';
  const pw = (await readFile('/etc/passwd', 'utf8'))
    .split('\n')
    .find((l) => l.startsWith(`${user.name}:`))!
    .split(':');
  await writeFile(path.join(jail, 'etc/passwd'), await pick('/etc/passwd', ['root', user.name]));
  const group = (await readFile('/etc/group', 'utf8'))
    .split('\n')
    .find((l) => l.split(':')[2] === pw[3])!
    .split(':')[0];
  await writeFile(path.join(jail, 'etc/group'), await pick('/etc/group', ['root', group]));
  const home = path.join(jail, user.home);
  await mkdir(home, { recursive: true, mode: 0o755 });
  await chown(home, Number(pw[2]), Number(pw[3]));
}
