// The `prepare` script (npm ci, npm install): compiles src/ to dist/ with tsc when the build's
// devDependencies (typescript and the @types/* packages) are installed. A production install
// (`npm ci --omit=dev`) lacks the @types/* packages, and usually typescript too (though viem's
// optional peer dependency on typescript can bring it in), so the build is skipped and bin/hindsight
// runs the source through tsx, a runtime dependency (docs/architecture.md, "Running the CLI").
// With everything installed, a build error still fails the install. `npm run build` runs this with
// --build, where missing devDependencies are an error. dist/ is emptied first: tsc never deletes
// the output of a source file that moved or went away, and such a stale file would still be shipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url);
const require = createRequire(import.meta.url);
const { devDependencies = {} } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

const installed = (name) => {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
};
const missing = Object.keys(devDependencies).filter((name) => (name === 'typescript' || name.startsWith('@types/')) && !installed(name));
if (missing.length > 0 && process.argv.includes('--build')) {
  process.stderr.write(`build: expected the build's devDependencies, got none of ${missing.join(', ')}\n`);
  process.exit(1);
}
if (missing.length > 0) {
  process.stderr.write(`prepare: dist/ not built (no ${missing.join(', ')}: a production install?); bin/hindsight runs the source through tsx\n`);
  process.exit(0);
}
rmSync(new URL('dist', root), { recursive: true, force: true });
const { status, signal } = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: root });
if (status !== 0) process.exit(status ?? (signal ? 1 : 0));
// The web dashboard (web/ → web/dist, served by the node at `/`) when vite and the app's source are
// there; a packed package ships web/dist/ already built and no web/ source.
if (installed('vite') && existsSync(new URL('web/index.html', root))) {
  const web = spawnSync(process.execPath, [new URL('bin/vite.js', pathToFileURL(require.resolve('vite/package.json'))).pathname, 'build', '--logLevel', 'warn'], { stdio: 'inherit', cwd: new URL('web', root) });
  process.exit(web.status ?? (web.signal ? 1 : 0));
}
process.exit(0);
