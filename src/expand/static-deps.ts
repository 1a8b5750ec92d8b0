/** The static closure (`--with-static-deps`), as the expander needs it. */
import { staticClosure, type ClosureResult } from '../elf/closure.js';

export async function closureOf(roots: string[]): Promise<ClosureResult> {
  return staticClosure(roots, {});
}
