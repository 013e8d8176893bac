import { describe, expect, it } from 'vitest';
import { AuthError, GameRejection, InternalError, StoreError, ValidationError } from '../core/errors.js';
import { NodeHttpError, errorFromBody } from '../sdk/http-client.js';
import { HttpError, STORE_RETRY_AFTER_SECONDS, toErrorReply } from './http-errors.js';

describe('toErrorReply', () => {
  it('maps each HindsightError class to its status and kind, code and message kept', () => {
    const cases = [
      [new ValidationError('event.schema', 'payload: bad'), 400, 'validation'],
      [new AuthError('sig.invalid', 'sig: bad'), 401, 'auth'],
      [new GameRejection('round.wrongPhase', 'round: bad', { field: 'round', seq: 7 }), 422, 'rejection'],
      [new StoreError('store.closed', 'store: closed'), 503, 'store'],
      [new StoreError('store.unavailable', 'postgres: down'), 503, 'store'],
      [new StoreError('store.diskFull', 'sqlite: full'), 503, 'store'],
      [new StoreError('store.queryFailed', 'postgres: bad query'), 500, 'store'],
      [new HttpError(429, 'http.rateLimited', 'ip: too many', { field: 'ip' }), 429, 'http'],
    ] as const;
    for (const [error, status, kind] of cases) {
      const reply = toErrorReply(error);
      expect(reply.status, error.code).toBe(status);
      expect(reply.body).toMatchObject({ code: error.code, kind, message: error.message });
    }
    expect(toErrorReply(cases[2][0]).body).toMatchObject({ field: 'round', seq: 7 });
  });

  it('tells a client when to retry a store that is away (503 Retry-After), and only then', () => {
    for (const code of ['store.closed', 'store.unavailable', 'store.diskFull'] as const) {
      expect(toErrorReply(new StoreError(code, 'store: away')).headers, code).toEqual({ 'retry-after': String(STORE_RETRY_AFTER_SECONDS) });
    }
    expect(toErrorReply(new StoreError('store.queryFailed', 'postgres: bad query')).headers).toBeUndefined();
    expect(toErrorReply(new GameRejection('round.wrongPhase', 'round: bad')).headers).toBeUndefined();
    expect(toErrorReply(new HttpError(429, 'http.rateLimited', 'ip: too many', {}, { 'retry-after': '7' })).headers).toEqual({ 'retry-after': '7' });
  });

  it('answers an InternalError with the same 500 as an unknown exception, leaking neither message nor details', () => {
    const bug = new InternalError('internal.invariant', 'debit: expected a balance of at least 5, got 3 for did:key:zSecret', { did: 'did:key:zSecret' });
    const reply = toErrorReply(bug);
    expect(reply).toEqual({ status: 500, body: { code: 'internal', kind: 'internal', message: 'internal error (see the node log)' } });
    expect(JSON.stringify(reply)).not.toContain('zSecret');
    expect(toErrorReply(new Error('boom'))).toEqual(reply);
  });
});

describe('errorFromBody (HttpClient)', () => {
  it('rebuilds the class and code of a listed code', () => {
    const error = errorFromBody(422, toErrorReply(new GameRejection('trade.oversell', 'shares: too many', { field: 'shares' })).body);
    expect(error).toBeInstanceOf(GameRejection);
    expect(error.code).toBe('trade.oversell');
    expect(error.details).toEqual({ field: 'shares', status: 422 });
  });

  it('turns an unlisted code into node.internal or node.unknownCode and keeps the node code in details', () => {
    const internal = errorFromBody(500, toErrorReply(new InternalError('internal.invariant', 'x')).body);
    expect(internal).toBeInstanceOf(NodeHttpError);
    expect(internal.code).toBe('node.internal');
    expect(internal.details.nodeCode).toBe('internal');
    const newer = errorFromBody(400, { code: 'event.somethingNew', kind: 'validation', message: 'payload: new rule' });
    expect(newer).toBeInstanceOf(ValidationError);
    expect(newer.code).toBe('node.unknownCode');
    expect(newer.details.nodeCode).toBe('event.somethingNew');
  });
});
