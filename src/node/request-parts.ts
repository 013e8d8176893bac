import type { z } from 'zod';
import { ValidationError } from '../core/errors.js';

/**
 * Checks a request's path parameters or query string against a strict zod schema, for every route
 * table of the node: the first issue becomes a 400 naming the field (`params.round`, `query.limit`).
 */
export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, where: 'params' | 'query'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [where, ...issue.path.map(String)].join('.');
  throw new ValidationError(where === 'params' ? 'http.invalidParams' : 'http.invalidQuery', `${field}: ${issue.message}`, { field, expected: issue.message });
}
