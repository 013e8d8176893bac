/**
 * The layering rules of docs/architecture.md ("Layers"), checked by test/architecture.test.ts on
 * every `npm test` (and by hand: npx depcruise src bench test --config .dependency-cruiser.cjs).
 * Folder-level cycles are checked by the test itself, on the folder graph it derives from the cruise.
 */
const notTest = '\\.test\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'game-is-pure',
      comment: 'The game is a pure function of the log: it may use the encoding, the events, the market maths and the proof statement, nothing with I/O.',
      severity: 'error',
      from: { path: '^src/game/', pathNot: notTest },
      to: { path: '^src/', pathNot: '^src/(game|core|events|market|statement)/' },
    },
    {
      name: 'game-no-io-builtins',
      comment: 'No clock, file, network or process access inside the game (node:crypto for hashing is allowed).',
      severity: 'error',
      from: { path: '^src/(game|market|statement)/', pathNot: notTest },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?crypto$' },
    },
    {
      name: 'market-and-statement-are-leaves',
      comment: 'The market maths needs only core; the proof statement only core and the market maths.',
      severity: 'error',
      from: { path: '^src/(market|statement)/', pathNot: notTest },
      to: { path: '^src/', pathNot: '^src/(core|market|statement)/' },
    },
    {
      name: 'events-need-only-core-and-the-statement',
      comment: 'Event schemas use the encoding and the proof statement (model hash and signal layout formats).',
      severity: 'error',
      from: { path: '^src/events/', pathNot: notTest },
      to: { path: '^src/', pathNot: '^src/(core|events|statement)/' },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      from: { path: '^src/core/', pathNot: notTest },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'nothing-imports-the-cli',
      comment: 'The CLI is the top: product code below it never imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'clients-do-not-import-the-http-node',
      comment: 'The SDK and the simulator drive the engine (in process) or a node over HTTP, never the HTTP adapter itself.',
      severity: 'error',
      from: { path: '^src/(sdk|sim|engine)/', pathNot: notTest },
      to: { path: '^src/node/' },
    },
    {
      name: 'product-code-does-not-import-benches-or-tests',
      comment: 'bench/ and test/ are not built into dist/.',
      severity: 'error',
      from: { path: '^src/', pathNot: notTest },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'product-code-does-not-import-dev-dependencies',
      comment: 'dist/ must run after npm ci --omit=dev.',
      severity: 'error',
      from: { path: '^src/', pathNot: notTest },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'] },
  },
};
