/**
 * The one reader of a jail's record (src/check/jail-read.ts findJailRecord / readJailRecord): "no record" is a typed
 * answer, and the record is read inside the jail only: a symlinked `.jailtrace` leading out, a symlink or a FIFO
 * planted as the record are refused, never followed or blocked on.
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { JAIL_SCHEMA, RECORD_FILE, type JailRecord } from '../../src/plan/make-plan.js';
import { findJailRecord, readJailRecord } from '../../src/check/jail-read.js';
import { UsageError } from '../../src/errors.js';

let base: string;
beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'jailtrace-record-'));
});
afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

const record = (jail: string, users: string[] = []): JailRecord => ({
  schema: JAIL_SCHEMA,
  version: 't',
  jail,
  users,
  profiles: [],
  commands: [],
  traces: [],
  entries: [],
  warnings: [],
});

/** A fresh jail dir; `rec` is written as its record when given. */
async function jail(name: string, rec?: JailRecord): Promise<string> {
  const j = path.join(base, name);
  await fs.mkdir(j, { recursive: true });
  if (rec) {
    await fs.mkdir(path.join(j, '.jailtrace'), { mode: 0o700 });
    await fs.writeFile(path.join(j, RECORD_FILE), JSON.stringify(rec));
  }
  return j;
}

test.each([
  ['a jail that does not exist', async () => path.join(base, 'nowhere')],
  ['a jail without .jailtrace', () => jail('empty')],
  [
    'a jail whose .jailtrace holds no record',
    async () => {
      const j = await jail('no-file');
      await fs.mkdir(path.join(j, '.jailtrace'));
      return j;
    },
  ],
])('no record: %s is { found: false }, and readJailRecord says so', async (_t, make) => {
  const j = await make();
  expect(await findJailRecord(j)).toEqual({ found: false, file: path.join(j, RECORD_FILE) });
  await expect(readJailRecord(j)).rejects.toThrow(new UsageError(`${j} has no jailtrace record (${RECORD_FILE})`, 'give a jail built by jailtrace build'));
});

test('a record is found and checked', async () => {
  const j = await jail('good', record('/srv/good', ['alice']));
  const r = await findJailRecord(j);
  expect(r).toEqual({ found: true, file: path.join(j, RECORD_FILE), record: record('/srv/good', ['alice']) });
  expect((await readJailRecord(j)).users).toEqual(['alice']);
});

test('.jailtrace -> an outside directory holding a record: refused, the outside record is never read', async () => {
  const outside = await jail('outside-a', record('/OUTSIDE', ['mallory']));
  const j = await jail('dotlink');
  await fs.symlink(path.join(outside, '.jailtrace'), path.join(j, '.jailtrace'));
  await expect(findJailRecord(j)).rejects.toThrow(/not reading the jail's record: .*symlink with an absolute target/);
  await expect(readJailRecord(j)).rejects.toBeInstanceOf(UsageError);
});

test('the record itself a symlink to an outside record: refused, not followed', async () => {
  const outside = await jail('outside-b', record('/OUTSIDE', ['mallory']));
  const j = await jail('filelink');
  await fs.mkdir(path.join(j, '.jailtrace'));
  await fs.symlink(path.join(outside, RECORD_FILE), path.join(j, RECORD_FILE));
  await expect(findJailRecord(j)).rejects.toThrow(`${path.join(j, RECORD_FILE)}: the jail's record is a symlink: not following it`);
});

test('a FIFO as the record: refused at once, never blocked on', async () => {
  const j = await jail('fifo');
  await fs.mkdir(path.join(j, '.jailtrace'));
  await execa('mkfifo', [path.join(j, RECORD_FILE)]);
  await expect(findJailRecord(j)).rejects.toThrow("the jail's record is not a regular file");
});

test('a damaged record is an error, not "no record"', async () => {
  const j = await jail('damaged');
  await fs.mkdir(path.join(j, '.jailtrace'));
  await fs.writeFile(path.join(j, RECORD_FILE), '{"schema": "jailtrace.jail/1", "entries": 3}');
  await expect(findJailRecord(j)).rejects.toThrow(/not a jailtrace.jail\/1 record/);
});
