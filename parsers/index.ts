/** Every dialect parser, in auto-detection tie-break order. */
import { dtraceFreebsd, dtraceMacos } from './dtrace.js';
import { dtruss } from './dtruss.js';
import { kdump } from './kdump.js';
import { strace } from './strace.js';
import { trussAix } from './truss-aix.js';
import { trussFreebsd } from './truss-freebsd.js';
import { trussSolaris } from './truss-solaris.js';
import type { Dialect, DialectName } from './types.js';

export const DIALECTS: readonly Dialect[] = Object.freeze([strace, trussSolaris, trussAix, trussFreebsd, dtruss, kdump, dtraceFreebsd, dtraceMacos]);

export function dialectByName(name: string): Dialect | undefined {
  return DIALECTS.find((d) => d.name === (name as DialectName));
}
