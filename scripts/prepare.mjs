// The `prepare` script (npm ci, npm install): compiles src/ to dist/ with tsc when TypeScript is
// installed. After `npm ci --omit=dev` it is not (it is a devDependency), so the build is skipped and
// bin/hindsight runs the source through tsx, a runtime dependency (docs/architecture.md, "Running
// the CLI"). Any other build failure still fails the install.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('prepare: typescript is not installed (npm ci --omit=dev?), so dist/ is not built; bin/hindsight runs the source through tsx\n');
  process.exit(0);
}
const { status, signal } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
process.exit(status ?? (signal ? 1 : 0));
