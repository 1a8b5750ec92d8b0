import { expect, test } from 'vitest';
import { shQuote } from '../src/sh-quote.js';

test('shQuote: one word for sh, whatever it holds', () => {
  expect(shQuote("it's")).toBe("'it'\\''s'");
  expect(shQuote('a\nb $HOME `id` \\')).toBe("'a\nb $HOME `id` \\'");
  expect(shQuote('')).toBe("''");
});
