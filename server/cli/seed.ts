/**
 * `npm run seed -- --users N --meetings-per-user M [--seed S] [--now ISO] [--reset]`: fills the database
 * at MMS_DATABASE_URL or MMS_DB with the demo tenant Contoso. Exit codes: 0 seeded, 1 refused or failed, 2 bad arguments.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, startupFailure } from '../config.ts';
import { DEFAULT_DEMO_SEED, DEMO_DOMAIN, seedDemo } from '../demo/seed.ts';
import { openDatabase } from '../storage/database.ts';
import { describeDatabase, isPostgresUrl } from '../storage/location.ts';
import { createStore } from '../storage/store.ts';

const USAGE = `usage: npm run seed -- [--users N] [--meetings-per-user M] [--seed S] [--now ISO-8601] [--reset]

  --users N              users of the demo tenant (default 300)
  --meetings-per-user M  meetings each user organizes (default 10)
  --seed S               seed of the generator, 0 to 4294967295 (default ${DEFAULT_DEMO_SEED});
                         the same seed and --now give the same data
  --now ISO-8601         the instant meetings are placed around (default: the current time)
  --reset                delete the database file first (stop the server using it before)

The database is MMS_DATABASE_URL (PostgreSQL) when set, else MMS_DB, or data/mms.sqlite by default.`;

class UsageError extends Error {}

function wholeNumber(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function parseOptions(args: string[]) {
  let values: ReturnType<typeof parse>['values'];
  function parse() {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        users: { type: 'string' },
        'meetings-per-user': { type: 'string' },
        seed: { type: 'string' },
        now: { type: 'string' },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  }
  try {
    values = parse().values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime()))
    throw new UsageError(`--now must be an ISO 8601 date, not "${values.now}"`);
  return {
    help: values.help,
    reset: values.reset,
    users: wholeNumber('users', values.users, 300, 1, 1_000_000),
    meetingsPerUser: wholeNumber('meetings-per-user', values['meetings-per-user'], 10, 0, 10_000),
    seed: wholeNumber('seed', values.seed, DEFAULT_DEMO_SEED, 0, 0xffff_ffff),
    now,
  };
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`mms seed: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const { database } = loadConfig();
  if (options.reset && isPostgresUrl(database)) {
    console.error(
      'mms seed: --reset deletes a SQLite file; on PostgreSQL, drop and create the database yourself.',
    );
    return 2;
  }
  if (options.reset && database !== ':memory:') {
    for (const file of [database, `${database}-wal`, `${database}-shm`]) rmSync(file, { force: true });
    console.log(`Deleted ${database}`);
  }

  const opened = await openDatabase(database);
  let open = true;
  try {
    if (await createStore(opened).tenants.byPrimaryDomain(DEMO_DOMAIN)) {
      console.error(
        `mms seed: ${describeDatabase(database)} already holds the demo tenant ${DEMO_DOMAIN}; nothing was changed.\n` +
          'Add --reset to delete the database and seed it again, or set MMS_DB to another file.',
      );
      return 1;
    }
    const started = performance.now();
    const result = await seedDemo(opened, {
      users: options.users,
      meetingsPerUser: options.meetingsPerUser,
      seed: options.seed,
      now: options.now,
    });
    const seeded = performance.now();
    open = false;
    await opened.close();
    const closed = performance.now();
    console.log(
      `Seeded ${DEMO_DOMAIN} (tenant ${result.tenantId}) into ${describeDatabase(database)}: ` +
        `${result.users} users, ${result.meetings} meetings, ${result.attendees} attendees ` +
        `in ${seconds(seeded - started)} (${seconds(closed - started)} with the final checkpoint); ` +
        `seed ${options.seed}, now ${options.now.toISOString()}`,
    );
    return 0;
  } finally {
    if (open) await opened.close();
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`mms seed: ${startupFailure(error) ?? error}`);
    process.exitCode = 1;
  },
);
