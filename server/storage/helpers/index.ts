/**
 * What differs between the storage backends, one small helper per concern with one file per dialect
 * (`<concern>/sqlite.ts` beside `<concern>/postgres.ts`), chosen once when the database opens. Every other
 * query is shared and lives in server/storage/*.ts.
 */
import type { BatchHelper } from './batch/index.ts';
import type { ClaimHelper } from './claim/index.ts';
import type { SchemaHelper } from './schema/index.ts';
import type { TransactionHelper } from './transaction/index.ts';

export type Backend = 'sqlite' | 'postgres';

export interface StorageHelpers {
  backend: Backend;
  /**
   * One writer at a time (SQLite): a transaction sees every commit made before it began and none is made
   * while it is open, so it never conflicts with another; and each commit waits for the disk. The engine
   * then shares transactions: the batches of several runs commit together, and a run's end claims the
   * next run in the same commit. Where writers are many (PostgreSQL, repeatable read) a claim in a longer
   * transaction would race other workers' claims from a stale snapshot and fail the whole transaction.
   */
  singleWriter: boolean;
  transaction: TransactionHelper;
  batch: BatchHelper;
  claim: ClaimHelper;
  schema: SchemaHelper;
}
