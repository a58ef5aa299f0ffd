/**
 * Phase (a) of the benchmark, in a process of its own so that its peak memory is the server's alone:
 * triggers every user's migration at once and reports the time to the last SUCCEEDED as one JSON line.
 *   node bench/end-to-end.ts <database> <engine settings as JSON>
 */
import { createApp } from '../server/app.ts';
import type { EngineConfig } from '../server/engine/engine.ts';

const [databasePath, engineJson] = process.argv.slice(2);
const engine = JSON.parse(String(engineJson)) as EngineConfig;
const admin = { kind: 'serviceAdmin' } as const;

const app = await createApp({
  database: String(databasePath),
  engine,
  holdSeconds: 0,
  adminToken: 'bench-admin-token',
});
if (app.database.backend !== 'sqlite') throw new Error('the benchmark runs on SQLite');
const { sqlite } = app.database;
const users = sqlite.prepare('select id, tenant_id as tenantId from users order by id').all() as {
  id: number;
  tenantId: number;
}[];
const tenantId = users[0]?.tenantId ?? 0;
const events = app.services.events.stream('meetingMigration', tenantId);
const lastSucceeded = (async () => {
  let succeeded = 0;
  for await (const migration of events) {
    if (migration.state === 'SUCCEEDED' && ++succeeded === users.length) return performance.now();
    if (migration.state === 'FAILED') throw new Error(`migration failed: ${migration.lastMessage}`);
  }
  throw new Error('events ended');
})();
app.startBackgroundWork();
const started = performance.now();
for (const user of users) {
  await app.services.users.startMeetingMigration(admin, {
    userId: user.id,
    sourceMeetingType: 'ALL',
    targetMeetingType: 'TEAMS',
  });
}
const seconds = ((await lastSucceeded) - started) / 1000;
await events.return?.();
const count = (sql: string) => (sqlite.prepare(sql).get() as { n: number }).n;
const rewritten = count('select count(*) as n from meetings where sequence = 1');
const outbox = count('select count(*) as n from invitation_updates');
await app.stop();
console.log(
  JSON.stringify({
    seconds,
    rewritten,
    outbox,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
