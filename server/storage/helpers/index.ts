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
  transaction: TransactionHelper;
  batch: BatchHelper;
  claim: ClaimHelper;
  schema: SchemaHelper;
}
