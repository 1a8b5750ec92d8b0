/**
 * The strace probe cache (src/capture/probe-cache.ts): used when strace, the kernel and our privileges are unchanged;
 * a miss (probed again, file rewritten) when any of them changes; refused when anyone but root could have written it.
 * The probe here is a counter, so a hit is a probe that did not run.
 */
import { appendFile, chmod, chown, link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { probeStrace } from '../../src/capture/find.js';
import { cachedProbe, kernelId, readProbeCache, probeKey, type KernelId, type ProbeAnswer } from '../../src/capture/probe-cache.js';
import { isRoot } from '../support/root.js';

let base = '';
let dir = '';
let strace = '';
let probes = 0;
const answer: ProbeAnswer = { version: '6.1', seccompBpf: true };
const probe = async (): Promise<ProbeAnswer> => {
  probes++;
  return answer;
};
let kernel: KernelId = { release: '6.1.0-test', bootId: 'boot-1', ptraceScope: '1' };
const run = () => cachedProbe(strace, probe, { dir, kernel: async () => kernel });
const cacheFile = () => path.join(dir, 'strace-probe.json');

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'jt-probe-cache-'));
  dir = path.join(base, 'run');
  strace = path.join(base, 'strace');
  await writeFile(strace, '#!/bin/sh\n', { mode: 0o755 });
  probes = 0;
  kernel = { release: '6.1.0-test', bootId: 'boot-1', ptraceScope: '1' };
});
afterEach(() => rm(base, { recursive: true, force: true }));

describe.skipIf(!isRoot)('the strace probe cache (root only: the cache is root-owned and only root uses it)', () => {
  test('the first run probes and writes a root-owned 0600 file; the next run answers from it', async () => {
    expect(await run()).toEqual(answer);
    expect(probes).toBe(1);
    const st = await stat(cacheFile());
    expect([st.uid, st.mode & 0o7777]).toEqual([0, 0o600]);
    expect(await run()).toEqual(answer);
    expect(probes).toBe(1);
  });

  test('a changed strace binary (size, mtime) is a miss: probed again and rewritten', async () => {
    await run();
    await appendFile(strace, '# upgraded\n');
    await run();
    expect(probes).toBe(2);
    await run();
    expect(probes).toBe(2); // the rewritten cache holds the new binary
  });

  test('a new kernel, a reboot or a raised ptrace_scope is a miss', async () => {
    await run();
    for (const change of [{ release: '6.2.0-test' }, { bootId: 'boot-2' }, { ptraceScope: '3' }]) {
      kernel = { ...kernel, ...change };
      await run();
    }
    expect(probes).toBe(4);
    await run();
    expect(probes).toBe(4);
  });

  test('a cache file not owned by root is refused (and not rewritten: it is not ours)', async () => {
    await run();
    await chown(cacheFile(), 65534, 65534);
    const r = await readProbeCache(dir, await probeKey(strace, { kernel: async () => kernel }));
    expect(r).toMatchObject({ hit: false, why: expect.stringContaining('owned by uid 65534') });
    await run();
    expect(probes).toBe(2);
    expect((await stat(cacheFile())).uid).toBe(65534);
  });

  test('a cache file readable by others (0644) is refused, then rewritten 0600', async () => {
    await run();
    await chmod(cacheFile(), 0o644);
    await run();
    expect(probes).toBe(2);
    expect((await stat(cacheFile())).mode & 0o7777).toBe(0o600);
    await run();
    expect(probes).toBe(2);
  });

  test('a symlink at the cache name is refused and never written through', async () => {
    await run();
    const real = path.join(base, 'elsewhere.json');
    await writeFile(real, await readFile(cacheFile()), { mode: 0o600 });
    await rm(cacheFile());
    await symlink(real, cacheFile());
    const before = await readFile(real, 'utf8');
    await run();
    await run();
    expect(probes).toBe(3);
    expect(await readFile(real, 'utf8')).toBe(before);
  });

  test('a hard link to the cache file is refused', async () => {
    await run();
    await link(cacheFile(), path.join(base, 'second-name'));
    await run();
    expect(probes).toBe(2);
  });

  test('a cache in a directory a user could swap is neither read nor written', async () => {
    await mkdir(dir, { mode: 0o777 });
    await chmod(dir, 0o777);
    await run();
    await run();
    expect(probes).toBe(2);
    await expect(stat(cacheFile())).rejects.toThrow();
  });

  test('with the real strace and kernel, the cached answer is the probed one', async () => {
    const first = await probeStrace('/usr/bin/strace', { dir });
    const read = await readProbeCache(dir, await probeKey('/usr/bin/strace', { kernel: kernelId }));
    expect(read).toEqual({ hit: true, answer: { version: first.version, seccompBpf: first.seccompBpf } });
    expect(await probeStrace('/usr/bin/strace', { dir })).toEqual(first);
  });
});
