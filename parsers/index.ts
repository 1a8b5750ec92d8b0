/** Every dialect jailtrace reads. (Minimal version: the truss/dtruss/kdump dialects are added beside strace.) */
import { strace } from './strace.js';
import type { Dialect, DialectName } from './types.js';

export const DIALECTS: readonly Dialect[] = [strace];

export function dialectByName(name: string): Dialect | undefined {
  return DIALECTS.find((d) => d.name === (name as DialectName));
}
