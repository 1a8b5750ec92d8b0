/**
 * Issue 15, item 5: `tree --dot` (processes, execs, chroot boundaries, failed accesses in red) and `explain --dot`
 * (the rule chain for one file) print Graphviz that `dot -Tsvg` accepts; hostile paths cannot break out of a label.
 */
import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderExplanationDot } from '../../src/cli/explain-dot.js';
import { q } from '../../src/dot/dot.js';
import { build, fixture, isRoot, ROOT_SKIP, type Fixture } from '../check/helpers.js';
import { jailtrace, ROOT } from './helpers.js';

const hasDot = await execa('dot', ['-V'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);
const RSSH = path.join(ROOT, 'traces/linux/rssh-chain/f.strace');

/** dot -Tsvg on `text`: its exit code, stderr and the SVG. */
const render = (text: string) => execa('dot', ['-Tsvg'], { input: text, reject: false });

test('q: quotes, backslashes and newlines stay inside the label', () => {
  expect(q('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  expect(q('x\u0001y')).toBe('"xy"');
});

test('tree --dot: one box per process, the chroot as a cluster holding what was used inside it, failures in red', async () => {
  const r = await jailtrace(['tree', '--dot', RSSH]);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toMatch(/^digraph jailtrace_tree \{\n/);
  expect(r.stdout).toContain('"p19016" [shape="box"');
  expect(r.stdout).toMatch(/subgraph "cluster_chroot_0" \{\n {4}label="chroot \/tmp\/jt-rssh-jail";/);
  // the failed exec of scp inside the jail: inside the cluster, red, with its errno
  const cluster = r.stdout.slice(r.stdout.indexOf('subgraph'), r.stdout.indexOf('\n  }\n'));
  expect(cluster).toMatch(/label="\/usr\/bin\/scp\\n\(host \/tmp\/jt-rssh-jail\/usr\/bin\/scp\)", color="red3", fontcolor="red3"/);
  expect(r.stdout).toMatch(/-> "a\d+" \[label="exec ✗ ENOENT", color="red3"/);
  // a successful exec is not red
  expect(r.stdout).toMatch(/label="\/usr\/local\/bin\/rssh"\];/);
});

test('tree --json --dot is refused (choose one)', async () => {
  const r = await jailtrace(['tree', '--dot', '--json', RSSH]);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain('--json and --dot: choose one');
});

test('explain --dot: a path with quotes and newlines, not in the jail, is one red node', () => {
  const text = renderExplanationDot({ path: '/etc/"x"\n}', inJail: false, chain: [], advice: [] });
  expect(text).toContain('"n0" [label="/etc/\\"x\\"\\n}\\nnot in the jail", color="red3", fontcolor="red3"];');
});

describe.skipIf(!hasDot)('dot -Tsvg accepts the pictures (skips when Graphviz dot is missing: apt-get install graphviz)', () => {
  test('tree --dot and tree --all --dot', async () => {
    for (const args of [
      ['tree', '--dot', RSSH],
      ['tree', '--all', '--dot', RSSH],
    ]) {
      const r = await render((await jailtrace(args)).stdout);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('<svg');
      expect(r.stdout).toContain('chroot /tmp/jt&#45;rssh&#45;jail');
    }
  });

  test('explain --dot for a manifest (every access) and for a hostile path', async () => {
    const r = await render((await jailtrace(['explain', '/tmp/jt-rssh-jail/usr/bin/scp', '--manifest', RSSH, '--cwd', '/', '--dot'])).stdout);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('exec ENOENT');
    const h = await render(renderExplanationDot({ path: '/etc/"x"\n}', inJail: false, chain: [], advice: [] }));
    expect(h.exitCode).toBe(0);
  });
});

describe.skipIf(!isRoot || !hasDot)(`explain --dot on a built jail: the rule chain (${ROOT_SKIP}; and Graphviz dot)`, () => {
  let f: Fixture;
  let jail: string;
  beforeAll(async () => {
    f = await fixture('dot');
    jail = await build(f, 'jail');
  }, 120_000);
  afterAll(() => f?.cleanup());

  test('the loader: PT_INTERP of the traced program, traced at its exec line; dot draws it', async () => {
    const r = await jailtrace(['explain', '/lib64/ld-linux-x86-64.so.2', '--jail', jail, '--dot']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/"n1" -> "n0" \[label="ELF interpreter \(PT_INTERP\)"\];/);
    expect(r.stdout).toMatch(/"t1" \[shape="ellipse", label="execve by pid \d+\\n/);
    const svg = await render(r.stdout);
    expect(svg.exitCode).toBe(0);
    expect(svg.stdout).toContain('PT_INTERP');
  });
});
