import type { Db } from '../../database.ts';

/** Runs the work in one transaction of `db`: all of it commits, or none of it. */
export type TransactionHelper = <T>(db: Db, work: (trx: Db) => Promise<T>) => Promise<T>;
