#!/usr/bin/env node
/**
 * npm run mutate -- <area> [more stryker flags]: mutation testing of one area (stryker/areas.mjs lists them).
 * Not part of CI. MUTATE_CONCURRENCY=2 to use two test runners (default 1: the build machine's cores are shared).
 *
 * The jail areas mutate the code that writes as root. A mutant can send a write anywhere (one that empties the
 * `/proc/<pid>/fd/<n>` prefix writes the test plan's passwd over the host's /etc/passwd), so those areas run only in
 * a sandbox: a private mount namespace (unshare -m) in which every mount of the host is read-only, /tmp is a fresh
 * tmpfs and only this checkout is writable. JT_SANDBOX=jt-sandbox marks a run inside it.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AREAS } from '../stryker/areas.mjs';

/** Areas whose mutants write as root. */
const SANDBOXED = new Set(['jail', 'jail-all']);

/** Runs in the new mount namespace: host read-only, /tmp a tmpfs, the checkout ($1) writable; then the command. */
const SANDBOX_SH = `set -eu
proj=$1; shift
awk '{print $2}' /proc/self/mounts | sort -u | while read -r mp; do
  case "$mp" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
  mount -o remount,bind,ro "$mp" 2>/dev/null || true
done
mount -t tmpfs -o mode=1777 jt-sandbox-tmp /tmp
mount --bind "$proj" "$proj"
mount -o remount,bind,rw "$proj"
cd "$proj" # the old cwd is on the read-only mount below the new one
if touch /etc/.jt-sandbox-probe 2>/dev/null; then rm -f /etc/.jt-sandbox-probe; echo "mutate: /etc is still writable: not running" >&2; exit 1; fi
exec "$@"`;

const [area, ...rest] = process.argv.slice(2);
if (!area || !(area in AREAS)) {
  process.stderr.write(`usage: npm run mutate -- <area>\nareas: ${Object.keys(AREAS).join(', ')}\n`);
  process.exit(2);
}
const run = (cmd, args, env) => {
  try {
    execFileSync(cmd, args, { stdio: 'inherit', env });
  } catch (e) {
    process.exit(typeof e.status === 'number' ? e.status : 1);
  }
};
// Stryker runs the tests in a copy under .stryker-tmp/: tell them where the shared corpus (../shared) really is
const env = { JAILTRACE_SHARED_TRACES: path.resolve('../shared/traces'), ...process.env, MUTATE_AREA: area };
if (SANDBOXED.has(area) && process.env.JT_SANDBOX !== 'jt-sandbox') {
  if (process.getuid?.() !== 0) {
    process.stderr.write(`mutate: the ${area} area runs as root in a read-only mount namespace (unshare -m): run it as root\n`);
    process.exit(2);
  }
  const self = fileURLToPath(import.meta.url);
  run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', SANDBOX_SH, 'sh', process.cwd(), process.execPath, self, area, ...rest], {
    ...env,
    JT_SANDBOX: 'jt-sandbox',
  });
} else {
  run('npx', ['stryker', 'run', 'stryker/stryker.config.mjs', ...rest], env);
}
