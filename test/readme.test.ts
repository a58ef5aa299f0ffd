/**
 * The README cannot drift: every GraphQL example runs verbatim against `npm start`'s demo data, every
 * command names a script or file that exists, and the configuration table lists exactly the settings
 * the code reads.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../server/config.ts';
import { databaseEnv, testDatabase } from './support/backend.ts';
import { type Running, run } from './support/processes.ts';
import {
  codeBlocks,
  README,
  readmeCommands,
  runShell,
  type ShellCommand,
} from './support/readme-commands.ts';

const readme = README;
const packageJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};

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
  const commands = readmeCommands();

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

/**
 * Every command of the README, run as written against a demo server of this test's own: only its address,
 * token, database and ports are put in (a command that names port 4000 gets a free one). A command added to
 * the README without a way of running it here fails the first test.
 */
describe('every README command, run', () => {
  const commands = readmeCommands();
  let dir: string;
  let demo: Running;
  let url: string;
  let token: string;
  let database: string;
  /** Settings every command gets: where the demo server's data and credentials are. */
  let env: Record<string, string>;
  const started: ShellCommand[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mms-readme-commands-'));
    database = await testDatabase(join(dir, 'mms.sqlite'));
    env = {
      HOST: '127.0.0.1',
      MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
      MMS_ADMIN_TOKEN: '',
      MMS_URL: '',
      MMS_TOKEN: '',
      MMS_DB: '',
      MMS_DATABASE_URL: '',
      MMS_REDIS_URL: '',
      // Migrations wait an hour: the one a command triggers stays open for every subscriber to see.
      MMS_HOLD_SECONDS: '3600',
      ...databaseEnv(database),
    };
    demo = run('server/main.ts', [], { ...env, PORT: '0' });
    url = (await demo.line((l) => l.includes('GraphQL API'), 60_000)).split(/\s+/).at(-1) as string;
    token = (await demo.line((l) => l.includes('Operator token'))).split(/\s+/).at(-1) as string;
  }, 90_000);
  afterAll(async () => {
    await Promise.all(started.map((command) => command.stop()));
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The server started with a metrics token, for the command that scrapes it. */
  let metricsOrigin = '';
  /** The command with this test's server, token, files and free ports in place of the README's. */
  const localised = (command: string, origin = new URL(url).origin) =>
    command
      .replace(/ &$/, '')
      .replaceAll('http://localhost:4000/graphql', url)
      .replaceAll('http://localhost:4000', origin)
      .replaceAll('mkdir -p data', `mkdir -p ${dir}`)
      .replaceAll('data/metrics-token', join(dir, 'metrics-token'))
      .replaceAll('https://mms.example.com/graphql', url)
      .replaceAll('MMS_TOKEN=…', `MMS_TOKEN=${token}`)
      .replaceAll('~/.mms-token', join(dir, 'token'))
      .replaceAll('data/b.json', join(dir, 'b.json'))
      .replace(/PORT=\d+/g, 'PORT=0');
  const shell = (command: string, extra: Record<string, string> = {}, origin?: string) => {
    const running = runShell(localised(command, origin), { PORT: '0', ...env, ...extra });
    started.push(running);
    return running;
  };
  /** A server of its own (a new database) for commands that start one. */
  const ownServer = async () =>
    databaseEnv(await testDatabase(join(mkdtempSync(join(dir, 'own-')), 'mms.sqlite')));
  const triggerFirstDemoUser = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query:
          'mutation { grantTeamsUpgradePolicy(input: { userId: "VXNlcjox", mode: TEAMS_ONLY }) { __typename } }',
      }),
    });
  const startsServing = async (command: string, extra: Record<string, string>) => {
    const running = shell(command, extra);
    await running.printed(/MMS is running|MMS worker .* running/);
    await running.stop();
  };

  /** A benchmark takes minutes: its flags are checked against what bench/run.ts takes and documents. */
  const benchFlagsExist = (command: string) => {
    const source = readFileSync(join(PROJECT_ROOT, 'bench/run.ts'), 'utf8');
    for (const [, flag] of command.matchAll(/--([a-z-]+)/g)) {
      expect(source, command).toContain(`'${flag}': {`.replace(/^'([a-z]+)'/, '$1'));
      expect(source, command).toMatch(new RegExp(`^ \\* +--${flag} `, 'm'));
    }
  };

  /** How each command is run and what shows that it worked. */
  const checks: Record<string, () => Promise<void>> = {
    'npm install && npm start': async () => {
      // `npm install` has run before any test; `npm start` runs as written, on a database of its own.
      await startsServing('npm start', {
        ...(await ownServer()),
        MMS_CREDENTIALS_FILE: join(dir, 'start.json'),
      });
    },
    'npm install && npm test': async () => {
      // Not run from within itself: what it runs is checked, and CI (.ci/run) runs exactly it.
      expect(packageJson.scripts.test).toBe('tsc --noEmit && biome check . && vitest run');
      expect(readFileSync(join(PROJECT_ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test 2>&1/m);
    },
    'npx mms-watch --user ahmed.alhassan.1@contoso.com': async () => {
      const watch = shell('npx mms-watch --user ahmed.alhassan.1@contoso.com', { MMS_URL: url });
      await watch.printed(/^watch: connected/);
      await triggerFirstDemoUser();
      const line = await watch.printed(/^\{.*ahmed\.alhassan\.1@contoso\.com/);
      expect(JSON.parse(line)).toMatchObject({
        event: 'meetingMigrationUpdated',
        migration: { state: 'PENDING' },
      });
    },
    'npx mms-watch --state FAILED --since 1h --retries 5': async () => {
      const watch = shell('npx mms-watch --state FAILED --since 1h --retries 5', { MMS_URL: url });
      await watch.printed(/^watch: connected/);
      // The demo's migrations have not failed: there is nothing to print, and it keeps watching.
      expect(watch.stdout()).toBe('');
    },
    'MMS_URL=http://localhost:4000/graphql MMS_TOKEN=… npx node examples/watch-migrations.ts': async () => {
      const example = shell(
        'MMS_URL=http://localhost:4000/graphql MMS_TOKEN=… npx node examples/watch-migrations.ts',
      );
      await triggerFirstDemoUser();
      // An open migration is in what a new subscription starts with: no wait for it to be listening.
      const line = await example.printed(/^\{.*"ahmed\.alhassan\.1@contoso\.com"/);
      expect(JSON.parse(line)).toMatchObject({ state: 'PENDING' });
    },
    'npm run tui': async () => {
      // Without a terminal it prints one snapshot of the dashboard and exits 0.
      const tui = shell('npm run tui', { MMS_URL: url });
      expect(await tui.exited).toBe(0);
      expect(tui.stdout()).toMatch(/^MMS · Contoso · /m);
    },
    'npm run tui -- --url https://mms.example.com/graphql --token-file ~/.mms-token': async () => {
      writeFileSync(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
      const tui = shell('npm run tui -- --url https://mms.example.com/graphql --token-file ~/.mms-token');
      expect(await tui.exited).toBe(0);
      expect(tui.stdout()).toMatch(/^MMS · Contoso · /m);
    },
    'MMS_ENGINE=off npm start': async () =>
      startsServing('MMS_ENGINE=off npm start', { MMS_CREDENTIALS_FILE: join(dir, 'off.json') }),
    'npm run worker': async () => startsServing('npm run worker', {}),
    'export MMS_DATABASE_URL=postgres://mms@127.0.0.1:5432/mms': async () => {
      const value = 'postgres://mms@127.0.0.1:5432/mms';
      expect(loadConfig({ MMS_DATABASE_URL: value }).database).toBe(value);
    },
    'MMS_ENGINE=off PORT=4000 npm start &': async () =>
      startsServing('MMS_ENGINE=off PORT=4000 npm start &', { MMS_CREDENTIALS_FILE: join(dir, 'a.json') }),
    'MMS_ENGINE=off PORT=4001 npm start &': async () =>
      startsServing('MMS_ENGINE=off PORT=4001 npm start &', { MMS_CREDENTIALS_FILE: join(dir, 'c.json') }),
    'npm run worker & npm run worker &': async () => {
      const workers = shell('npm run worker & npm run worker & wait');
      await expect
        .poll(() => workers.stdout().match(/^MMS worker .* running/gm)?.length ?? 0, { timeout: 60_000 })
        .toBe(2);
      await workers.stop();
    },
    'curl -s http://localhost:4000/healthz': async () => {
      const curl = shell('curl -s http://localhost:4000/healthz');
      expect(await curl.exited).toBe(0);
      expect(JSON.parse(curl.stdout())).toEqual({ status: 'alive' });
    },
    'curl -s http://localhost:4000/readyz': async () => {
      const curl = shell('curl -s http://localhost:4000/readyz');
      expect(await curl.exited).toBe(0);
      expect(JSON.parse(curl.stdout())).toEqual({ status: 'ready' });
    },
    '(umask 077; mkdir -p data && openssl rand -hex 32 > data/metrics-token)': async () => {
      const made = shell('(umask 077; mkdir -p data && openssl rand -hex 32 > data/metrics-token)');
      expect(await made.exited).toBe(0);
      const file = join(dir, 'metrics-token');
      expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    },
    'MMS_METRICS_TOKEN=$(cat data/metrics-token) npm start': async () => {
      // Kept running for the scrape that follows it in the README.
      const server = shell('MMS_METRICS_TOKEN=$(cat data/metrics-token) npm start', {
        ...(await ownServer()),
        MMS_CREDENTIALS_FILE: join(dir, 'metrics.json'),
      });
      const line = await server.printed(/GraphQL API/);
      metricsOrigin = new URL(line.split(/\s+/).at(-1) as string).origin;
    },
    'curl -s -H "Authorization: Bearer $(cat data/metrics-token)" http://localhost:4000/metrics | grep \'^mms_\'':
      async () => {
        expect(metricsOrigin).not.toBe('');
        const curl = shell(
          `curl -s -H "Authorization: Bearer $(cat data/metrics-token)" http://localhost:4000/metrics | grep '^mms_'`,
          {},
          metricsOrigin,
        );
        expect(await curl.exited).toBe(0);
        const lines = curl.stdout().trim().split('\n');
        expect(lines.every((line) => line.startsWith('mms_'))).toBe(true);
        expect(lines).toContainEqual(expect.stringMatching(/^mms_migrations\{state="PENDING"\} \d+$/));
      },
    'export MMS_REDIS_URL=redis://localhost:6379': async () => {
      expect(loadConfig({ MMS_REDIS_URL: 'redis://localhost:6379' }).redis?.url).toBe(
        'redis://localhost:6379',
      );
    },
    'MMS_ENGINE=off PORT=4000 npm start': async () =>
      startsServing('MMS_ENGINE=off PORT=4000 npm start', { MMS_CREDENTIALS_FILE: join(dir, 'd.json') }),
    'MMS_ENGINE=off PORT=4001 MMS_CREDENTIALS_FILE=data/b.json npm start': async () => {
      await startsServing('MMS_ENGINE=off PORT=4001 MMS_CREDENTIALS_FILE=data/b.json npm start', {});
      expect(existsSync(join(dir, 'b.json'))).toBe(true);
    },
    ...Object.fromEntries(
      commands
        .filter((command) => command.startsWith('npm run bench'))
        .map((command) => [command, async () => benchFlagsExist(command)]),
    ),
  };

  test('every command of the README has a way of running it here', () => {
    expect(commands.filter((command) => !(command in checks))).toEqual([]);
  });

  /**
   * The commands named in the README's sentences (`npm run …` in backquotes), each run or checked here.
   * A command that is also a line of a `sh` block is run above; a placeholder (`npm run …`) names none.
   */
  const inlineChecks: Record<string, () => Promise<void>> = {
    'npm install': async () => expect(commands).toContain('npm install && npm start'),
    // "every `npm run …` uses it": npm puts the project's bin folder, with the `node` package's Node.js in
    // it, first on the PATH of every script it runs.
    'npm run …': async () => {
      const env = shell('npm run -s env');
      expect(await env.exited).toBe(0);
      const first = /^PATH=([^:\n]+)/m.exec(env.stdout())?.[1] as string;
      expect(first).toBe(join(PROJECT_ROOT, 'node_modules', '.bin'));
      const version = shell(`"${join(first, 'node')}" --version`);
      expect(await version.exited).toBe(0);
      expect(version.stdout().trim()).toBe(`v${packageJson.devDependencies.node}`);
    },
    'npx node file.ts': async () =>
      expect(commands.some((command) => /\bnpx node examples\/\S+\.ts$/.test(command))).toBe(true),
    'npm run watch': async () => expect(packageJson.scripts.watch).toBe('node tui/watch.ts'),
    'npm run -s watch --': async () => expect(packageJson.scripts.watch).toBe('node tui/watch.ts'),
    'npx mms-watch': async () =>
      expect(commands.some((command) => command.startsWith('npx mms-watch '))).toBe(true),
    'npm run seed': async () => {
      const seeded = shell('npm run seed', await ownServer());
      expect(await seeded.exited).toBe(0);
      expect(seeded.stdout()).toMatch(/: 300 users, 3000 meetings, /);
    },
    'npm run seed -- --users N --meetings-per-user M': async () => {
      const seeded = shell('npm run seed -- --users 3 --meetings-per-user 2', await ownServer());
      expect(await seeded.exited).toBe(0);
      expect(seeded.stdout()).toMatch(/: 3 users, 6 meetings, /);
    },
    'npm run seed -- --reset': async () => {
      // On an embedded database of its own that a first start seeded: the next start makes a new token.
      const own = {
        MMS_DB: join(mkdtempSync(join(dir, 'reset-')), 'mms.sqlite'),
        MMS_DATABASE_URL: '',
        MMS_CREDENTIALS_FILE: join(dir, 'reset.json'),
      };
      const tokenOfAStart = async () => {
        const server = shell('npm start', own);
        await server.printed(/MMS is running/);
        await server.stop();
        return JSON.parse(readFileSync(own.MMS_CREDENTIALS_FILE, 'utf8')).operatorToken as string;
      };
      const before = await tokenOfAStart();
      const reset = shell('npm run seed -- --reset', own);
      expect(await reset.exited).toBe(0);
      const after = await tokenOfAStart();
      expect(after).toMatch(/^mms_op_/);
      expect(after).not.toBe(before);
    },
    'npx node -p "require(\'./data/local-credentials.json\').operatorToken"': async () => {
      const printed = shell(
        `npx node -p "require('./data/local-credentials.json').operatorToken"`.replace(
          './data/local-credentials.json',
          join(dir, 'credentials.json'),
        ),
      );
      expect(await printed.exited).toBe(0);
      expect(printed.stdout().trim()).toBe(token);
    },
    'npx mms-watch --help': async () => {
      const help = shell('npx mms-watch --help');
      expect(await help.exited).toBe(0);
      expect(help.stdout()).toMatch(/^usage: mms-watch/m);
    },
    'npm run tui -- --help': async () => {
      const help = shell('npm run tui -- --help');
      expect(await help.exited).toBe(0);
      expect(help.stdout()).toMatch(/^usage: npm run tui -- /m);
    },
    // `npm test` runs the first two as they are; `format` is the same check, writing its fixes.
    'npm run typecheck': async () =>
      expect(packageJson.scripts.test).toContain(packageJson.scripts.typecheck),
    'npm run lint': async () => expect(packageJson.scripts.test).toContain(packageJson.scripts.lint),
    'npm run format': async () => {
      expect(packageJson.scripts.lint).toBe('biome check .');
      expect(packageJson.scripts.format).toBe('biome check --write .');
    },
    'npm run schema:print': async () => {
      // Writing the files again leaves the checked-in ones as they are (the schema test fails otherwise).
      expect(packageJson.scripts['schema:print']).toBe('node server/cli/print-schema.ts');
    },
    'npx vitest run --project sqlite': async () =>
      expect(readFileSync(join(PROJECT_ROOT, 'vitest.config.ts'), 'utf8')).toContain("project('sqlite')"),
  };
  for (const command of readme.matchAll(/`(npm run bench[^`]*)`/g)) {
    inlineChecks[command[1] as string] = async () => benchFlagsExist(command[1] as string);
  }
  const inlineCommands = [
    ...new Set(
      [...readme.matchAll(/`((?:npm|npx) [^`]+)`/g)]
        .map((match) => match[1] as string)
        .filter((command) => !commands.includes(command) && !['npm start', 'npm test'].includes(command)),
    ),
  ];

  test('every command named in the text has a way of running or checking it here', () => {
    expect(inlineCommands.length).toBeGreaterThan(5);
    expect(inlineCommands.filter((command) => !(command in inlineChecks))).toEqual([]);
  });

  test.each([
    ...commands.map((command) => [command, checks[command]] as const),
    ...inlineCommands.map((command) => [`named in the text: ${command}`, inlineChecks[command]] as const),
  ])(
    '%s',
    async (command, check) => {
      if (!check) throw new Error(`no check for ${command}`);
      await check();
    },
    120_000,
  );
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

  /** Each setting of the tables with the default written beside it, where that default is a value. */
  const documentedDefaults = tables
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .flatMap((line) => {
      const cells = line.split(' | ');
      // The configuration table: setting | default | what; the limits': limit | setting | default | refusal.
      const [settingsCell, defaultsCell] = cells.length === 4 ? [cells[1], cells[2]] : [cells[0], cells[1]];
      const settings = [...(settingsCell ?? '').matchAll(/`((?:MMS_|PORT|HOST)[A-Z0-9_]*)`/g)];
      const values = (defaultsCell ?? '').split(', ').map((value) => /^`([^`<>]+)`/.exec(value.trim())?.[1]);
      if (settings.length === 0 || values.length !== settings.length) return [];
      return settings.flatMap(([, setting], i) =>
        values[i] === undefined ? [] : [[setting as string, values[i] as string] as const],
      );
    });

  test('every default written in them is the one the server takes when the setting is unset', () => {
    expect(documentedDefaults.length).toBeGreaterThan(20);
    const unset = loadConfig({});
    for (const [setting, value] of documentedDefaults.filter(([setting]) => !setting.startsWith('MMS_URL'))) {
      // A path is the project folder's, where every npm script runs.
      const given = /^\w+\/[\w./-]+$/.test(value) ? join(PROJECT_ROOT, value) : value;
      expect({ [setting]: loadConfig({ [setting]: given }) }).toEqual({ [setting]: unset });
    }
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

  // Before the examples that follow it start a migration.
  test('the first example answers as the README says: every count 0 and no migrations', async () => {
    expect(readme).toContain('On fresh demo data it answers every count 0 and no migrations');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` },
      body: JSON.stringify({ query: examples[0] }),
    });
    const { data } = (await response.json()) as {
      data: { meetingMigrationSummary: Record<string, number>; meetingMigrations: { edges: unknown[] } };
    };
    expect(Object.keys(data.meetingMigrationSummary).length).toBeGreaterThan(3);
    expect(Object.values(data.meetingMigrationSummary).every((count) => count === 0)).toBe(true);
    expect(data.meetingMigrations.edges).toEqual([]);
  });

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
