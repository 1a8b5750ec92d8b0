/** How the CLI shows a use case's events (src/app/events.ts): one row per kind. */
import type { AppEvent, OnEvent } from '../app/events.js';
import type { Output } from './output.js';

/** The line each kind makes on stderr (through Output.note: `jailtrace: ` before it, dropped with -q). */
const LINE: { [K in AppEvent['kind']]: (text: string) => string } = {
  note: (text) => text,
  warning: (text) => `warning: ${text}`,
};

/** The callback a command hands its use case. */
export function showEvents(out: Output): OnEvent {
  return (e) => out.note(LINE[e.kind](e.text));
}
