/**
 * Paths a program opens only when something else failed: not needs. A jail that gets them gains nothing (and a console
 * device), and the workload fails the same way, so build never copies them and verify --fix never adds them. Rows:
 * the path, and why it is not a need (with what the program really lacked).
 */
export interface Fallback {
  pattern: RegExp;
  why: string;
}

export const FALLBACKS: readonly Fallback[] = [
  {
    // glibc syslog() with LOG_CONS (rssh, rssh_chroot_helper): when /dev/log cannot be reached it writes to the console
    pattern: /^\/dev\/console$/,
    why: "syslog's LOG_CONS fallback, used only when /dev/log cannot be reached: a jail never needs the console (give it a /dev/log socket to keep the logs, see build's socket advice)",
  },
];

/** Why `p` is a fallback and not a need; undefined when it may be a need. */
export const fallbackOf = (p: string): string | undefined => FALLBACKS.find((f) => f.pattern.test(p))?.why;
