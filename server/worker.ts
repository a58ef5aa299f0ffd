/**
 * `npm run worker`: the migration engine and invitation delivery in a process of their own, beside servers
 * started with MMS_ENGINE=off. Workers share the database; leases keep each migration with one of them.
 */
import { createApp } from './app.ts';
import { loadConfig, startupFailure } from './config.ts';
import { createLogger } from './operations/logger.ts';
import { serveOperations } from './operations/routes.ts';
import { describeDatabase } from './storage/location.ts';

try {
  const config = loadConfig();
  const app = await createApp({
    database: config.database,
    holdSeconds: config.holdSeconds,
    adminToken: config.adminToken,
    engine: config.engine,
    delivery: config.delivery,
    redis: config.redis,
    logger: createLogger(config.logLevel),
    metricsToken: config.metricsToken,
  });
  // Health and metrics before the work starts: a probe that finds the port is told the truth from then on.
  const operations =
    config.healthPort === null ? null : await serveOperations(app.operations, config.healthPort, config.host);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, async () => {
      console.log(`${signal}: finishing the current batches`);
      operations?.server.close();
      await app.stop();
      // Nothing is left to run: the process ends by itself once its output is written.
    });
  }
  app.startBackgroundWork();
  console.log(
    `MMS worker ${app.engine?.workerId} running on ${describeDatabase(config.database)} ` +
      `(${config.engine.concurrency} users at a time${config.delivery ? ', delivering invitations' : ''})` +
      (operations ? `; health and metrics at ${operations.url}` : ''),
  );
} catch (error) {
  const failure = startupFailure(error);
  console.error(failure ? `mms worker: ${failure}` : error);
  process.exit(1);
}
