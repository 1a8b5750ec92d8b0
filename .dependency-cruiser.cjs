/**
 * The arrows of docs/design.md, checked by `npm run lint` (dependency-cruiser). Type-only imports count: a type from
 * the CLI is an arrow into the CLI all the same. "Only src/jail/ writes" is a rule about which names a module imports
 * from node:fs, which dependency-cruiser cannot see: scripts/lint-fs-writes.mjs checks it.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle means two modules are one: merge them, or move the shared piece below both.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-below-the-cli-imports-it',
      comment:
        'src/cli.ts and src/cli/ (commander, rendering, exit codes) sit on top: use cases (src/app/) and the stages return data and never import them.',
      severity: 'error',
      from: { path: '^(src|parsers)/', pathNot: '^src/(cli/|cli\\.ts$)' },
      to: { path: '^src/(cli/|cli\\.ts$)' },
    },
    {
      name: 'use-cases-below-the-cli-only',
      comment: 'src/app/ (the use cases) is called by the CLI; the stages below it never reach up into it.',
      severity: 'error',
      from: { path: '^(src|parsers)/', pathNot: '^src/(cli/|cli\\.ts$|app/)' },
      to: { path: '^src/app/' },
    },
    {
      name: 'parsers-are-a-leaf',
      comment: 'parsers/ take bytes and return records: they import nothing from src/.',
      severity: 'error',
      from: { path: '^parsers/' },
      to: { path: '^src/' },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports is dead (entry points and declaration files aside).',
      severity: 'error',
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '^src/cli\\.ts$', '^src/cli/docgen/gen-man\\.ts$', '^bench/'] },
      to: {},
    },
    {
      name: 'not-to-dev-dep',
      comment: 'What ships (src/, parsers/) uses only dependencies, never devDependencies.',
      severity: 'error',
      from: { path: '^(src|parsers)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
