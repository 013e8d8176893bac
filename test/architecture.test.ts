import { describe, expect, it } from 'vitest';
import type { ICruiseResult } from 'dependency-cruiser';
import { cruiseRepository, folderCycles, folderEdges, type FolderEdge } from './support/folder-graph.js';

/** The ladder of docs/architecture.md, "Layers": a folder imports only folders on lower rungs. A new folder must be placed here. */
const RUNGS: Record<string, number> = {
  core: 0,
  market: 1, crypto: 1, store: 1, chain: 1,
  statement: 2,
  events: 3, ml: 3,
  game: 4, zk: 4, fl: 4,
  engine: 5,
  sdk: 6,
  node: 7, sim: 7,
  cli: 8,
};

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

  it('only imports down the ladder drawn in docs/architecture.md', async () => {
    const upward = folderEdges(await cruised())
      .filter((e) => !(RUNGS[e.from]! > RUNGS[e.to]!))
      .map((e) => `${e.from} (rung ${RUNGS[e.from] ?? '?'}) → ${e.to} (rung ${RUNGS[e.to] ?? '?'})`);
    expect(upward).toEqual([]);
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
