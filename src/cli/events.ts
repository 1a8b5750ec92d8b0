/** How the CLI shows a use case's events (src/app/events.ts): one row per kind. */
import type { AppEvent, OnEvent } from '../app/events.js';
import type { Output } from './output.js';

type Shown = { [K in AppEvent['kind']]: (out: Output, e: Extract<AppEvent, { kind: K }>, progress?: ReturnType<Output['progress']>) => void };

const SHOW: Shown = {
  note: (out, e) => out.note(e.text),
  warning: (out, e) => out.note(`warning: ${e.text}`),
  progress: (_out, e, progress) => progress?.update(e.done, e.total),
};

/** The callback a command hands its use case; `progress` is the TTY progress line that progress events move. */
export function showEvents(out: Output, progress?: ReturnType<Output['progress']>): OnEvent {
  return (e) => (SHOW[e.kind] as (out: Output, e: AppEvent, progress?: ReturnType<Output['progress']>) => void)(out, e, progress);
}
