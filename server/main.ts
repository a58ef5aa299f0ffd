/** `npm start`: the server with the embedded database, demo data on first start, and the URLs and token. */
import { setFlagsFromString } from 'node:v8';
import { createApp } from './app.ts';
import { loadConfig, startupFailure } from './config.ts';
import { DEMO_DOMAIN, seedDemo } from './demo/seed.ts';
import { operatorTokenState } from './domain/model.ts';
import { prepareCredentialsFile, readLocalCredentials, writeLocalCredentials } from './local-credentials.ts';
import { createLogger } from './operations/logger.ts';
import { hashToken } from './services/access.ts';

/**
 * The heap may grow to twice what survives a full collection before the next one starts (V8 lets it grow
 * up to four times on a machine with memory to spare). Under a stream of large requests, whose parsed
 * bodies die soon but not young, the default took the API process from 230 to 470 MB and this holds it
 * near 340 MB (`npm run bench -- --abuse`). A --heap-growing-percent given to node itself wins.
 */
const HEAP_GROWING_PERCENT = 100;
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

const DEMO_SIZE = { users: 300, meetingsPerUser: 10 };

async function main(): Promise<void> {
  const config = loadConfig();
  // Before anything is opened: the credentials are written only once the server listens.
  prepareCredentialsFile(config.credentialsFile);
  const app = await createApp({
    database: config.database,
    port: config.port,
    host: config.host,
    holdSeconds: config.holdSeconds,
    adminToken: config.adminToken,
    authFailuresPerMinute: config.authFailuresPerMinute,
    engine: config.runEngine ? config.engine : false,
    delivery: config.runEngine ? config.delivery : null,
    redis: config.redis,
    limits: config.limits,
    logger: createLogger(config.logLevel),
    corsOrigins: config.corsOrigins,
    metricsToken: config.metricsToken,
  });
  const { store } = app.services;

  let demo = await store.tenants.byPrimaryDomain(DEMO_DOMAIN);
  if (!demo && (await store.tenants.count()) === 0) {
    const started = performance.now();
    const seeded = await seedDemo(app.database, { ...DEMO_SIZE, now: new Date() });
    console.log(
      `Seeded the demo tenant: ${seeded.users} users, ${seeded.meetings} meetings in ${Math.round(performance.now() - started)} ms`,
    );
    demo = await store.tenants.byPrimaryDomain(DEMO_DOMAIN);
  }

  const url = await app.listen();
  const shutdown = async (signal: string) => {
    console.log(`${signal}: stopping`);
    await app.stop();
    // Nothing is left to run: the process ends by itself once its output is written.
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  const previous = readLocalCredentials(config.credentialsFile);
  /** The demo operator token when this start created it: shown once, then only kept in the credentials file. */
  let createdOperatorToken: string | null = null;
  if (demo) {
    const kept = previous ? await store.tokens.operatorTokenByHash(hashToken(previous.operatorToken)) : null;
    const reusable =
      previous && kept?.tenantId === demo.id && operatorTokenState(kept, new Date()) === 'ACTIVE';
    if (!reusable) {
      createdOperatorToken = (
        await app.services.tenancy.createOperatorToken(
          { kind: 'serviceAdmin' },
          { tenantId: demo.id, name: 'local demo operator' },
        )
      ).token;
    }
    const adminToken = app.generatedAdminToken ?? (config.adminToken ? undefined : previous?.adminToken);
    writeLocalCredentials(config.credentialsFile, {
      url,
      operatorToken: createdOperatorToken ?? (previous?.operatorToken as string),
      ...(adminToken ? { adminToken } : {}),
    });
  }

  const operatorTokenLine = createdOperatorToken
    ? `  Operator token (demo tenant ${DEMO_DOMAIN}; created now, shown once):  ${createdOperatorToken}\n`
    : demo
      ? `  Operator token (demo tenant ${DEMO_DOMAIN}):  in ${config.credentialsFile}\n`
      : '';
  console.log(`
MMS is running.
  GraphQL API, GraphiQL and WebSocket:  ${url}
${operatorTokenLine}${
  app.generatedAdminToken
    ? `  Service-admin token (generated now; shown once, also kept in ${config.credentialsFile}):\n    ${app.generatedAdminToken}\n`
    : ''
}  In GraphiQL, set the header  {"Authorization": "Bearer <token>"}.
  Terminal UI:  npm run tui      Live events as NDJSON:  npm run watch
`);
}

main().catch((error: unknown) => {
  const failure = startupFailure(error);
  console.error(failure ? `mms: ${failure}` : error);
  process.exit(1);
});
