import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built by scripts/prepare.mjs into web/dist, which the node serves at `/` (src/node/web-app.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  // The shared envelope code hashes with node:crypto; the browser gets a sha256-only stand-in.
  // The report's chart specs share a file with its node-only PNG renderer: stand-ins for its imports.
  resolve: {
    alias: {
      'node:crypto': new URL('./src/crypto-shim.ts', import.meta.url).pathname,
      'node:module': new URL('./src/node-stub.ts', import.meta.url).pathname,
      'node:path': new URL('./src/node-stub.ts', import.meta.url).pathname,
      '@resvg/resvg-js': new URL('./src/node-stub.ts', import.meta.url).pathname,
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
