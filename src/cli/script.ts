/** `jailtrace script`'s summary lines (src/app/script.ts makes the script). */
import type { ScriptReport } from '../app/script.js';
import { platformInfo } from '../platforms/index.js';

export function renderScriptSummary(r: ScriptReport, verbose = false): string[] {
  const n = r.needs;
  const count = (k: string) => n.needs.filter((x) => x.kind === k).length;
  const lines = [
    `${r.platform} script: ${count('exec')} programs (with their #! interpreters and the libraries the host's tools list), ` +
      `${count('need')} other paths, ${count('want')} loader/NSS pieces if present${n.accounts ? ', filtered passwd/group and homes' : ''}; ` +
      `every directory, symlink and device on the way as the host has it`,
  ];
  for (const w of n.warnings) lines.push(`warning: ${w}`);
  if (n.chrooted) lines.push("the traces chroot: paths used inside the chroot are fetched from the host's root; paths used outside it are not jail content");
  const shown = verbose ? n.leftOut : n.leftOut.slice(0, 12);
  for (const l of shown) lines.push(`not in the script: ${l.path}: ${l.why}`);
  if (n.leftOut.length > shown.length) lines.push(`… ${n.leftOut.length - shown.length} more left out (-v lists them)`);
  if (n.sockets.length > 0) {
    lines.push(`sockets (${n.sockets.join(', ')}): a server makes them; for logging from inside the jail:`);
    for (const s of platformInfo(r.platform).syslog) lines.push(`  ${s}`);
  }
  return lines;
}
