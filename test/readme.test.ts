/**
 * The README cannot drift: every GraphQL example runs verbatim against `npm start`'s demo data, every
 * command names a script or file that exists, and the configuration table lists exactly the settings
 * the code reads.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../server/config.ts';
import { databaseEnv, testDatabase } from './support/backend.ts';
import { type Running, run } from './support/processes.ts';

const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The fenced code blocks of one language, in order. */
function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map(
    (match) => match[1] as string,
  );
}

/** Every setting the code reads from the environment. */
function settingsReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const file of ['server/config.ts', 'tui/connection.ts']) {
    const source = readFileSync(join(PROJECT_ROOT, file), 'utf8');
    for (const match of source.matchAll(/env\.([A-Z][A-Z0-9_]+)|'((?:MMS_|PORT)[A-Z0-9_]*)'/g)) {
      names.add((match[1] ?? match[2]) as string);
    }
  }
  return names;
}

/** Objects that are nothing but a typed error's message. */
function typedErrorsIn(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(typedErrorsIn);
  if (value === null || typeof value !== 'object') return [];
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'message') return [value];
  return Object.values(value).flatMap(typedErrorsIn);
}

describe('commands', () => {
  const commands = codeBlocks('sh').flatMap((block) =>
    block
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean),
  );

  test('the README shows the two set-up commands', () => {
    expect(commands).toContain('npm install && npm start');
    expect(commands).toContain('npm install && npm test');
  });

  test('every npm script and file it runs exists', () => {
    expect(commands.length).toBeGreaterThan(4);
    for (const command of commands) {
      for (const [, verb, script] of command.matchAll(/npm (run(?: -s)?|start|test)\b\s*([\w:-]*)/g)) {
        expect(packageJson.scripts, command).toHaveProperty(
          verb?.startsWith('run') ? (script as string) : (verb as string),
        );
      }
      for (const [, file] of command.matchAll(/\bnode ([\w/.-]+\.tsx?)/g)) {
        expect(existsSync(join(PROJECT_ROOT, file as string)), command).toBe(true);
      }
    }
  });
});

/** The text of one `## ` section. */
function section(title: string): string {
  const start = readme.slice(readme.indexOf(`## ${title}\n`));
  return start.slice(0, start.indexOf('\n## ', 3));
}

describe('configuration table', () => {
  // The limits have a table of their own.
  const tables = section('Configuration') + section('Security and limits');
  const documented = new Set(
    [...tables.matchAll(/`((?:MMS_|PORT|HOST)[A-Z0-9_]*)`/g)].map((m) => m[1] as string),
  );

  test('lists every setting the server and the clients read, and no other', () => {
    expect([...documented].sort()).toEqual([...settingsReadByCode()].sort());
  });
});

describe('GraphQL examples against the demo data', () => {
  let dir: string;
  let server: Running;
  let url: string;
  let operatorToken: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mms-readme-'));
    server = run('server/main.ts', [], {
      PORT: '0',
      HOST: '127.0.0.1',
      ...databaseEnv(await testDatabase(join(dir, 'mms.sqlite'))),
      MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
      MMS_ADMIN_TOKEN: '',
    });
    url = (await server.line((l) => l.includes('GraphQL API'), 60_000)).split(/\s+/).at(-1) as string;
    operatorToken = (await server.line((l) => l.includes('Operator token'))).split(/\s+/).at(-1) as string;
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const examples = codeBlocks('graphql');
  test('there are examples', () => expect(examples.length).toBeGreaterThan(1));

  test.each(examples.map((example, i) => [i + 1, example] as const))(
    'example %i runs without an error',
    async (_n, example) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` },
        body: JSON.stringify({ query: example }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      expect(response.status).toBe(200);
      expect(body.data).toBeTruthy();
      // A payload union answering with one of its typed errors (`... on Error { message }`) failed too.
      expect(typedErrorsIn(body.data)).toEqual([]);
    },
  );
});
