import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';

/** The repository's import graph as dependency-cruiser sees it, with .dependency-cruiser.cjs's rules applied. */
export async function cruiseRepository(roots = ['src', 'bench', 'test']): Promise<ICruiseResult> {
  const config = await extractDepcruiseConfig('./.dependency-cruiser.cjs');
  const { output } = await cruise(roots, { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } });
  return output as ICruiseResult;
}

/** The folder a module belongs to: src/NAME, or bench / test. Tests count with the folder they test. */
export function folderOf(path: string): string | null {
  const m = /^src\/([^/]+)\//.exec(path);
  if (m) return m[1]!;
  return /^(bench|test)\//.exec(path)?.[1] ?? null;
}

export type FolderEdge = { from: string; to: string; imports: number };

/** Edges between top-level folders of product code (tests, benches and harnesses left out). */
export function folderEdges(result: ICruiseResult): FolderEdge[] {
  const counts = new Map<string, number>();
  for (const module of result.modules) {
    if (module.source.endsWith('.test.ts') || !module.source.startsWith('src/')) continue;
    const from = folderOf(module.source);
    for (const dependency of module.dependencies) {
      const to = folderOf(dependency.resolved);
      if (!from || !to || to === from) continue;
      const key = `${from} ${to}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].map(([key, imports]) => ({ from: key.split(' ')[0]!, to: key.split(' ')[1]!, imports })).sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** Strongly connected groups of more than one folder (Tarjan): each one is an import cycle. */
export function folderCycles(edges: FolderEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) cycles.push(group.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return cycles;
}
