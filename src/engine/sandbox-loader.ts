/**
 * Loads the QuickJS sandbox into the game lazily: only before an event that may run a community
 * function (a `round.compute` in a community that has published one), so no other command pays for
 * the WebAssembly. Everything that applies events (the engine, log replay, a member's follower, the
 * test harness) awaits `sandboxFor` before `apply`; the runner is a pure function, so when it was
 * loaded never changes what an event does.
 */
import type { GameState } from '../game/state.js';
import { installSandbox, needsSandbox, sandboxInstalled } from '../game/sandbox.js';

let loading: Promise<void> | null = null;

export function loadSandbox(): Promise<void> {
  return (loading ??= import('./quickjs-sandbox.js').then(async ({ quickJsRunner }) => installSandbox(await quickJsRunner())));
}

/** Resolves once the sandbox is ready if applying an event of `type` to `state` may need it. */
export async function sandboxFor(state: GameState, type: string): Promise<void> {
  if (!sandboxInstalled() && needsSandbox(state, type)) await loadSandbox();
}
