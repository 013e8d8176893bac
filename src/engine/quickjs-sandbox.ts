/**
 * The sandbox that runs community-written resolution functions: QuickJS compiled to WebAssembly
 * (quickjs-emscripten). No I/O (a bare context has no std/os modules), no clock and no randomness
 * (the prelude removes the global clock and random source), a heap limit, a stack limit, and a
 * step budget counted by the interrupt handler — QuickJS calls it after a fixed number of bytecode
 * operations, so the budget is a count of work, not of wall time, and a replay stops at the same
 * point. Everything a run does is a pure function of (source, input, budget), which is why the
 * game may call it inside apply().
 *
 * Loading the WebAssembly costs file reads and start-up time, so it happens here, outside the
 * game, and only when an event needs it (sandbox-loader.ts). Each run gets a fresh runtime, so
 * nothing carries over from one run to the next; a run that throws, loops, runs out of memory or
 * returns something that is not JSON text comes back as { ok: false, reason } — it never throws
 * into the host.
 */
import { getQuickJS, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten';
import type { SandboxBudget, SandboxRun, SandboxRunner } from '../game/sandbox.js';

const STACK_BYTES = 512 * 1024;
const PRELUDE = `"use strict"; delete Math.random; delete globalThis.Date; delete globalThis.WeakRef; delete globalThis.FinalizationRegistry;`;

/** Loads the WebAssembly module once and returns a runner over it. */
export async function quickJsRunner(): Promise<SandboxRunner> {
  const quickjs = await getQuickJS();
  return (source, entry, input, budget) => runSandboxed(quickjs, source, entry, input, budget);
}

function errorText(ctx: QuickJSContext, handle: QuickJSHandle): string {
  try {
    const e = ctx.dump(handle) as { name?: unknown; message?: unknown } | unknown;
    if (e && typeof e === 'object' && 'message' in e) return `${String((e as { name?: unknown }).name ?? 'Error')}: ${String(e.message)}`.slice(0, 300);
    return `threw ${JSON.stringify(e) ?? String(e)}`.slice(0, 300);
  } catch {
    return 'threw an unreadable value';
  }
}

/**
 * Evaluates `source`, then `JSON.stringify(<entry>(JSON.parse(input)))`, and returns that text.
 * `input` is JSON text built by the host.
 */
function runSandboxed(quickjs: QuickJSWASMModule, source: string, entry: string, input: string, budget: SandboxBudget): SandboxRun {
  let steps = 0;
  const runtime = quickjs.newRuntime();
  try {
    runtime.setMemoryLimit(budget.memoryBytes);
    runtime.setMaxStackSize(STACK_BYTES);
    runtime.setInterruptHandler(() => ++steps > budget.steps);
    const ctx = runtime.newContext();
    try {
      const prelude = ctx.evalCode(PRELUDE, 'prelude.js');
      if (prelude.error) {
        prelude.error.dispose();
        return { ok: false, reason: 'sandbox prelude failed', steps };
      }
      prelude.value.dispose();
      const arg = ctx.newString(input);
      ctx.setProp(ctx.global, '__input', arg);
      arg.dispose();
      const result = ctx.evalCode(`${source}\n;JSON.stringify(${entry}(JSON.parse(__input)));`, 'resolution.js');
      if (result.error) {
        const reason = steps > budget.steps ? `step budget of ${budget.steps} exceeded` : errorText(ctx, result.error);
        result.error.dispose();
        return { ok: false, reason, steps };
      }
      const type = ctx.typeof(result.value);
      const json = type === 'string' ? ctx.getString(result.value) : null;
      result.value.dispose();
      if (json === null) return { ok: false, reason: `expected ${entry}() to return a JSON value, got ${type}`, steps };
      return { ok: true, json, steps };
    } finally {
      disposeQuietly(() => ctx.dispose());
    }
  } catch (error) {
    return { ok: false, reason: `sandbox: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300), steps };
  } finally {
    disposeQuietly(() => runtime.dispose());
  }
}

/** After an out-of-memory stop QuickJS may assert on leaked objects when freed; the runtime is dropped either way. */
function disposeQuietly(dispose: () => void): void {
  try {
    dispose();
  } catch {
    /* the runtime is unusable and unreachable: nothing to recover */
  }
}
