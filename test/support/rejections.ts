/** Asserting that a mutation was refused with a typed error and changed nothing at all. */
import { expect } from 'vitest';
import { rowCounts, runMutation, tenantSnapshot } from './fixtures.ts';
import type { TestServer } from './server.ts';

export interface ExpectedError {
  __typename: 'InvalidValueError' | 'NotFoundError';
  field: string;
  message: RegExp;
}

export const invalid = (field: string, message: RegExp): ExpectedError => ({
  __typename: 'InvalidValueError',
  field,
  message,
});

/** What the operator can see of the tenant plus the row count of every table. */
export async function visibleState(server: TestServer, operatorToken: string) {
  return { snapshot: await tenantSnapshot(server, operatorToken), rows: await rowCounts(server) };
}

/**
 * Runs the mutation with `token`, expects the typed error, and that nothing at all changed: neither what the
 * operator of `operatorToken` sees nor the row count of any table.
 */
export async function expectRejected(
  server: TestServer,
  tokens: { token: string; operatorToken?: string },
  name: string,
  input: Record<string, unknown>,
  expected: ExpectedError,
): Promise<void> {
  const operatorToken = tokens.operatorToken ?? tokens.token;
  const before = await visibleState(server, operatorToken);
  const result = await runMutation(server, tokens.token, name, input);
  expect(result, `${name} ${JSON.stringify(input)}`).toEqual({
    __typename: expected.__typename,
    field: expected.field,
    message: expect.any(String),
  });
  expect(result.message).toMatch(expected.message);
  expect(await visibleState(server, operatorToken)).toEqual(before);
}
