import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

describe('GraphQL over HTTP audits (graphql-http), with a valid token', () => {
  for (const audit of serverAudits({
    url: () => server.url,
    fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${server.adminToken}`);
      return fetch(input, { ...init, headers });
    },
  })) {
    test(audit.name, async () => {
      const result = await audit.fn();
      // Not even a warning: every MUST and every SHOULD of the spec holds.
      expect(result.status, result.status === 'ok' ? '' : result.reason).toBe('ok');
    });
  }
});
