import type { Command } from 'commander';
import { printResult } from '../output.js';
import { expectedGot } from '../../core/errors.js';
import { gaussianEpsilon } from '../../fl/privacy/gaussian-dp.js';
import { epsilonFor } from '../../fl/privacy/rdp.js';
import { registerFlNode } from './fl-node.js';

function num(field: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw expectedGot('cli.invalid', field, 'a number', text);
  return value;
}

export function register(program: Command): void {
  const fl = program.command('fl').description('Federated learning: privacy accounting, secure aggregation, demo, controllers over a node');
  registerFlNode(fl);

  fl.command('epsilon')
    .description('ε of the sampled Gaussian mechanism at δ (RDP accountant, same formulas as Opacus / TF Privacy); with --q 1 also the exact figure, exactEpsilon')
    .requiredOption('--q <rate>', 'sampling rate per step (clients per round / population)')
    .requiredOption('--sigma <multiplier>', 'noise multiplier (noise std / clipping norm)')
    .requiredOption('--steps <n>', 'number of steps (rounds)')
    .option('--delta <delta>', 'target δ', '1e-5')
    .option('--json', 'print one JSON object')
    .action((opts: { q: string; sigma: string; steps: string; delta: string; json?: boolean }) => {
      const params = { q: num('q', opts.q), sigma: num('sigma', opts.sigma), steps: num('steps', opts.steps), delta: num('delta', opts.delta) };
      const { epsilon, alpha } = epsilonFor(params);
      // Without sampling the exact curve exists (gaussian-dp.ts); it is what `fl demo` reports.
      const exactEpsilon = params.q === 1 && Number.isInteger(params.steps) && params.steps >= 1 ? gaussianEpsilon(params) : undefined;
      printResult({ epsilon, alpha, ...(exactEpsilon === undefined ? {} : { exactEpsilon }) }, opts, () =>
        [`ε = ${epsilon.toFixed(4)} at δ = ${params.delta} (optimal RDP order α = ${alpha})`, ...(exactEpsilon === undefined ? [] : [`exact (no sampling): ε = ${exactEpsilon.toFixed(4)}`])].join('\n'),
      );
    });

  fl.command('demo')
    .description('Federated spam filter: non-IID controllers, DP + secure aggregation, dropouts, a poisoner, payments')
    .option('--clients <n>', 'number of data controllers (≥ 20)')
    .option('--rounds <n>', 'training rounds')
    .option('--seed <n>', 'seed', '1')
    .option('--json', 'print one JSON object')
    .action(async (opts: { clients?: string; rounds?: string; seed: string; json?: boolean }) => {
      const { runDemo } = await import('../../fl/demo.js');
      const clients = opts.clients === undefined ? undefined : num('clients', opts.clients);
      if (clients !== undefined && !(Number.isInteger(clients) && clients >= 20)) throw expectedGot('cli.invalid', 'clients', 'an integer ≥ 20', opts.clients);
      const rounds = opts.rounds === undefined ? undefined : num('rounds', opts.rounds);
      if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1)) throw expectedGot('cli.invalid', 'rounds', 'a positive integer', opts.rounds);
      const { details, ...summary } = await runDemo({ clients, rounds, seed: num('seed', opts.seed) });
      printResult(summary, opts, () =>
        [
          `federated spam filter: ${summary.clients} controllers, ${details.rounds} rounds, secure aggregation ${summary.secureAggregation ? 'on' : 'off'}, ${summary.dropouts} dropouts`,
          `accuracy ${(100 * summary.accuracy).toFixed(2)} % (centralized baseline ${(100 * summary.baselineAccuracy).toFixed(2)} %)`,
          `privacy ε = ${summary.epsilon.toFixed(3)} at δ = ${summary.delta} (σ = ${details.noiseMultiplier.toFixed(3)}, clip ${details.clipNorm})`,
          `poisoner ${details.poisoner}${details.oversized.includes(details.poisoner) ? ' (found sending oversized updates, banned)' : ''} paid ${summary.payments.find((p) => p.did === details.poisoner)?.amount ?? 0n} micro-units`,
          `paid: ${summary.payments.filter((p) => p.amount > 0n).length} of ${summary.payments.length} controllers`,
        ].join('\n'),
      );
    });
}
