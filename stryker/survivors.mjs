#!/usr/bin/env node
/**
 * node stryker/survivors.mjs <area> [file-substring]: the mutants of the last `npm run mutate -- <area>` that no test
 * killed (Survived, NoCoverage), one line each: file:line:col mutator `original` → `replacement`.
 */
import fs from 'node:fs';

const [area, only = ''] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(`reports/mutation/${area}.json`, 'utf8'));
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  if (!file.includes(only)) continue;
  const lines = source.split('\n');
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const { start, end } = m.location;
    const orig = start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)}…`;
    const cut = (s) => (s.length > 90 ? `${s.slice(0, 87)}...` : s).replace(/\s+/g, ' ');
    console.log(
      `${file}:${start.line}:${start.column} ${m.status === 'NoCoverage' ? '[no cover] ' : ''}${m.mutatorName} \`${cut(orig)}\` → \`${cut(m.replacement ?? '')}\``,
    );
  }
}
