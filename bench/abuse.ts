/**
 * `npm run bench -- --abuse`: every attack the limits refuse (SPEC §7), fired at once and over and over
 * against `npm start` on its demo data, while one ordinary client keeps querying. Reports the ordinary
 * client's latency (p50, p99, errors) and the server's peak RSS, against the targets.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { run } from '../test/support/processes.ts';

/**
 * The attacker and the ordinary client come from addresses of their own (every 127.x address is this
 * machine's): failed authentications slow the attacker's address, as they would in the field.
 */
const ATTACKER_ADDRESS = '127.0.0.1';
const ORDINARY_ADDRESS = '127.0.0.2';

const TARGET_P99_MS = 100;
const TARGET_RSS_MB = 400;
const ATTACK_SECONDS = 20;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Posts a body as it is, with a token; resolves with the status (0 when the connection failed). */
function post(
  url: string,
  body: string | Buffer,
  token: string,
  { chunked = false, localAddress = ATTACKER_ADDRESS } = {},
): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/json',
          // The answer's status tells the refusal (with plain JSON every answer would be 200).
          accept: 'application/graphql-response+json',
          authorization: `Bearer ${token}`,
          ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': Buffer.byteLength(body) }),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

const query = (text: string, variables: Record<string, unknown> = {}) =>
  JSON.stringify({ query: text, variables });

/** The attacks, each a request or socket that one call makes. */
function attacks(url: string, token: string): Record<string, () => Promise<unknown>> {
  const wsUrl = url.replace(/^http/, 'ws');
  const socket = (send: (ws: WebSocket) => void, holdMs: number) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { localAddress: ATTACKER_ADDRESS });
      ws.on('error', () => resolve('socket error'));
      ws.on('close', (code) => resolve(`closed ${code}`));
      ws.on('open', () => {
        send(ws);
        setTimeout(() => ws.terminate(), holdMs);
      });
    });
  // Each body is made once: the attackers share the server's two cores, and making a body anew for every
  // request would measure the attacker's work as much as the server's.
  const pageOf100000 = query(
    'query ($n: Int) { tenant { meetings(first: $n) { edges { node { body } } } } }',
    {
      n: 100_000,
    },
  );
  const nestedPages = query(
    '{ tenants(first: 500) { edges { node { users(first: 500) { edges { node { userPrincipalName } } } meetings(first: 500) { edges { node { body } } } } } } }',
  );
  const fiftyThousandIds = query('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
    ids: Array.from({ length: 50_000 }, (_, i) => Buffer.from(`User:${i + 1}`).toString('base64')),
  });
  const twentyMegabytes = Buffer.alloc(20 * 1024 * 1024, 32);
  const fiftyMegabytes = Buffer.alloc(50 * 1024 * 1024, 32);
  const longSipAddress = query(
    'mutation ($input: SetUserSipAddressInput!) { setUserSipAddress(input: $input) { __typename } }',
    {
      input: {
        userId: Buffer.from('User:1').toString('base64'),
        sipAddress: `sip:${'a'.repeat(1_000_000)}@contoso.com`,
      },
    },
  );
  const deepQuery = query(
    `{ ${'tenant { users(first: 1) { edges { node { '.repeat(50)}id${' } } } }'.repeat(50)} }`,
  );
  const manyAliases = query(
    `{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }`,
  );
  const init = (ws: WebSocket) =>
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
  return {
    'a page size of 100,000 passed as a variable': () => post(url, pageOf100000, token),
    'nested pages at the largest size': () => post(url, nestedPages, token),
    'nodes with 50,000 ids': () => post(url, fiftyThousandIds, token),
    'a 20 MB body with a wrong token': () => post(url, twentyMegabytes, 'wrong-token'),
    'a 20 MB chunked body': () => post(url, twentyMegabytes, token, { chunked: true }),
    'a 1 MB SIP address': () => post(url, longSipAddress, token),
    'a query 200 levels deep': () => post(url, deepQuery, token),
    '5,000 aliases': () => post(url, manyAliases, token),
    'wrong tokens, one after another': () =>
      post(url, query('{ viewer { kind } }'), `mms_op_guess-${Math.random()}`),
    'a 50 MB WebSocket message before connection_init': () => socket((ws) => ws.send(fiftyMegabytes), 1_000),
    'sockets that never send connection_init': () => socket(() => {}, 10_000),
    '500 subscriptions on one socket': () =>
      socket((ws) => {
        init(ws);
        ws.once('message', () => {
          for (let i = 0; i < 500; i++) {
            ws.send(
              JSON.stringify({
                id: String(i),
                type: 'subscribe',
                payload: { query: 'subscription { meetingMigrationUpdated { id state } }' },
              }),
            );
          }
        });
      }, 3_000),
    'GraphiQL loaded in a browser': () =>
      new Promise((resolve) => {
        const request = httpRequest(url, { headers: { accept: 'text/html' } }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
        });
        request.on('error', resolve);
        request.end();
      }),
  };
}

export async function runAbuse(log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mms-abuse-'));
  const credentialsFile = join(dir, 'credentials.json');
  const server = run('server/main.ts', [], {
    PORT: '0',
    HOST: '127.0.0.1',
    MMS_DB: join(dir, 'mms.sqlite'),
    MMS_DATABASE_URL: '',
    MMS_REDIS_URL: '',
    MMS_CREDENTIALS_FILE: credentialsFile,
    MMS_ADMIN_TOKEN: '',
  });
  try {
    const url = (await server.line((l) => l.includes('GraphQL API'), 60_000)).split(/\s+/).at(-1) as string;
    const token = (JSON.parse(readFileSync(credentialsFile, 'utf8')) as { operatorToken: string })
      .operatorToken;
    const rssMb = () =>
      Math.round(
        Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1]) /
          1024,
      );
    const ordinary = query(
      '{ meetingMigrationSummary { pending inProgress succeeded failed } tenant { users(first: 20) { edges { node { userPrincipalName } } } } }',
    );
    // The ordinary client alone first: what it gets from a quiet server.
    const measure = async (seconds: number) => {
      const latencies: number[] = [];
      let failures = 0;
      const until = performance.now() + seconds * 1000;
      while (performance.now() < until) {
        const started = performance.now();
        const status = await post(url, ordinary, token, { localAddress: ORDINARY_ADDRESS });
        latencies.push(performance.now() - started);
        if (status !== 200) failures++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return { latencies: latencies.sort((a, b) => a - b), failures };
    };
    log('abuse: the ordinary client alone…');
    const quiet = await measure(5);
    const rssBefore = rssMb();
    log(`abuse: every attack at once for ${ATTACK_SECONDS} s, with the ordinary client…`);
    const attackList = attacks(url, token);
    const outcomes = new Map<string, Map<string, number>>();
    let attacking = true;
    const attackers = Object.entries(attackList).map(async ([name, attack]) => {
      const seen = new Map<string, number>();
      outcomes.set(name, seen);
      while (attacking) {
        const outcome = String(await attack());
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
      }
    });
    const underAttack = await measure(ATTACK_SECONDS);
    attacking = false;
    await Promise.all(attackers);
    const peak = rssMb();

    const rows: [string, string, string][] = [
      [
        'ordinary client alone: p50 / p99',
        `${percentile(quiet.latencies, 50).toFixed(1)} / ${percentile(quiet.latencies, 99).toFixed(1)} ms (${quiet.latencies.length} queries)`,
        '',
      ],
      [
        'ordinary client under every attack: p50 / p99',
        `${percentile(underAttack.latencies, 50).toFixed(1)} / ${percentile(underAttack.latencies, 99).toFixed(1)} ms (${underAttack.latencies.length} queries, ${underAttack.failures} failed)`,
        `p99 < ${TARGET_P99_MS} ms: ${percentile(underAttack.latencies, 99) < TARGET_P99_MS && underAttack.failures === 0 ? 'met' : 'NOT met'}`,
      ],
      [
        'server peak RSS',
        `${peak} MB (${rssBefore} MB before the attacks)`,
        `< ${TARGET_RSS_MB} MB: ${peak < TARGET_RSS_MB ? 'met' : 'NOT met'}`,
      ],
      ...[...outcomes].map(([name, seen]): [string, string, string] => [
        `attack: ${name}`,
        [...seen]
          .map(([outcome, count]) => `${count}× ${outcome === 'undefined' ? 'closed' : outcome}`)
          .join(', '),
        '',
      ]),
    ];
    console.log('\n| measure | value | target |\n| --- | --- | --- |');
    for (const [measureName, value, target] of rows) console.log(`| ${measureName} | ${value} | ${target} |`);
    console.log(
      JSON.stringify({
        quietP99Ms: percentile(quiet.latencies, 99),
        p50Ms: percentile(underAttack.latencies, 50),
        p99Ms: percentile(underAttack.latencies, 99),
        failures: underAttack.failures,
        peakRssMb: peak,
      }),
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
