import type { Command } from 'commander';
import { printResult } from '../output.js';
import { expectedGot } from '../../core/errors.js';
import { epsilonFor } from '../../fl/rdp.js';

function num(field: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw expectedGot('cli.invalid', field, 'a number', text);
  return value;
}

export function register(program: Command): void {
  const fl = program.command('fl').description('Federated learning: privacy accounting, secure aggregation, demo');

  fl.command('epsilon')
    .description('ε of the sampled Gaussian mechanism at δ (RDP accountant, same formulas as Opacus / TF Privacy)')
    .requiredOption('--q <rate>', 'sampling rate per step (clients per round / population)')
    .requiredOption('--sigma <multiplier>', 'noise multiplier (noise std / clipping norm)')
    .requiredOption('--steps <n>', 'number of steps (rounds)')
    .option('--delta <delta>', 'target δ', '1e-5')
    .option('--json', 'print one JSON object')
    .action((opts: { q: string; sigma: string; steps: string; delta: string; json?: boolean }) => {
      const params = { q: num('q', opts.q), sigma: num('sigma', opts.sigma), steps: num('steps', opts.steps), delta: num('delta', opts.delta) };
      const { epsilon, alpha } = epsilonFor(params);
      printResult({ epsilon, alpha }, opts, () => `ε = ${epsilon.toFixed(4)} at δ = ${params.delta} (optimal RDP order α = ${alpha})`);
    });
}
