import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './main.js';
import { commandPaths } from './reference.js';

describe('docs/cli.md', () => {
  it('documents every command the CLI has (regenerate with scripts/gen-cli-docs)', async () => {
    const doc = readFileSync('docs/cli.md', 'utf8');
    const missing = commandPaths(await buildProgram()).filter((path) => !doc.includes(`\`hindsight ${path}\``));
    expect(missing).toEqual([]);
  });
});
