import { describe, expect, it } from 'vitest';
import { buildOpenApi } from './openapi.js';
import { routes } from './routes.js';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown>; type?: string } }> }> }>> };

describe('/openapi.json', () => {
  const doc = buildOpenApi(routes, { version: 'test' }) as Doc;

  it('shows a real body (named properties) for the success answer of every JSON route', () => {
    const loose: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (path === '/openapi.json') continue;
      for (const [method, op] of Object.entries(methods)) {
        const [status, ok] = Object.entries(op.responses).find(([s]) => s.startsWith('2'))!;
        const json = ok.content?.['application/json'];
        if (!json) continue; // text/event-stream and Prometheus text are not JSON
        // a union answer (POST /v1/predict: one model's, or the served answer) must name properties in every branch
        const schema = json.schema as { properties?: object; anyOf?: { properties?: object }[]; oneOf?: { properties?: object }[] } | undefined;
        const branches = schema?.anyOf ?? schema?.oneOf ?? [schema ?? {}];
        const properties = branches.every((b) => Object.keys(b.properties ?? {}).length > 0) ? ['ok'] : [];
        if (properties.length === 0) loose.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    expect(loose).toEqual([]);
  });

  it('describes the read views field by field, as the engine builds them', () => {
    const state = doc.paths['/v1/state']!.get!.responses['200']!.content!['application/json']!.schema!;
    expect(Object.keys(state.properties!)).toEqual(expect.arrayContaining(['seq', 'treasury', 'conservation', 'stateHash']));
    const market = doc.paths['/v1/markets/{round}/{item}']!.get!.responses['200']!.content!['application/json']!.schema!;
    expect(Object.keys(market.properties!)).toEqual(expect.arrayContaining(['prices', 'q', 'b', 'positions']));
  });
});
