/**
 * The manifest `parse --json` prints for every real Linux capture in traces/linux (and a repeat of the bench trace's
 * sources), as sha256 digests: test/parsers/parse-golden.test.ts compares them with test/fixtures/parse-golden.json,
 * made by main's build before the hot-path work of issue 14 (so the manifest stays byte for byte the same).
 * Regenerate only on purpose, from the build whose output is the reference:
 *   node dist/bench/parse-golden.js <that build's dist dir> > test/fixtures/parse-golden.json
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The bench's big trace repeats these captures (bench/bench.ts). */
export const BENCH_SOURCES = [
  'probe/f.strace',
  'probe/f-tt-T.strace',
  'probe/f-combo.strace',
  'sftp-server/f.strace',
  'scp-upload/f.strace',
  'sftp-server/f-tt-T-y.strace',
];

/** Every .strace file and every -ff directory under traces/linux, repo-relative, sorted. */
export function goldenInputs(repo: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const d of readdirSync(path.join(repo, rel), { withFileTypes: true })) {
      const r = path.join(rel, d.name);
      if (d.isDirectory()) {
        if (d.name === 'ff') out.push(r);
        else walk(r);
      } else if (d.name.endsWith('.strace')) out.push(r);
    }
  };
  walk('traces/linux');
  return out.sort();
}

/** Three rounds of the bench's sources in one file (what the 256 MiB trace repeats), written into `dir`. */
export function writeBenchUnit(repo: string, dir: string): string {
  const f = path.join(dir, 'bench-unit.strace');
  const one = Buffer.concat(BENCH_SOURCES.map((s) => readFileSync(path.join(repo, 'traces/linux', s))));
  writeFileSync(f, Buffer.concat([one, one, one]));
  statSync(f);
  return f;
}

type Parse = (args: string[], opts: { cwd: string }) => Promise<unknown>;
type WriteJson = (write: (chunk: string) => void, value: unknown) => void;

/** sha256 of `parse --json --cwd /` of one input, with the input's own location replaced by `<dir>/`. */
export async function manifestDigest(parse: Parse, writeJson: WriteJson, input: string, dir: string): Promise<string> {
  let text = '';
  try {
    writeJson((c) => (text += c), await parse([input], { cwd: '/' }));
  } catch (e) {
    text = `error: ${(e as Error).message}`;
  }
  return createHash('sha256')
    .update(text.split(dir + '/').join('<dir>/'))
    .digest('hex');
}

/** Digest of every input: the traces (repo-relative names) and `bench-unit`. */
export async function goldenDigests(repo: string, parse: Parse, writeJson: WriteJson): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jailtrace-golden-'));
  try {
    const out: Record<string, string> = {};
    for (const rel of goldenInputs(repo)) out[rel] = await manifestDigest(parse, writeJson, path.join(repo, rel), repo);
    out['bench-unit'] = await manifestDigest(parse, writeJson, writeBenchUnit(repo, dir), dir);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const dist = path.resolve(process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..'));
  const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const { parseTraces } = (await import(path.join(dist, 'src/trace.js'))) as { parseTraces: Parse };
  const { writeJson } = (await import(path.join(dist, 'src/json-stream.js'))) as { writeJson: WriteJson };
  console.log(JSON.stringify(await goldenDigests(repo, parseTraces, writeJson), null, 2));
}
