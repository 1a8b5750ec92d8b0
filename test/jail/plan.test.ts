import { describe, expect, test } from 'vitest';
import { JailPathError, PlanConflictError, effectiveMode, jailParent, sortPlan, validateJailPath, validatePlan, type Action } from '../../src/plan/plan.js';

describe('validateJailPath', () => {
  test.each(['/', '/usr', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/etc/..passwd', '/a b/\n/\xff', '/...'])('accepts %j', (p) => {
    expect(validateJailPath(p)).toBe(p);
  });

  test.each([
    ['usr/lib', 'not-absolute'],
    ['', 'not-absolute'],
    ['/usr//lib', 'empty-component'],
    ['/usr/lib/', 'trailing-slash'],
    ['/usr/./lib', 'dot-component'],
    ['/usr/../etc', 'dot-component'],
    ['/..', 'dot-component'],
    ['/.', 'dot-component'],
    ['/a\0b', 'nul-byte'],
  ])('rejects %j (%s)', (p, problem) => {
    expect(() => validateJailPath(p)).toThrow(JailPathError);
    try {
      validateJailPath(p);
    } catch (e) {
      expect(e).toMatchObject({ path: p, problem });
    }
  });

  test('/ is only for mkdir', () => {
    expect(validateJailPath('/', 'mkdir')).toBe('/');
    expect(() => validateJailPath('/', 'write')).toThrow('invalid jail path "/" (write): the jail root itself can only be the target of mkdir');
  });
});

const mk = (path: string): Action => ({ kind: 'mkdir', path, mode: 0o755, uid: 0, gid: 0, reason: '' });
const ln = (path: string, target: string): Action => ({ kind: 'symlink', path, target, reason: '' });
const wr = (path: string): Action => ({ kind: 'write', path, content: '', mode: 0o644, uid: 0, gid: 0, reason: '' });

test('sortPlan: directories by depth, then symlinks, then files; deterministic', () => {
  const actions = [wr('/lib64/ld.so'), ln('/lib64', 'usr/lib64'), mk('/usr/lib64'), wr('/etc/passwd'), mk('/usr'), mk('/etc'), mk('/')];
  const sorted = sortPlan({ jail: '/j', actions }).actions.map((a) => `${a.kind} ${a.path}`);
  expect(sorted).toEqual(['mkdir /', 'mkdir /etc', 'mkdir /usr', 'mkdir /usr/lib64', 'symlink /lib64', 'write /etc/passwd', 'write /lib64/ld.so']);
  expect(sortPlan({ jail: '/j', actions: [...actions].reverse() }).actions.map((a) => `${a.kind} ${a.path}`)).toEqual(sorted);
});

test('validatePlan rejects two actions on one path', () => {
  expect(() => validatePlan({ jail: '/j', actions: [mk('/etc'), wr('/etc')] })).toThrow(PlanConflictError);
});

test('jailParent and effectiveMode', () => {
  expect([jailParent('/usr/lib'), jailParent('/usr'), jailParent('/')]).toEqual(['/usr', '/', '/']);
  const suid: Action = { kind: 'copy', path: '/su', source: '/bin/su', mode: 0o104755, uid: 0, gid: 0, mtimeMs: 0, size: 0, reason: '' };
  expect(effectiveMode(suid, false)).toBe(0o755);
  expect(effectiveMode(suid, true)).toBe(0o4755);
  expect(effectiveMode(mk('/tmp'), false)).toBe(0o755);
  expect(effectiveMode({ kind: 'mkdir', path: '/g', mode: 0o2775, uid: 0, gid: 0, reason: '' }, false)).toBe(0o2775);
});
