import type { Command } from 'commander';
import { register as foundation } from './foundation.js';
import { register as fl } from './fl.js';
import { register as node } from './node.js';

/** Each area registers its own commands; add one line per commands file. */
export type CommandModule = (program: Command) => void;

export const commandModules: CommandModule[] = [
  foundation,
  fl,
  node,
];
