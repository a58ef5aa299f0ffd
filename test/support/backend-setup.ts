/** Runs in every test file: drops the PostgreSQL schemas the file made once its own hooks are done. */
import { afterAll } from 'vitest';
import { dropTestDatabases } from './backend.ts';

afterAll(dropTestDatabases);
