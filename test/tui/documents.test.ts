/**
 * Every GraphQL document of the TUI is written with graphql() from tui/graphql.ts, and each one, with the
 * fragments it is given, is valid against schema.graphql. gql.tada types a field the schema lacks as
 * `unknown` instead of failing the type check; this test fails instead. The documents are read from the
 * sources (some modules of tui/ run a program when imported) and put together as gql.tada does at run
 * time: the document's own definitions, then those of the fragments passed beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import {
  buildSchema,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
  Kind,
  NoUnusedFragmentsRule,
  parse,
  print,
  specifiedRules,
  validate,
} from 'graphql';
import { parseSync } from 'vite';
import { describe, expect, test } from 'vitest';

const root = new URL('../../', import.meta.url);
const schema = buildSchema(readFileSync(new URL('schema.graphql', root), 'utf8'));

/** A graphql() call as written: where, the constant it is assigned to, its text and its fragments' names. */
interface Written {
  file: string;
  at: string;
  name: string | null;
  text: string;
  fragments: string[];
}

/** What scanning a source found: the graphql() calls, and operations written outside them. */
interface Scan {
  documents: Written[];
  problems: string[];
}

type AstNode = { type: string; start: number; end: number; [key: string]: unknown };

const isNode = (value: unknown): value is AstNode =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

function children(node: AstNode): AstNode[] {
  return Object.values(node).flatMap((value) =>
    Array.isArray(value) ? value.filter(isNode) : isNode(value) ? [value] : [],
  );
}

/** The text of a string literal or of a template literal (its placeholders as `__`). */
function textOf(node: AstNode): string | null {
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral')
    return (node.quasis as { value: { cooked: string | null; raw: string } }[])
      .map((quasi) => quasi.value.cooked ?? quasi.value.raw)
      .join('__');
  return null;
}

/** A string that reads as a GraphQL operation or fragment. */
function looksLikeGraphQL(text: string): boolean {
  if (/\b(query|mutation|subscription)\b\s*\w*\s*(\([^)]*\))?\s*\{/.test(text)) return true;
  if (/\bfragment\s+\w+\s+on\s+\w+/.test(text)) return true;
  try {
    return parse(text).definitions.length > 0;
  } catch {
    return false;
  }
}

function scanSource(file: string, source: string): Scan {
  const { program, errors } = parseSync(file, source);
  if (errors.length > 0) return { documents: [], problems: [`${file}: does not parse`] };
  const lineOf = (offset: number) => source.slice(0, offset).split('\n').length;
  const documents: Written[] = [];
  const problems: string[] = [];
  function visit(node: AstNode, assignedTo: string | null) {
    if (node.type === 'CallExpression' && isNode(node.callee) && node.callee.name === 'graphql') {
      const at = `${file}:${lineOf(node.start)}`;
      const [first, second] = node.arguments as AstNode[];
      const text =
        first && !(first.type === 'TemplateLiteral' && (first.expressions as []).length > 0)
          ? textOf(first)
          : null;
      const listed = second?.type === 'ArrayExpression' ? (second.elements as AstNode[]) : [];
      if (text === null) problems.push(`${at}: graphql() is given no literal text (gql.tada cannot type it)`);
      else if ((second && second.type !== 'ArrayExpression') || listed.some((e) => e.type !== 'Identifier'))
        problems.push(`${at}: graphql()'s fragments are not a list of constants`);
      else documents.push({ file, at, name: assignedTo, text, fragments: listed.map((e) => String(e.name)) });
      return;
    }
    const text = textOf(node);
    if (text !== null && looksLikeGraphQL(text))
      problems.push(
        `${file}:${lineOf(node.start)}: a GraphQL document outside graphql(): ${text.slice(0, 60)}`,
      );
    const name = node.type === 'VariableDeclarator' && isNode(node.id) ? String(node.id.name) : null;
    for (const child of children(node)) visit(child, name && child === node.init ? name : null);
  }
  visit(program as unknown as AstNode, null);
  return { documents, problems };
}

/**
 * The graphql() document a constant named in `file` holds: the one of that name in the file, else the only
 * one of that name (imported).
 */
function resolve(name: string, file: string, all: Written[]): Written {
  const named = all.filter((d) => d.name === name);
  const found = named.find((d) => d.file === file) ?? (named.length === 1 ? named[0] : undefined);
  if (!found) throw new Error(`${file}: fragment constant ${name} is not one graphql() document`);
  return found;
}

/** The document as gql.tada builds it: its definitions, then each fragment's, once each by name. */
function assemble(document: Written, all: Written[]): DocumentNode {
  const definitions: DefinitionNode[] = [...parse(document.text).definitions];
  const seen = new Set(definitions.map((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? d.name.value : '')));
  for (const name of document.fragments) {
    for (const definition of assemble(resolve(name, document.file, all), all).definitions) {
      if (definition.kind !== Kind.FRAGMENT_DEFINITION || seen.has(definition.name.value)) continue;
      seen.add(definition.name.value);
      definitions.push(definition);
    }
  }
  return { kind: Kind.DOCUMENT, definitions };
}

/** What is wrong with a document against the schema: nothing when it is valid. */
function problemsOf(document: Written, all: Written[], against: GraphQLSchema): string[] {
  let assembled: DocumentNode;
  try {
    assembled = assemble(document, all);
  } catch (error) {
    return [(error as Error).message];
  }
  // A fragment alone is used by no operation: the operations that spread it check that.
  const operation = assembled.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION);
  const rules = operation ? specifiedRules : specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule);
  return validate(against, assembled, rules).map((error) => `${document.at}: ${error.message}`);
}

function sourcesIn(folder: URL): URL[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourcesIn(new URL(`${entry.name}/`, folder))
      : /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')
        ? [new URL(entry.name, folder)]
        : [],
  );
}

const scans = sourcesIn(new URL('tui/', root)).map((file) =>
  scanSource(file.pathname.slice(root.pathname.length), readFileSync(file, 'utf8')),
);
const documents = scans.flatMap((scan) => scan.documents);

/** `${name}` in a template literal of the source scanned. */
const placeholder = (name: string) => `$\{${name}}`;

describe('the TUI’s GraphQL documents', () => {
  test('are all written with graphql(), none as a plain string', () => {
    expect(scans.flatMap((scan) => scan.problems)).toEqual([]);
    // Queries, mutations, subscriptions and fragments of every screen, the watch and the snapshot.
    expect(documents.length).toBeGreaterThanOrEqual(30);
  });

  test('each one is valid against schema.graphql, with the fragments it is given', () => {
    expect(documents.flatMap((d) => problemsOf(d, documents, schema))).toEqual([]);
  });

  test('as gql.tada builds them at run time, they are what this test put together and validated', async () => {
    // The modules that only define (the others run a program when imported): their exported documents.
    const modules = [
      ...sourcesIn(new URL('tui/components/', root)),
      new URL('tui/commands.ts', root),
      new URL('tui/live-migrations.ts', root),
      new URL('tui/snapshot.ts', root),
    ];
    const built: [string, DocumentNode][] = [];
    for (const file of modules) {
      const path = file.pathname.slice(root.pathname.length);
      for (const [name, value] of Object.entries(await import(file.href)))
        if ((value as { kind?: unknown } | null)?.kind === Kind.DOCUMENT)
          built.push([`${path} ${name}`, value as DocumentNode]);
    }
    expect(built.length).toBeGreaterThanOrEqual(15);
    for (const [where, document] of built) {
      const [path, name] = where.split(' ') as [string, string];
      const written = resolve(name, path, documents);
      expect(print(document), where).toBe(print(assemble(written, documents)));
    }
  });

  test('a document asking for a field the schema lacks is refused', () => {
    const wrong: Written = {
      file: 'wrong.ts',
      at: 'wrong.ts:1',
      name: 'WRONG',
      text: 'query Wrong { meetingMigrationSummary { ...MigrationCounts retried } }',
      fragments: ['MIGRATION_COUNTS'],
    };
    expect(problemsOf(wrong, documents, schema)).toEqual([
      'wrong.ts:1: Cannot query field "retried" on type "MeetingMigrationSummary".',
    ]);
    // A fragment spread but not given beside the document would reach the server undefined.
    expect(
      problemsOf({ ...wrong, text: wrong.text.replace(' retried', ''), fragments: [] }, documents, schema),
    ).toEqual(['wrong.ts:1: Unknown fragment "MigrationCounts".']);
  });

  test('an operation written as a plain string is found, one inside graphql() is collected', () => {
    const source = [
      'const A = graphql(`query A { viewer { kind } }`);',
      "const B = graphql('fragment B on Viewer { kind }');",
      'const C = graphql(`query C { viewer { ...B } }`, [B]);',
      'const D = `subscription { meetingMigrationSummaryUpdated { failed } }`;',
      "const E = '{ viewer { kind } }';",
      `const F = \`mutation($input: X!) { ${placeholder('field')}(input: $input) { __typename } }\`;`,
      "const label = 'no query here';",
    ].join('\n');
    const scan = scanSource('example.ts', source);
    expect(scan.documents.map((d) => [d.name, d.fragments])).toEqual([
      ['A', []],
      ['B', []],
      ['C', ['B']],
    ]);
    expect(scan.problems.map((p) => p.split(': ')[0])).toEqual([
      'example.ts:4',
      'example.ts:5',
      'example.ts:6',
    ]);
    // A document put together at run time cannot be typed, nor checked here.
    expect(scanSource('example.ts', `graphql(\`query { ${placeholder('x')} }\`);`).problems).toEqual([
      'example.ts:1: graphql() is given no literal text (gql.tada cannot type it)',
    ]);
  });
});
