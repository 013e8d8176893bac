import type { Command } from 'commander';

/**
 * Each area registers its own commands. A module is loaded only when the command line names one
 * of its top-level commands (or asks for help), so `hindsight key new` does not pay for importing
 * the ZK toolchain. Add one entry per commands file: its top-level command names and its loader.
 */
export type CommandModule = (program: Command) => void;
export type CommandEntry = { names: string[]; load: () => Promise<{ register: CommandModule }> };

export const commandEntries: CommandEntry[] = [
  { names: ['init', 'events', 'replay'], load: () => import('./foundation.js') },
  { names: ['key'], load: () => import('./key.js') },
  { names: ['up'], load: () => import('./up.js') },
  { names: ['model', 'round', 'trade', 'market', 'leaderboard', 'treasury', 'ledger'], load: () => import('./market.js') },
  { names: ['bench'], load: () => import('./bench.js') },
  { names: ['chain'], load: () => import('./chain.js') },
  { names: ['community'], load: () => import('./community.js') },
  { names: ['ml'], load: () => import('./ml.js') },
  { names: ['fl'], load: () => import('./fl.js') },
  { names: ['member', 'item', 'label', 'committee', 'data'], load: () => import('./committee.js') },
  { names: ['node'], load: () => import('./node.js') },
  { names: ['demo'], load: () => import('./demo.js') },
  { names: ['operator'], load: () => import('./operator.js') },
  { names: ['predict', 'verify', 'model', 'zk'], load: () => import('./zk.js') },
  // After market.js: adds `round compute` to its `round` command.
  { names: ['access', 'round'], load: () => import('./access.js') },
];
