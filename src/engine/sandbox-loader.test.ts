/**
 * The QuickJS sandbox is loaded by the engine, lazily: importing the game or the engine does not
 * load it, an event that cannot run a community function never loads it, and applying one that
 * would, without the sandbox, fails loudly instead of recording a different outcome.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { loadSandbox, sandboxFor } from './sandbox-loader.js';
import { needsSandbox, runSandboxed, sandboxInstalled } from '../game/sandbox.js';
import { emptyState } from '../game/state.js';

const budget = { steps: 1_000, memoryBytes: 4 << 20 };

describe('sandbox loader', () => {
  it('is not loaded by importing the engine, nor for events that cannot need it; then loads once, on demand', async () => {
    expect(typeof Engine).toBe('function');
    expect(sandboxInstalled()).toBe(false);
    const state = emptyState();
    await sandboxFor(state, 'round.compute'); // no function published: nothing to load
    expect(sandboxInstalled()).toBe(false);
    expect(() => runSandboxed('function f(x) { return x; }', 'f', '1', budget)).toThrow(/not loaded/);

    state.rules = { functions: new Map([['h', { name: 'f', source: 'function f(x) { return x; }', by: 'did:key:z' }]]), schedule: [], proposals: new Map() };
    expect(needsSandbox(state, 'trade.commit')).toBe(false);
    expect(needsSandbox(state, 'round.compute')).toBe(true);
    await sandboxFor(state, 'round.compute');
    expect(sandboxInstalled()).toBe(true);
    expect(runSandboxed('function f(x) { return x + 1; }', 'f', '41', budget)).toEqual({ ok: true, json: '42', steps: expect.any(Number) });
    const same = loadSandbox();
    expect(loadSandbox()).toBe(same); // one load per process
  });
});
