/** Known symptoms in a workload's stderr, mapped to their usual cause (rows, first match wins per line). */
export interface Symptom {
  pattern: RegExp;
  cause: string;
  look: string;
}

export const SYMPTOMS: readonly Symptom[] = [
  {
    pattern: /unknown user|No user found for uid|no such user|getpw\w+ failed/i,
    cause: "the user is not in the jail's passwd, or the NSS module/nsswitch.conf is missing",
    look: '/etc/passwd, /etc/nsswitch.conf, libnss_files',
  },
  {
    pattern: /Couldn't open \/dev\/null|\/dev\/null: (Permission denied|No such file)/i,
    cause: '/dev/null is missing or is not a device node',
    look: '/dev/null',
  },
  { pattern: /error expanding arguments|wordexp/i, cause: 'wordexp() could not run its shell in the jail', look: '/bin/sh (and its loader and libraries)' },
  {
    pattern: /Connection closed|Connection reset/i,
    cause: 'the server died at start: a missing library, loader or shell is the usual reason',
    look: 'the files listed as missing above',
  },
  { pattern: /error while loading shared libraries: ([^:]+)/, cause: 'a shared library is missing', look: 'the named library' },
  { pattern: /No such file or directory/, cause: 'a program or file the workload needs is missing', look: 'the files listed as missing above' },
  { pattern: /cannot open (shared object|file)|not found/i, cause: 'a file the program looks for is missing', look: 'the files listed as missing above' },
];

export function symptomsIn(stderr: string): Array<{ line: string; cause: string; look: string }> {
  const out: Array<{ line: string; cause: string; look: string }> = [];
  const seen = new Set<string>();
  for (const line of stderr.split('\n')) {
    const s = SYMPTOMS.find((x) => x.pattern.test(line));
    if (s && !seen.has(s.cause)) {
      seen.add(s.cause);
      out.push({ line: line.trim(), cause: s.cause, look: s.look });
    }
  }
  return out;
}
