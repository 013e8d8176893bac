// Prints the folder dependency graph of src/ (edges with import counts, then cycles) for
// docs/architecture.md: node --import tsx scripts/folder-graph.mts
import { cruiseRepository, folderCycles, folderEdges } from '../test/support/folder-graph.js';

const edges = folderEdges(await cruiseRepository(['src']));
for (const e of edges) console.log(`${e.from} -> ${e.to} (${e.imports})`);
const cycles = folderCycles(edges);
console.log(cycles.length ? `cycles: ${cycles.map((c) => c.join(' ↔ ')).join('; ')}` : 'cycles: none');
