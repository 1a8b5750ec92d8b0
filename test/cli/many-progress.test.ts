/**
 * `build --from-rssh-conf`'s bar of jails done and left: only on a TTY that may take escape codes (never with NO_COLOR,
 * TERM=dumb or -q, never on a pipe); and what the jails share (socket advice, warnings) said once, not per jail.
 */
import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { itemsLine, makeOutput } from '../../src/cli/output.js';
import { ManyText, manySummary } from '../../src/cli/render-many.js';
import type { BuildReport } from '../../src/app/build.js';

function sink(isTTY: boolean): Writable & { text: () => string; isTTY: boolean; columns: number } {
  const chunks: string[] = [];
  const w = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  });
  return Object.assign(w, { isTTY, columns: 120, text: () => chunks.join('') });
}

function barText(tty: boolean, env: NodeJS.ProcessEnv, quiet = false): string {
  const err = sink(tty);
  const p = makeOutput(sink(tty), err, env, { quiet }).progress('building', { items: 'jails' });
  p.update(0, 3);
  p.done();
  p.update(1, 3); // drawn again at once after a clear: a jail's line was printed in between
  p.done();
  return err.text();
}

describe('the jails bar', () => {
  test('a TTY: done and left, redrawn after each clear, erased with \\x1b[K', () => {
    const t = barText(true, {});
    expect(t).toContain('\rbuilding [--------------------] 0 of 3 jails done, 3 left\x1b[K');
    expect(t).toContain('\rbuilding [#######-------------] 1 of 3 jails done, 2 left\x1b[K');
    expect(t.endsWith('\r\x1b[K')).toBe(true);
  });
  test.each([
    ['NO_COLOR', true, { NO_COLOR: '1' }, false],
    ['TERM=dumb', true, { TERM: 'dumb' }, false],
    ['-q', true, {}, true],
    ['a pipe', false, {}, false],
  ])('%s: no bar at all', (_n, tty, env, quiet) => expect(barText(tty, env, quiet)).toBe(''));
  test('the line', () => expect(itemsLine('building', 500, 500, 'jails')).toBe('building [####################] 500 of 500 jails done, 0 left'));
});

const report = (jail: string): BuildReport =>
  ({
    jail,
    dryRun: false,
    workloads: [],
    manifests: [],
    entries: [],
    plan: { actions: [] },
    apply: { results: [], counts: { done: 0, 'up-to-date': 3, refused: 0, failed: 0 } },
    warnings: ['same everywhere'],
    rootProblems: [],
    sockets: [{ path: '/dev/log', advice: [`mount --bind /dev/log ${jail}/dev/log`] }],
    bytes: 0,
    timings: { parseMs: 0, expandMs: 0, applyMs: 0 },
  }) as unknown as BuildReport;

describe('what the jails share is said once', () => {
  test('a line per jail, then the socket advice and the warning once, then the summary', () => {
    const m = new ManyText();
    const lines = ['/j/a', '/j/b', '/j/c'].map((j) => m.jail(report(j), false));
    for (const [i, l] of lines.entries()) {
      expect(l.trimEnd().split('\n')).toHaveLength(1);
      expect(l).toContain(['/j/a', '/j/b', '/j/c'][i]);
      expect(l).not.toContain('/dev/log');
    }
    const shared = m.shared(false);
    expect(shared.match(/socket \/dev\/log/g)).toHaveLength(1);
    expect(shared).toContain('socket /dev/log in 3 jails');
    expect(shared).toContain('    mount --bind /dev/log /j/a/dev/log');
    expect(shared).toContain('warning: same everywhere (3 jails)');
    expect(manySummary({ jails: 3, failed: 0, traced: 1, reused: 2 })).toBe('3 jails built; 1 jail traced, 2 reused a trace\n');
  });
});
