/**
 * The end-to-end phase, in a process of its own: triggers every user's migration through the services, by
 * eight callers at once as fast as they are taken, and reports the time to the last SUCCEEDED as one JSON
 * line, with what was written. On SQLite the engine runs here (its peak memory is the server's alone); on
 * PostgreSQL separate worker processes run the migrations and their events reach this process through Redis.
 *   node bench/end-to-end.ts '{"database": …, "engine": {…} | false, "redis": {"url", "prefix"} | null}'
 */
import { createApp } from '../server/app.ts';
import type { EngineConfig } from '../server/engine/engine.ts';
import { createLogger } from '../server/operations/logger.ts';
import type { RedisRelayConfig } from '../server/services/redis-relay.ts';

const options = JSON.parse(String(process.argv[2])) as {
  database: string;
  engine: EngineConfig | false;
  redis: RedisRelayConfig | null;
};
const admin = { kind: 'serviceAdmin' } as const;
const TRIGGERING_CALLERS = 8;

const app = await createApp({
  database: options.database,
  engine: options.engine,
  redis: options.redis,
  holdSeconds: 0,
  adminToken: 'bench-admin-token',
  // The log goes to stderr: stdout carries the one result line.
  logger: createLogger('info', process.stderr),
});
const { db } = app.database;
const users = await db.selectFrom('users').select(['id', 'tenant_id as tenantId']).orderBy('id').execute();
const tenantId = users[0]?.tenantId ?? 0;
// The workers' changes, when they run elsewhere.
await app.services.events.receiveFromOtherProcesses();
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
// Several callers at once, as the clients of a tenant-wide change would be: on PostgreSQL each trigger is a
// transaction of several round trips, which one caller alone would wait out in turn.
const pending = users.values();
await Promise.all(
  Array.from({ length: TRIGGERING_CALLERS }, async () => {
    for (const user of pending) {
      await app.services.users.startMeetingMigration(admin, {
        userId: user.id,
        sourceMeetingType: 'ALL',
        targetMeetingType: 'TEAMS',
      });
    }
  }),
);
const seconds = ((await lastSucceeded) - started) / 1000;
await events.return?.();
const rewritten = await db
  .selectFrom('meetings')
  .where('sequence', '=', 1)
  .select((eb) => eb.fn.countAll().as('n'))
  .executeTakeFirstOrThrow();
const outbox = await db
  .selectFrom('invitation_updates')
  .select((eb) => eb.fn.countAll().as('n'))
  .executeTakeFirstOrThrow();
await app.stop();
console.log(
  JSON.stringify({
    seconds,
    rewritten: Number(rewritten.n),
    outbox: Number(outbox.n),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
