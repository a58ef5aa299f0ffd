/**
 * `npm run bench -- --abuse`: every attack the limits refuse (SPEC §7), fired at once and over and over
 * against `npm start` on its demo data, while one ordinary client keeps querying. Reports the ordinary
 * client's latency (p50, p99, errors) and the server's peak RSS, against the targets. The attackers run in
 * a process of their own (bench/abuse-attackers.ts), as they would on another machine, but share the cores.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../test/support/processes.ts';
import { ORDINARY_ADDRESS, post, query } from './abuse-requests.ts';

const TARGET_P99_MS = 100;
const TARGET_RSS_MB = 400;
const ATTACK_SECONDS = 20;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

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
    const attackers = run('bench/abuse-attackers.ts', [JSON.stringify({ url, token })], {});
    await attackers.line((line) => line === 'attacking');
    const underAttack = await measure(ATTACK_SECONDS);
    await attackers.stop();
    const outcomes = new Map(
      Object.entries(
        JSON.parse(attackers.stdout.find((line) => line.startsWith('{')) ?? '{}') as Record<
          string,
          Record<string, number>
        >,
      ).map(([name, seen]) => [name, new Map(Object.entries(seen))]),
    );
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
