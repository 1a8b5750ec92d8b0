/** A trace of a program that refused to be traced: no session happened. Exit 4 (the tracer's run failed). */
import { EXIT, JailtraceError } from '../errors.js';

/** Where and how a program refused its tracer, and the capture route that works on its platform. */
export interface Refusal {
  file?: string;
  line: number;
  pid: number;
  /** The call as the trace shows it, and its errno. */
  call: string;
  errno?: string;
  /** The fatal() text, when the trace shows the program logging it. */
  message?: string;
  why: string;
  route: string;
}

export class UntraceableError extends JailtraceError {
  constructor(readonly refusal: Refusal) {
    const where = `${refusal.file ?? 'trace'}:${refusal.line}`;
    const said = refusal.message ? `, and it logged "${refusal.message}"` : '';
    super(
      where,
      `pid ${refusal.pid} refused to be traced: ${refusal.call} failed${refusal.errno ? ` with ${refusal.errno}` : ''}${said}. ${refusal.why}`,
      `this trace holds no session to build a jail from; capture it the way that works here: ${refusal.route}`,
      EXIT.TRACER,
    );
  }
}
