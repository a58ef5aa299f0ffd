/**
 * Databases of the benchmark's own on the PostgreSQL server: one seeded once as a template, and a copy of
 * it for each run (CREATE DATABASE … TEMPLATE copies files, much faster than seeding again). All are
 * dropped at the end.
 */
import pg from 'pg';

export interface BenchDatabases {
  /** A new database, copied from `template` when given; returns its URL. */
  create(name: string, template?: string): Promise<string>;
  /** Drops one database made here. */
  drop(name: string): Promise<void>;
  /** Drops every database made here. */
  dropAll(): Promise<void>;
}

/** `serverUrl` names any database of the server: the benchmark's own are made beside it. */
export function benchDatabases(serverUrl: string): BenchDatabases {
  const prefix = `mms_bench_${process.pid}`;
  const made: string[] = [];
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const urlOf = (database: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  return {
    async create(name, template) {
      const database = `${prefix}_${name}`;
      const templateName = template ? `${prefix}_${template}` : null;
      await admin((client) =>
        client.query(`create database ${database}${templateName ? ` template ${templateName}` : ''}`),
      );
      made.push(database);
      return urlOf(database);
    },
    async drop(name) {
      const database = `${prefix}_${name}`;
      made.splice(made.indexOf(database), 1);
      await admin((client) => client.query(`drop database if exists ${database} with (force)`));
    },
    async dropAll() {
      const databases = made.splice(0).reverse();
      if (databases.length === 0) return;
      await admin(async (client) => {
        // WITH (FORCE): a process of the run that did not stop would keep it open.
        for (const database of databases)
          await client.query(`drop database if exists ${database} with (force)`);
      });
    },
  };
}
