import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { captureLive, findStrace, openTraceFifo, splitStraceStderr, straceArgs, tracedCommandLine } from '../../src/capture/strace.js';
import { TracerError } from '../../src/errors.js';
import { ensureTestUser, pgrep, skipReason, TEST_USER } from './helpers.js';

describe('straceArgs (pure)', () => {
  test('the options jailtrace needs, and nothing it does not', () => {
    const a = straceArgs({ output: '/t/f', seccomp: true, user: 'alice' });
    expect(a.slice(0, 4)).toEqual(['-f', '-q', '-o', '/t/f']);
    expect(a).toContain('--seccomp-bpf');
    expect(a.slice(-2)).toEqual(['-u', 'alice']);
    expect(a).not.toContain('-y');
    const set = a[a.indexOf('-e') + 1];
    expect(set).toMatch(/^trace=%file,%process,%network,fchdir,close,dup,\?dup2,dup3,fcntl,/);
    expect(straceArgs({ output: 'x', seccomp: false })).not.toContain('--seccomp-bpf');
    expect(straceArgs({ output: 'x', seccomp: false })).not.toContain('-u');
  });
  test('tracedCommandLine ends with -- and the program', () => {
    expect(tracedCommandLine({ argv: ['/usr/lib/openssh/sftp-server', '-e'], fifo: '/tmp/x/f', seccomp: false, strace: '/usr/bin/strace' }).slice(-4)).toEqual([
      'trace=%file,%process,%network,fchdir,close,dup,?dup2,dup3,fcntl,?fcntl64,?getdents,getdents64,getcwd,chroot',
      '--',
      '/usr/lib/openssh/sftp-server',
      '-e',
    ]);
  });
  test.each([
    ["strace: Can't stat '/x': No such file or directory\nprog\n", 'prog\n', "strace: Can't stat '/x': No such file or directory\n"],
    ['a\nb', 'a\nb', ''],
    ['', '', ''],
  ])('splitStraceStderr %j', (all, program, strace) => {
    expect(splitStraceStderr(all)).toEqual({ program, strace });
  });
});

const reason = skipReason();
describe.skipIf(reason !== undefined)(`captureLive against the real strace ${reason ? `[${reason}]` : '[root]'}`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jt-cap-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('findStrace: path, version, seccomp probe; args carry --seccomp-bpf when supported', async () => {
    const st = await findStrace();
    expect(st.path).toMatch(/strace$/);
    expect(st.version).toMatch(/^\d+\.\d+/);
    expect(typeof st.seccompBpf).toBe('boolean');
    const out = path.join(dir, 'true.strace');
    const r = await captureLive({ argv: ['/bin/true'], output: out });
    expect(r.command.includes('--seccomp-bpf')).toBe(st.seccompBpf);
  });

  test('/bin/true: exit 0, a trace with its execve, no strace noise', async () => {
    const out = path.join(dir, 'true2.strace');
    const r = await captureLive({ argv: ['/bin/true'], output: out });
    expect(r).toMatchObject({ exitCode: 0, signal: undefined, timedOut: false, stderr: '', straceStderr: '' });
    const text = await readFile(out, 'latin1');
    expect(text).toMatch(/^\d+ +execve\("\/bin\/true", \["\/bin\/true"\]/);
    expect(text).toMatch(/\+\+\+ exited with 0 \+\+\+\n$/);
    expect(r.traceBytes).toBe((await stat(out)).size);
  });

  test('/bin/false: exit 1 and the trace is still there', async () => {
    const out = path.join(dir, 'false.strace');
    const r = await captureLive({ argv: ['/bin/false'], output: out });
    expect(r.exitCode).toBe(1);
    expect(await readFile(out, 'latin1')).toMatch(/\+\+\+ exited with 1 \+\+\+/);
  });

  test('program stdout/stderr are kept apart from the trace and from strace', async () => {
    const out = path.join(dir, 'sh.strace');
    const r = await captureLive({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'], output: out });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', straceStderr: '' });
    expect(await readFile(out, 'latin1')).not.toMatch(/^(out|err)$/m);
  });

  test("input is the program's stdin", async () => {
    const r = await captureLive({ argv: ['cat'], output: path.join(dir, 'cat.strace'), input: 'hello\n' });
    expect(r.stdout).toBe('hello\n');
  });

  test("a command that does not exist: strace opens the trace, prints Can't stat, exits 1 → TracerError", async () => {
    const out = path.join(dir, 'missing.strace');
    const e = await captureLive({ argv: ['/nonexistent/jt-prog'], output: out }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TracerError);
    expect((e as Error).message).toMatch(/Can't stat '\/nonexistent\/jt-prog'.*command: \/nonexistent\/jt-prog/);
    expect((await stat(out)).size).toBe(0);
  });

  test('as a user: the program runs with that uid (strace -u), the trace is written by root strace', async () => {
    const uid = await ensureTestUser();
    const r = await captureLive({ argv: ['id', '-u'], user: TEST_USER, output: path.join(dir, 'id.strace') });
    expect(r.exitCode).toBe(0);
    expect(Number(r.stdout.trim())).toBe(uid);
    expect(uid).not.toBe(0);
  });

  test('an unknown user → TracerError', async () => {
    await expect(captureLive({ argv: ['/bin/true'], user: 'jt-no-such-user-x', output: path.join(dir, 'nouser.strace') })).rejects.toThrow(/Cannot find user/);
  });

  test('onData receives exactly the bytes of the saved file, while the program runs', async () => {
    const out = path.join(dir, 'ondata.strace');
    const chunks: Buffer[] = [];
    const r = await captureLive({
      argv: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do ls /etc >/dev/null; done'],
      output: out,
      onData: (c) => chunks.push(Buffer.from(c)),
    });
    const saved = await readFile(out);
    expect(Buffer.concat(chunks).equals(saved)).toBe(true);
    expect(r.traceBytes).toBe(saved.length);
    expect(saved.length).toBeGreaterThan(1000);
  });

  test('an onData that throws: the trace is still saved whole, captureLive rejects with that error', async () => {
    const out = path.join(dir, 'throw.strace');
    await expect(
      captureLive({
        argv: ['/bin/true'],
        output: out,
        onData: () => {
          throw new Error('parser broke');
        },
      }),
    ).rejects.toThrow('parser broke');
    expect(await readFile(out, 'latin1')).toMatch(/exited with 0/);
  });

  test('timeout kills a sleep 30 and everything of its group; nothing is left running', async () => {
    const marker = `${dir}/jt-timeout-marker`;
    await writeFile(marker, '');
    const t0 = Date.now();
    // a shell with two children: all in strace's process group
    // durations unique to this run: another run of this file (another checkout) must not be counted
    const [a, b] = [`30.${process.pid}`, `31.${process.pid}`];
    const r = await captureLive({ argv: ['sh', '-c', `sleep ${a} & sleep ${b}; : ${marker}`], output: path.join(dir, 'timeout.strace'), timeoutMs: 500 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.timedOut).toBe(true);
    expect(r.signal).toMatch(/^SIG(TERM|KILL)$/);
    await new Promise((res) => setTimeout(res, 300));
    expect(pgrep(marker)).toEqual([]);
    expect(pgrep(`sleep (${a}|${b})$`.replace(/\./g, '\\.')).filter((p) => p !== process.pid)).toEqual([]);
  });
});

describe.skipIf(!!skipReason())('openTraceFifo failure modes', () => {
  test('no writer ever comes: the open timeout ends it, done rejects, close cleans up', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'jt-fifo-test-'));
    const f = await openTraceFifo({ output: path.join(dir, 'out'), openTimeoutMs: 200 });
    const t0 = Date.now();
    await expect(f.done).rejects.toThrow(/no tracer opened the trace FIFO/);
    expect(Date.now() - t0).toBeLessThan(5000);
    await f.close();
    await expect(stat(path.dirname(f.fifo))).rejects.toThrow(/ENOENT/);
    await rm(dir, { recursive: true, force: true });
  });
  test('close() before any writer: unblocks the pending open at once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'jt-fifo-test-'));
    const f = await openTraceFifo({ output: path.join(dir, 'out') });
    const t0 = Date.now();
    await f.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    await expect(f.done).rejects.toBeInstanceOf(TracerError);
    await rm(dir, { recursive: true, force: true });
  });
});
