/** Bulk loading for demo data and benchmarks, the writer of the database opened. */
import type { OpenedDatabase } from './database.ts';
import type { BulkWriter } from './helpers/bulk/index.ts';
import { postgresBulkWriter } from './helpers/bulk/postgres.ts';
import { sqliteBulkWriter } from './helpers/bulk/sqlite.ts';

export type {
  BulkBridgeNumber,
  BulkMeeting,
  BulkTenant,
  BulkUser,
  BulkWriter,
} from './helpers/bulk/index.ts';

export function bulkWriter(opened: OpenedDatabase): BulkWriter {
  return opened.backend === 'sqlite' ? sqliteBulkWriter(opened.sqlite) : postgresBulkWriter(opened.db);
}
