/**
 * How the CLI shows a use case's events (src/cli/events.ts): a note is `jailtrace: TEXT` on stderr, a warning
 * `jailtrace: warning: TEXT`, both dropped with -q.
 */
import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { note, warning } from '../../src/app/events.js';
import { showEvents } from '../../src/cli/events.js';
import { makeOutput } from '../../src/cli/output.js';

function sink(): Writable & { text: string; isTTY?: boolean } {
  const w = new Writable({
    write(chunk, _enc, done) {
      w.text += String(chunk);
      done();
    },
  }) as Writable & { text: string; isTTY?: boolean };
  w.text = '';
  return w;
}

describe('showEvents', () => {
  test('a note and a warning go to stderr in the usual shape; stdout stays empty', () => {
    const [stdout, stderr] = [sink(), sink()];
    const on = showEvents(makeOutput(stdout, stderr, {}));
    on(note('tracing the sftp workload as alice…'));
    on(warning('rssh.conf:3: unknown keyword'));
    expect(stderr.text).toBe('jailtrace: tracing the sftp workload as alice…\njailtrace: warning: rssh.conf:3: unknown keyword\n');
    expect(stdout.text).toBe('');
  });

  test('-q drops both', () => {
    const [stdout, stderr] = [sink(), sink()];
    const on = showEvents(makeOutput(stdout, stderr, {}, { quiet: true }));
    on(note('n'));
    on(warning('w'));
    expect(stderr.text + stdout.text).toBe('');
  });
});
