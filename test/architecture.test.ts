import { describe, expect, it } from 'vitest';
import type { ICruiseResult } from 'dependency-cruiser';
import { cruiseRepository, folderCycles, folderEdges, type FolderEdge } from './support/folder-graph.js';

describe('layering (docs/architecture.md, "Layers")', () => {
  let result: ICruiseResult;
  const cruised = async () => (result ??= await cruiseRepository());

  it('breaks none of the rules in .dependency-cruiser.cjs', async () => {
    const violations = (await cruised()).summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(violations).toEqual([]);
  }, 120_000);

  it('has no import cycle between top-level folders', async () => {
    expect(folderCycles(folderEdges(await cruised()))).toEqual([]);
  }, 120_000);

  it('finds a cycle when there is one, so the check above can fail', () => {
    const edges: FolderEdge[] = [
      { from: 'a', to: 'b', imports: 1 },
      { from: 'b', to: 'c', imports: 1 },
      { from: 'c', to: 'a', imports: 1 },
      { from: 'c', to: 'd', imports: 1 },
    ];
    expect(folderCycles(edges)).toEqual([['a', 'b', 'c']]);
    expect(folderCycles(edges.slice(0, 2))).toEqual([]);
  });
});
