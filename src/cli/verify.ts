/** `jailtrace verify`'s report as text, and its exit code (src/app/verify.ts runs the rounds). */
import { EXIT, type ExitCode } from '../errors.js';
import type { VerifyReport } from '../app/verify.js';

/** Did a --fix round refuse or fail to write the jail (exit 3, like build)? */
const fixRefused = (r: VerifyReport): boolean => r.rounds.some((x) => (x.fixed?.refused.length ?? 0) > 0);

export function renderVerify(r: VerifyReport): string {
  const out: string[] = [];
  for (const round of r.rounds) {
    const failed = round.steps.filter((s) => !s.ok);
    out.push(`round ${round.round}: ${round.missing.length} missing, ${failed.length} of ${round.steps.length} workload steps failed`);
    for (const m of round.missing) {
      if (m.kind === 'record') {
        out.push(`  missing ${m.path}: ${m.detail ?? 'listed in the record, not in the jail'}`);
        continue;
      }
      const what =
        m.kind === 'interpreter'
          ? `interpreter of ${m.for} (its exec failed with ${m.errno})`
          : m.kind === 'permission'
            ? `permission denied (${m.errno})`
            : `${m.syscall} failed with ${m.errno}`;
      out.push(`  missing ${m.path}: ${what}, pid ${m.pid}, trace line ${m.line}`);
    }
    for (const x of round.notNeeded ?? []) out.push(`  not needed, not added: ${x.path}: ${x.why}`);
    for (const s of failed)
      out.push(
        `  step failed: ${s.description}${s.exitCode !== undefined ? ` (exit ${s.exitCode})` : ''}${s.signal ? ` (${s.signal})` : ''}${s.stderr ? `: ${s.stderr.trim().split('\n').slice(-2).join(' / ')}` : ''}`,
      );
    for (const s of round.symptoms) out.push(`  symptom "${s.line}": ${s.cause} (look at ${s.look})`);
    if (round.fixed)
      out.push(round.fixed.copied.length ? `  fixed: ${round.fixed.copied.length} put back (${round.fixed.copied.join(', ')})` : '  fixed: nothing put back');
    for (const x of round.fixed?.refused ?? []) out.push(`  ${x.result}: ${x.path}${x.detail ? ` — ${x.detail}` : ''}`);
    if (round.stopped) {
      out.push(`  stopped: ${round.stopped.why}${round.stopped.unfixed.length ? '. Still missing:' : ''}`);
      for (const x of round.stopped.unfixed) out.push(`    ${x.path}: ${x.why}`);
    }
  }
  out.push(
    r.ok
      ? `${r.jail}: the workload works in the jail`
      : `${r.jail}: NOT working${r.rounds.some((x) => x.fixed) ? '' : ' (jailtrace verify --fix copies what is missing)'}`,
  );
  return out.join('\n') + '\n';
}

/** 0 when the workload works in the jail, 3 when a --fix round could not write the jail, else 1 (something missing). */
export const verifyExit = (r: VerifyReport): ExitCode => (r.ok ? EXIT.OK : fixRefused(r) ? EXIT.APPLY : EXIT.FOUND);
