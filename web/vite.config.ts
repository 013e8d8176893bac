import { defineConfig, type Plugin, type UserConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built by scripts/prepare.mjs into web/dist, which the node serves at `/` (src/node/web-app.ts).
// A build is always the production one: vite otherwise follows an inherited NODE_ENV, and under
// vitest (NODE_ENV=test: the end-to-end test and the render bench build the app) that meant React's
// development build and dev JSX, nearly doubling the first load (74 -> 137 KB gzipped).
export default defineConfig(({ command }) => {
  if (command === 'build') process.env.NODE_ENV = 'production';
  return config;
});

/**
 * The served-answer checks (src/zk/served-answer.ts) load the node's proof verifier lazily from
 * ./inference.js, which proves too (circom, files, worker threads); in the page that one import
 * resolves to the browser verifier: the same checks over snarkjs's browser build.
 */
const browserVerifier: Plugin = {
  name: 'hindsight-browser-verifier',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === './inference.js' && importer?.endsWith('/src/zk/served-answer.ts')) return new URL('./src/browser-verifier.ts', import.meta.url).pathname;
    return null;
  },
};

const config = {
  root: import.meta.dirname,
  base: './',
  plugins: [react(), browserVerifier],
  // The shared envelope code hashes with node:crypto; the browser gets a sha256-only stand-in.
  // The report's chart specs share a file with its node-only PNG renderer: stand-ins for its imports.
  // Of circomlib the page needs only Poseidon (web/src/poseidon-browser.ts).
  resolve: {
    alias: {
      'node:crypto': new URL('./src/crypto-shim.ts', import.meta.url).pathname,
      'node:module': new URL('./src/node-stub.ts', import.meta.url).pathname,
      'node:path': new URL('./src/node-stub.ts', import.meta.url).pathname,
      'node:fs': new URL('./src/node-stub.ts', import.meta.url).pathname,
      '@resvg/resvg-js': new URL('./src/node-stub.ts', import.meta.url).pathname,
      circomlibjs: new URL('./src/poseidon-browser.ts', import.meta.url).pathname,
      assert: new URL('./src/assert-shim.ts', import.meta.url).pathname,
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
} satisfies UserConfig;
