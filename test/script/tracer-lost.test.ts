/** The generated script says when it was made from a trace the tracer lost (issue 19), and only then. */
import { describe, expect, test } from 'vitest';
import { scriptCommand } from '../../src/app/script.js';
import { renderScriptSummary } from '../../src/cli/script.js';

const base = { users: [], cwd: '/', excludes: [], keepSetuid: [], version: '9.9.9', jail: '/var/jail' };

describe('made from a trace the tracer lost', () => {
  test('the script header and the command summary name the file and line of the cut', async () => {
    const r = await scriptCommand(['traces/dtrace-macos/sftp-deny.dtrace'], base);
    const note = 'made from a trace the tracer lost: traces/dtrace-macos/sftp-deny.dtrace:12: the tracer lost the process here; later needs are missing';
    expect(r.script).toContain(`# WARNING: ${note}`);
    expect(renderScriptSummary(r).some((l) => l.startsWith(`warning: ${note}`))).toBe(true);
  });
  test('a trace the tracer kept has no such note', async () => {
    const r = await scriptCommand(['traces/dtrace-freebsd/sftp-session.dtrace'], base);
    expect(r.script).not.toContain('the tracer lost');
  });
});
