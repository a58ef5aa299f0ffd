/**
 * CORS: a browser page of another origin may call the API (with its Authorization header) only when its
 * origin is listed in MMS_CORS_ORIGINS. Others get no CORS headers, so the browser keeps the answer from
 * them; none is listed by default.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { startServer, type TestServer } from '../support/server.ts';

const LISTED = 'https://ops.example.com';
const UNLISTED = [
  'https://evil.example.com',
  'https://ops.example.com:8443',
  'http://ops.example.com',
  'null',
];

let server: TestServer;
let unconfigured: TestServer;
beforeAll(async () => {
  server = await startServer({ corsOrigins: [LISTED, 'http://localhost:5173'] });
  unconfigured = await startServer();
});
afterAll(async () => {
  await server.stop();
  await unconfigured.stop();
});

const preflight = (target: TestServer, origin: string) =>
  fetch(target.url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });

const simple = (target: TestServer, origin: string) =>
  fetch(target.url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${target.adminToken}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });

const corsHeaders = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

describe('a listed origin', () => {
  test('passes the preflight with credentials and the Authorization header', async () => {
    const response = await preflight(server, LISTED);
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toMatchObject({
      'access-control-allow-origin': LISTED,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization, content-type',
    });
  });

  test('may read the answer of a request', async () => {
    const response = await simple(server, 'http://localhost:5173');
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toMatchObject({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-allow-credentials': 'true',
    });
  });
});

describe.each(UNLISTED)('the unlisted origin %s', (origin) => {
  test('gets no CORS headers in the preflight or the answer', async () => {
    expect(corsHeaders(await preflight(server, origin))).toEqual({});
    expect(corsHeaders(await simple(server, origin))).toEqual({});
  });
});

test('with none listed, no origin is allowed', async () => {
  for (const origin of [LISTED, ...UNLISTED]) {
    expect(corsHeaders(await preflight(unconfigured, origin))).toEqual({});
    expect(corsHeaders(await simple(unconfigured, origin))).toEqual({});
  }
});

describe('MMS_CORS_ORIGINS', () => {
  test('takes a comma-separated list of origins', () => {
    expect(
      loadConfig({ MMS_CORS_ORIGINS: ' https://a.example.com,http://localhost:5173 ' }).corsOrigins,
    ).toEqual(['https://a.example.com', 'http://localhost:5173']);
    expect(loadConfig({}).corsOrigins).toEqual([]);
  });

  test.each([
    '*',
    'https://a.example.com/',
    'https://a.example.com/app',
    'a.example.com',
    'ftp://a.example.com',
    'https://a.example.com,,https://b.example.com',
    'https://user@a.example.com',
  ])('refuses %j, naming the setting and the entry', (value) => {
    expect(() => loadConfig({ MMS_CORS_ORIGINS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ MMS_CORS_ORIGINS: value })).toThrow(
      /^MMS_CORS_ORIGINS must list origins such as https:\/\/ops\.example\.com .*, not "/,
    );
  });
});
