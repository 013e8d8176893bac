import { z } from 'zod';
import type { RouteSpec } from './routes.js';

/** JSON Schema of a zod schema, as the request sees it (coerced query numbers are input strings/numbers). */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** Path and query parameters from an object schema: one OpenAPI parameter per property. */
function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): object[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    description: property.description,
    schema: property,
  }));
}

/** Builds /openapi.json from the route table: the same zod objects that validate each request. */
export function buildOpenApi(routes: RouteSpec[], info: { version: string }): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => [
        status,
        { description: r.description, ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: schemaOf(r.schema, 'output') } } } : r.contentType ? { content: { [r.contentType]: {} } } : {}) },
      ]),
    );
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      summary: route.summary,
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/(^|[/.])(\w)/g, (_m, _s, c: string) => c.toUpperCase())}`,
      parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hindsight node API',
      version: info.version,
      description: 'Authentication is the event signature: POST /v1/events takes a signed event; everything else is public reads. Errors: {code, kind, message, field}.',
    },
    paths,
  };
}
