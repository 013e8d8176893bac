import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

/**
 * How deeply a request body may nest arrays and objects. The deepest real request is a few levels
 * (an envelope, a CACAO, a proof's `pi_b`); every layer after parsing (zod, DAG-CBOR encoding,
 * structured clone to the verify worker, prototype-key scanning) walks values recursively, and a
 * few thousand levels overflow their stacks. The limit is checked on the text, before JSON.parse.
 */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * True when the JSON text opens more than `max` arrays/objects inside one another. One pass over
 * the characters, no recursion, no allocation: string contents (escapes included) are skipped, so
 * brackets inside strings do not count. Exact for valid JSON; text that is not JSON may pass and
 * is then refused by JSON.parse.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // '"': skip to the closing quote; a backslash escapes the character after it.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

export function tooDeep(max: number): HttpError {
  return new HttpError(400, 'http.tooDeep', `body: expected JSON nested at most ${max} levels, got more`, { field: 'body', expected: `≤ ${max} levels` });
}

/**
 * Replaces fastify's application/json parser with one that refuses bodies nested deeper than
 * `maxDepth` (400 http.tooDeep) before parsing, then parses as fastify does (secure-json-parse:
 * `__proto__` and `constructor.prototype` keys are refused as malformed JSON).
 */
export function installJsonParser(app: FastifyInstance, maxDepth: number): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepthExceeds(text, maxDepth)) {
      done(tooDeep(maxDepth), undefined);
      return;
    }
    parse(request, text, done);
  });
}
