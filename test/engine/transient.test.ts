/** Which failures the engine retries with backoff (SPEC §4.6), and which end a run as a bug would. */
import { describe, expect, test } from 'vitest';
import { isTransient } from '../../server/engine/engine.ts';

const failure = (code: string | undefined, message = 'failed') => Object.assign(new Error(message), { code });

describe('isTransient', () => {
  test.each([
    ['SQLITE_BUSY', 'SQLite busy'],
    ['SQLITE_FULL', 'SQLite full'],
    ['SQLITE_IOERR_WRITE', 'SQLite disk failing'],
    ['ECONNRESET', 'connection reset'],
    ['ECONNREFUSED', 'connection refused'],
    ['08006', 'PostgreSQL connection failure'],
    ['08001', 'PostgreSQL cannot connect'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['53100', 'disk full'],
    ['53300', 'too many connections'],
    ['55P03', 'lock not available (lock_timeout)'],
    ['57014', 'statement cancelled or timed out'],
    ['57P01', 'administrator ended the connection'],
    ['57P02', 'crash shutdown'],
    ['57P03', 'cannot connect now'],
  ])('%s (%s) is retried', (code) => {
    expect(isTransient(failure(code))).toBe(true);
  });

  test.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
  ])('the pg client saying "%s" (a lost or hung server) is retried', (message) => {
    expect(isTransient(failure(undefined, message))).toBe(true);
  });

  test.each([
    ['23505', 'unique violation'],
    ['42P01', 'undefined table'],
    ['42703', 'undefined column'],
    ['22P02', 'invalid text representation'],
    ['SQLITE_CONSTRAINT_UNIQUE', 'SQLite constraint'],
    ['SQLITE_ERROR', 'SQLite error'],
    ['0800', 'not a SQLSTATE'],
    ['4000100', 'a transient code inside another'],
    [undefined, 'no code at all'],
  ])('%s (%s) is not', (code: string | undefined, _what: string) => {
    expect(isTransient(failure(code))).toBe(false);
  });

  test('a message that only mentions a lost connection is not', () => {
    expect(isTransient(failure(undefined, 'bug: Connection terminated unexpectedly was not handled'))).toBe(
      false,
    );
    expect(isTransient(null)).toBe(false);
  });
});
