/**
 * Read the hand-checked path lists of a shared sample's `.source.md`. Two shapes occur:
 *
 *   ### Successfully touched            ### Failed (ENOENT and the like)
 *   - **open**:                           - `/etc/libmap.conf` - open, No such file or directory (line 3)
 *     - `/var/run/ld-elf.so.hints` (line 4)
 *
 * and a free-form pair of lines `ok: exec /usr/bin/ls (several runs); stat /lib/libsec.so.1` / `failed: none`.
 */
export interface Expectation {
  path: string;
  line?: number;
  /** The kind heading (`open`, `stat`, `resolved`, `connect_unix`...) or the op of a failure. */
  kind?: string;
}

export function readSourceMd(text: string): { ok: Expectation[]; failed: Expectation[] } {
  const ok: Expectation[] = [];
  const failed: Expectation[] = [];
  let section: 'ok' | 'failed' | undefined;
  let kind: string | undefined;
  for (const line of text.split('\n')) {
    if (/^#+ /.test(line)) {
      section = /^#+ Successfully/i.test(line) ? 'ok' : /^#+ Failed/i.test(line) ? 'failed' : undefined;
      continue;
    }
    const free = /^(ok|failed):\s*(.*)$/i.exec(line);
    if (free) {
      const into = free[1].toLowerCase() === 'ok' ? ok : failed;
      for (const m of free[2].matchAll(/(?:^|\s)(\/[^\s;,()]+)/g)) into.push({ path: m[1] });
      continue;
    }
    if (!section) continue;
    const heading = /^- \*\*([\w-]+)\*\*:/.exec(line);
    if (heading) {
      kind = heading[1];
      continue;
    }
    const item = /^\s*- `([^`]+)`(?: - (\w+))?/.exec(line);
    if (item) {
      const e: Expectation = { path: item[1], kind: item[2] ?? kind };
      const at = /\(line (\d+)\)\s*$/.exec(line);
      if (at) e.line = Number(at[1]);
      (section === 'ok' ? ok : failed).push(e);
    }
  }
  return { ok, failed };
}
