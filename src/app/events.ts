/**
 * What a use case says while it runs. The use cases return data and never print; what must appear mid-run (which
 * workload is being traced, a warning from a config) goes to the `OnEvent` callback the CLI supplies
 * (src/cli/events.ts shows each kind). A caller that wants none passes nothing. Progress has its own typed callback
 * where a stage reports it (build's `onProgress`: bytes done of the total, and the path).
 */
export type AppEvent =
  /** A remark for the admin (`jailtrace: TEXT` on stderr; dropped with -q). */
  | { kind: 'note'; text: string }
  /** Something that may need the admin's attention (`jailtrace: warning: TEXT`). */
  | { kind: 'warning'; text: string };

export type OnEvent = (e: AppEvent) => void;

/** The callback of a caller that shows nothing. */
export const ignoreEvents: OnEvent = () => {};

export const note = (text: string): AppEvent => ({ kind: 'note', text });
export const warning = (text: string): AppEvent => ({ kind: 'warning', text });
