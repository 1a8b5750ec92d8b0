/** buildMany: every spec built through the callback, failures kept, no linking for fewer than two jails. */
import { describe, expect, test } from 'vitest';
import { buildMany, type JailSpec } from '../../src/app/many.js';

const specs: JailSpec[] = [
  { jail: '/srv/a', users: ['alice'], profiles: ['sftp'] },
  { jail: '/srv/b', users: ['bob'], profiles: ['scp'] },
];

describe('buildMany', () => {
  test('builds each spec; one failure does not stop the rest', async () => {
    const seen: string[] = [];
    const r = await buildMany(specs, { link: false }, async (s) => {
      seen.push(s.jail);
      if (s.jail === '/srv/a') throw new Error('boom');
      return s.users.length;
    });
    expect(seen).toEqual(['/srv/a', '/srv/b']);
    expect(r.results.map((x) => [x.spec.jail, x.result, (x.error as Error | undefined)?.message])).toEqual([
      ['/srv/a', undefined, 'boom'],
      ['/srv/b', 1, undefined],
    ]);
    expect(r.link).toBeUndefined();
  });
});
