import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * The web dashboard's built files (web/dist, made by the build step from web/): served at `/`
 * when present. The app routes with the URL hash, so every page is `/` plus `#/...` and no
 * deep-link fallback is needed. A node installed without the build (npm ci --omit=dev) serves
 * the API only.
 */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export async function serveWebApp(app: FastifyInstance, root = WEB_DIST): Promise<boolean> {
  if (!existsSync(`${root}/index.html`)) return false;
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], wildcard: false, preCompressed: false });
  return true;
}
