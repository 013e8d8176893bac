import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts `name`.ts/.js next to `callerUrl` (pass import.meta.url) on a worker thread. Running from
 * TypeScript source (bin/hindsight uses tsx), a worker needs tsx's loader too, and Node 20 ignores
 * `--import` in a worker's execArgv, so a small bootstrap registers it first.
 */
export function spawnModuleWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const tsxApi = pathToFileURL(createRequire(callerUrl).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  return new Worker(`import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`, { ...options, eval: true });
}

/**
 * How to run `name`.ts/.js next to `callerUrl` as a child process: from TypeScript source, through
 * tsx's loader (`execArgv`); from the build (dist/, see bin/hindsight), directly.
 */
export function moduleProcess(callerUrl: string, name: string): { script: string; execArgv: string[] } {
  const ts = callerUrl.endsWith('.ts');
  return { script: fileURLToPath(new URL(`./${name}.${ts ? 'ts' : 'js'}`, callerUrl)), execArgv: ts ? ['--import', 'tsx'] : [] };
}
