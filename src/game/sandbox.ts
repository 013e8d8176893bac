/**
 * The game's port to the sandbox that runs community-written resolution functions. The game does
 * not load it (that is WebAssembly and file reads, src/engine/quickjs-sandbox.ts): whoever applies
 * events installs a runner first (src/engine/sandbox-loader.ts), only when a community uses one.
 * A runner is a pure function of (source, entry, input, budget) — no clock, randomness or I/O
 * inside, a step budget rather than a time limit — so every node computes the same outcomes.
 */
import { InternalError } from '../core/errors.js';
import type { GameState } from './state.js';

export type SandboxBudget = { steps: number; memoryBytes: number };
export type SandboxRun = { ok: true; json: string; steps: number } | { ok: false; reason: string; steps: number };
/** Evaluates `source`, then `JSON.stringify(<entry>(JSON.parse(input)))`; never throws. */
export type SandboxRunner = (source: string, entry: string, input: string, budget: SandboxBudget) => SandboxRun;

let runner: SandboxRunner | null = null;

export function installSandbox(r: SandboxRunner): void {
  runner = r;
}

export function sandboxInstalled(): boolean {
  return runner !== null;
}

/** True when applying an event of this type may run a community function: only round.compute, once one is published. */
export function needsSandbox(state: GameState, type: string): boolean {
  return type === 'round.compute' && (state.rules?.functions.size ?? 0) > 0;
}

export function runSandboxed(source: string, entry: string, input: string, budget: SandboxBudget): SandboxRun {
  // Not a rejection: recording a different outcome because a node forgot to load the sandbox would
  // fork the log's meaning, so the host's apply fails loudly instead.
  if (!runner) throw new InternalError('internal.invariant', 'the resolution sandbox is not loaded: await sandboxFor(state, type) before applying this event');
  return runner(source, entry, input, budget);
}
