import { expect, test } from 'vitest';
import type { ApplyReport } from '../../src/jail/apply.js';
import type { Plan } from '../../src/plan/plan.js';
import { displayPath } from '../../src/display-path.js';
import { renderDryRun, renderReport } from '../../src/jail/render.js';

const plan: Plan = {
  jail: '/srv/jail',
  actions: [
    { kind: 'mkdir', path: '/usr/lib', mode: 0o755, uid: 0, gid: 0, reason: 'parent of /usr/lib/libc.so.6' },
    { kind: 'symlink', path: '/lib', target: 'usr/lib', reason: 'merged /usr' },
    { kind: 'copy', path: '/usr/bin/su', source: '/bin/su', mode: 0o4755, uid: 0, gid: 0, mtimeMs: 0, size: 72000, reason: 'traced: execve' },
    { kind: 'mknod', path: '/dev/null', type: 'c', major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0, reason: 'traced: openat' },
    { kind: 'write', path: '/etc/pass\nwd', content: 'a\nb\n', mode: 0o644, uid: 0, gid: 42, reason: 'generated' },
  ],
};

test('renderDryRun: one line per action, modes as applied', () => {
  expect(renderDryRun(plan)).toBe(
    [
      '# jail /srv/jail: 5 actions',
      'mkdir   /usr/lib (0755 root:root)  — parent of /usr/lib/libc.so.6',
      'symlink /lib -> usr/lib  — merged /usr',
      'copy    /usr/bin/su <- /bin/su (0755 root:root, 70.3 KiB)  — traced: execve',
      'mknod   /dev/null (c 1,3 0666 root:root)  — traced: openat',
      'write   /etc/pass\\nwd (0644 root:42, 2 lines)  — generated',
      '',
    ].join('\n'),
  );
  expect(renderDryRun(plan, { keepSetuid: new Set(['/usr/bin/su']) })).toContain('copy    /usr/bin/su <- /bin/su (4755 root:root');
});

test('displayPath escapes control characters and backslashes', () => {
  expect(displayPath('/a\tb\\c\x01\x7f')).toBe('/a\\tb\\\\c\\x01\\x7f');
});

test('renderReport: changes, refusals and a count line', () => {
  const report: ApplyReport = {
    jail: '/srv/jail',
    dryRun: false,
    results: [
      { action: plan.actions[0], result: 'up-to-date' },
      { action: plan.actions[1], result: 'done', detail: 'linked /srv/jail/lib -> usr/lib' },
      { action: plan.actions[2], result: 'refused', code: 'symlink-absolute', detail: '/srv/jail: /usr/bin/su: /usr is a symlink …' },
      { action: plan.actions[3], result: 'failed', code: 'ENOSPC', detail: 'no space' },
      { action: plan.actions[4], result: 'failed', code: 'ENOSPC', detail: 'not attempted' },
    ],
    counts: { done: 1, 'up-to-date': 1, refused: 1, failed: 2 },
    stopped: { code: 'ENOSPC', path: '/dev/null', message: 'no space' },
  };
  expect(renderReport(report).split('\n')).toEqual([
    'done: symlink /lib -> usr/lib — linked /srv/jail/lib -> usr/lib',
    'refused: copy /usr/bin/su <- /bin/su (0755 root:root, 70.3 KiB) — /srv/jail: /usr/bin/su: /usr is a symlink …',
    'failed: mknod /dev/null (c 1,3 0666 root:root) — no space',
    'failed: write /etc/pass\\nwd (0644 root:42, 2 lines) — not attempted',
    '1 done, 1 up-to-date, 1 refused, 2 failed (stopped: ENOSPC)',
    '',
  ]);
});
