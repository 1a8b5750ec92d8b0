/**
 * `JSON.stringify(value, null, 2)` in pieces, byte for byte the same text. A manifest of a million paths is a few
 * hundred MB of JSON: as one string it doubles the peak memory and, past V8's string limit (~512M chars), cannot be
 * made at all. Arrays and objects are walked to a small depth; what lies deeper is stringified whole, the items of an
 * array BATCH at a time (one call per entry or process, with its re-indent, cost 10x JSON.stringify of the manifest).
 */
const DEPTH = 2;
const BATCH = 64;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

/** JSON.stringify's rule: these object members are left out, these array items become null. */
const omitted = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

export function* jsonPieces(value: unknown, indent = '', depth = 0): Generator<string> {
  const inner = indent + '  ';
  if (depth < DEPTH && Array.isArray(value) && value.length > 0) {
    yield '[\n';
    if (depth + 1 >= DEPTH) {
      // `[\n  a,\n  b\n]` → `  a,\n  b`, indented by `indent`: the same text as item by item
      for (let i = 0; i < value.length; i += BATCH) {
        const text = JSON.stringify(value.slice(i, i + BATCH), null, 2);
        const body = text.slice(2, -2);
        yield (i === 0 ? indent : `,\n${indent}`) + (indent === '' ? body : body.replace(/\n/g, `\n${indent}`));
      }
      yield `\n${indent}]`;
      return;
    }
    for (let i = 0; i < value.length; i++) {
      yield i === 0 ? inner : `,\n${inner}`;
      const v = value[i];
      if (omitted(v)) yield 'null';
      else yield* jsonPieces(v, inner, depth + 1);
    }
    yield `\n${indent}]`;
    return;
  }
  if (depth < DEPTH && isPlain(value)) {
    const keys = Object.keys(value).filter((k) => !omitted(value[k]));
    if (keys.length > 0) {
      yield '{\n';
      for (const [i, k] of keys.entries()) {
        yield `${i === 0 ? '' : ',\n'}${inner}${JSON.stringify(k)}: `;
        yield* jsonPieces(value[k], inner, depth + 1);
      }
      yield `\n${indent}}`;
      return;
    }
  }
  const text = JSON.stringify(value, null, 2);
  yield indent === '' ? text : text.replace(/\n/g, `\n${indent}`);
}

/** Write `value` as pretty JSON and a newline, in chunks of about 1 MiB. */
export function writeJson(write: (chunk: string) => void, value: unknown): void {
  let batch: string[] = [];
  let size = 0;
  for (const piece of jsonPieces(value)) {
    batch.push(piece);
    size += piece.length;
    if (size >= 1 << 20) {
      write(batch.join(''));
      batch = [];
      size = 0;
    }
  }
  batch.push('\n');
  write(batch.join(''));
}
