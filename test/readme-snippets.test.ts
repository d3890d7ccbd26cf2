/*
 * Every TypeScript snippet of the README type-checks against the current API.
 *
 * Each ```ts (or ```typescript) block is wrapped in a fixture the way jsii-rosetta wraps
 * snippets: aws-cdk-lib's module namespaces (`ec2`, `rds`, …) and its common names (`App`,
 * `Duration`, …) are imported at the top, the snippet's own imports and `declare` statements are
 * hoisted to module level, and the rest of the snippet is the body of a Stack's constructor, so
 * `this` is a scope. Names of this library are not provided: a snippet imports what it uses,
 * as a user copying it must. All blocks are checked in one TypeScript program.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const repoRoot = path.join(__dirname, '..');
const readmePath = path.join(repoRoot, 'README.md');

/** A fenced TypeScript block of a markdown file. */
interface Snippet {
  /** Where the block comes from, for messages (`README.md`). */
  readonly source: string;
  /** The 1-based line of the opening fence. */
  readonly fenceLine: number;
  /** Words after the language in the info string (```ts nocompile → ['nocompile']). */
  readonly flags: string[];
  readonly code: string;
}

/** Fenced blocks whose info string's language is `ts` or `typescript`. */
function extractTypeScriptBlocks(markdown: string, source: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Snippet[] = [];
  let open: { fence: string; indent: number; fenceLine: number; language: string; flags: string[]; body: string[] } | undefined;
  lines.forEach((line, i) => {
    if (!open) {
      const start = /^( {0,3})(`{3,}|~{3,})\s*(.*)$/.exec(line);
      if (!start) return;
      const [language = '', ...flags] = start[3].trim().split(/\s+/).filter(Boolean);
      open = { fence: start[2], indent: start[1].length, fenceLine: i + 1, language: language.toLowerCase(), flags, body: [] };
      return;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      if (open.language === 'ts' || open.language === 'typescript') {
        blocks.push({ source, fenceLine: open.fenceLine, flags: open.flags, code: open.body.join('\n') });
      }
      open = undefined;
      return;
    }
    open.body.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
  });
  return blocks;
}

/** aws-cdk-lib module namespaces a snippet may use without importing them, as in aws-cdk's own READMEs. */
const FIXTURE_NAMESPACES: Record<string, string> = {
  cdk: 'aws-cdk-lib',
  cloudwatch: 'aws-cdk-lib/aws-cloudwatch',
  ec2: 'aws-cdk-lib/aws-ec2',
  ecs: 'aws-cdk-lib/aws-ecs',
  elbv2: 'aws-cdk-lib/aws-elasticloadbalancingv2',
  events: 'aws-cdk-lib/aws-events',
  iam: 'aws-cdk-lib/aws-iam',
  kms: 'aws-cdk-lib/aws-kms',
  lambda: 'aws-cdk-lib/aws-lambda',
  logs: 'aws-cdk-lib/aws-logs',
  rds: 'aws-cdk-lib/aws-rds',
  route53: 'aws-cdk-lib/aws-route53',
  s3: 'aws-cdk-lib/aws-s3',
  secretsmanager: 'aws-cdk-lib/aws-secretsmanager',
  sns: 'aws-cdk-lib/aws-sns',
  ssm: 'aws-cdk-lib/aws-ssm',
};
const FIXTURE_CDK_NAMES = ['Annotations', 'App', 'Aws', 'CfnOutput', 'Duration', 'Fn', 'RemovalPolicy', 'Stack', 'Tags', 'Token', 'Validations'];

/** A snippet wrapped in its fixture, with the snippet line of each line of the file (0 for fixture lines). */
interface FixtureFile {
  readonly snippet: Snippet;
  readonly fileName: string;
  readonly text: string;
  readonly snippetLineOf: number[];
}

function isHoisted(statement: ts.Statement): boolean {
  if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) return true;
  return ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
}

/** The names a hoisted statement introduces at module level. */
function declaredNames(statement: ts.Statement): string[] {
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (!clause) return [];
    const names = clause.name ? [clause.name.text] : [];
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.map((e) => e.name.text));
    return names;
  }
  if (ts.isImportEqualsDeclaration(statement)) return [statement.name.text];
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
  }
  const name = (statement as { name?: ts.Node }).name;
  return name && ts.isIdentifier(name) ? [name.text] : [];
}

function wrapInFixture(snippet: Snippet, directory: string): FixtureFile {
  const parsed = ts.createSourceFile('snippet.ts', snippet.code, ts.ScriptTarget.ES2022, true);
  const lines = snippet.code.split('\n');
  const hoistedLines = new Set<number>();
  const taken = new Set<string>();
  for (const statement of parsed.statements.filter(isHoisted)) {
    const first = parsed.getLineAndCharacterOfPosition(statement.getStart(parsed)).line;
    const last = parsed.getLineAndCharacterOfPosition(statement.getEnd()).line;
    for (let l = first; l <= last; l++) hoistedLines.add(l);
    declaredNames(statement).forEach((n) => taken.add(n));
  }

  const out: string[] = [];
  const snippetLineOf: number[] = [];
  const fixture = (line: string) => { out.push(line); snippetLineOf.push(0); };
  const fromSnippet = (index: number, line: string) => { out.push(line); snippetLineOf.push(index + 1); };

  fixture("import { Stack as SnippetFixtureStack } from 'aws-cdk-lib';");
  fixture("import { Construct as SnippetFixtureConstruct } from 'constructs';");
  const cdkNames = FIXTURE_CDK_NAMES.filter((n) => !taken.has(n));
  if (cdkNames.length > 0) fixture(`import { ${cdkNames.join(', ')} } from 'aws-cdk-lib';`);
  if (!taken.has('Construct')) fixture("import { Construct } from 'constructs';");
  for (const [name, module] of Object.entries(FIXTURE_NAMESPACES)) {
    if (!taken.has(name)) fixture(`import * as ${name} from '${module}';`);
  }
  lines.forEach((line, i) => { if (hoistedLines.has(i)) fromSnippet(i, line); });
  fixture('export class SnippetFixture extends SnippetFixtureStack {');
  fixture('  constructor(scope: SnippetFixtureConstruct, id: string) {');
  fixture('    super(scope, id);');
  lines.forEach((line, i) => fromSnippet(i, hoistedLines.has(i) ? '' : line));
  fixture('  }');
  fixture('}');

  const base = `${path.basename(snippet.source, '.md').toLowerCase()}-snippet-L${snippet.fenceLine}.ts`;
  return { snippet, fileName: path.join(directory, base), text: out.join('\n') + '\n', snippetLineOf };
}

/** A type error in a snippet, placed in the markdown file. */
interface SnippetDiagnostic {
  readonly fenceLine: number;
  /** The markdown line of the error (the fence line when the error is in the fixture). */
  readonly line: number;
  /** The line inside the snippet (1 = the line after the fence; 0 = the fixture). */
  readonly snippetLine: number;
  readonly message: string;
}

function describeDiagnostic(d: SnippetDiagnostic, source: string): string {
  return `${source} line ${d.line}: ${d.message} (snippet line ${d.snippetLine === 0 ? 'none: the fixture' : d.snippetLine})`;
}

/** The compiler options of tsconfig.dev.json, as `npx tsc -p tsconfig.dev.json` uses them, for snippets. */
function snippetCompilerOptions(): ts.CompilerOptions {
  const configPath = path.join(repoRoot, 'tsconfig.dev.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, repoRoot, undefined, configPath);
  return {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    // the fixture neither emits nor needs source maps or declarations
    declaration: false,
    inlineSourceMap: false,
    inlineSources: false,
  };
}

/**
 * Type-checks snippets in one program (one virtual file each, next to the test so that
 * node_modules and the `paths` mapping of `cdk-saas-privatelink` resolve as for the tests).
 */
function checkSnippets(snippets: Snippet[]): { files: FixtureFile[]; diagnostics: Map<FixtureFile, SnippetDiagnostic[]>; global: string[] } {
  const options = snippetCompilerOptions();
  const files = snippets.map((s) => wrapInFixture(s, __dirname));
  const virtual = new Map(files.map((f) => [path.resolve(f.fileName), f]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const file = virtual.get(path.resolve(fileName));
    if (!file) return getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
    return ts.createSourceFile(fileName, file.text, languageVersion, true);
  };
  host.fileExists = (fileName) => virtual.has(path.resolve(fileName)) || fileExists.call(host, fileName);
  host.readFile = (fileName) => virtual.get(path.resolve(fileName))?.text ?? readFile.call(host, fileName);

  const program = ts.createProgram({ rootNames: files.map((f) => f.fileName), options, host });
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
  const diagnostics = new Map<FixtureFile, SnippetDiagnostic[]>();
  for (const file of files) {
    const sourceFile = program.getSourceFile(file.fileName)!;
    const found = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    diagnostics.set(file, found.map((d) => {
      const line = d.start === undefined ? -1 : sourceFile.getLineAndCharacterOfPosition(d.start).line;
      const snippetLine = file.snippetLineOf[line] ?? 0;
      return {
        fenceLine: file.snippet.fenceLine,
        line: file.snippet.fenceLine + snippetLine,
        snippetLine,
        message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
      };
    }));
  }
  return { files, diagnostics, global };
}

// A small markdown file that proves the check can fail: each ```ts block of it is expected to
// compile exactly when its flag says `ok`.
const SAMPLE = [
  '# sample',
  '',
  '```ts ok',
  "import { PrivateLinkService, ServiceTarget } from 'cdk-saas-privatelink';",
  '',
  'declare const vpc: ec2.IVpc;',
  'declare const db: rds.IDatabaseCluster;',
  '',
  "const service = new PrivateLinkService(this, 'ToVendor', {",
  "  vpc, allowedPrincipals: ['123456789012'],",
  "  ports: [{ port: 5432, targets: [ServiceTarget.ipAddress('10.20.0.50')] }],",
  '  autoAccept: { sweepInterval: Duration.minutes(5) },',
  '});',
  'service.allowTargetAccess(db, 5432);',
  '```',
  '',
  '```python',
  'this is not TypeScript and is not extracted',
  '```',
  '',
  '```typescript wrong-port-type',
  "import { PrivateLinkService } from 'cdk-saas-privatelink';",
  'declare const service: PrivateLinkService;',
  'declare const db: ec2.IConnectable;',
  'service.allowTargetAccess(db, ec2.Port.tcp(5432));',
  '```',
  '',
  '```ts unknown-prop',
  "import { PrivateLinkEndpoint } from 'cdk-saas-privatelink';",
  'declare const vpc: ec2.IVpc;',
  "new PrivateLinkEndpoint(this, 'E', { vpc, serviceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0', outputEndpointId: true });",
  '```',
  '',
  '```ts unknown-import',
  "import { PrivateLinkServise } from 'cdk-saas-privatelink';",
  'declare const x: PrivateLinkServise;',
  '```',
  '',
  '```ts ok',
  '// a snippet that imports names the fixture also provides, and shadows a namespace',
  "import { App, Duration, Validations } from 'aws-cdk-lib';",
  "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
  'const app = new App();',
  'Validations.of(app);',
  'Duration.minutes(1);',
  "new ec2.Vpc(this, 'Vpc');",
  '```',
].join('\n');

const readmeBlocks = extractTypeScriptBlocks(fs.readFileSync(readmePath, 'utf8'), 'README.md');
const sampleBlocks = extractTypeScriptBlocks(SAMPLE, 'sample.md');

let result: ReturnType<typeof checkSnippets>;
const started = Date.now();
beforeAll(() => {
  result = checkSnippets([...readmeBlocks, ...sampleBlocks]);
}, 180_000);

function diagnosticsOf(snippet: Snippet): SnippetDiagnostic[] {
  const file = result.files.find((f) => f.snippet === snippet);
  if (!file) throw new Error(`no fixture for ${snippet.source} line ${snippet.fenceLine}`);
  return result.diagnostics.get(file)!;
}

describe('the snippet check itself', () => {
  test('extracts ts and typescript blocks with their fence lines and flags, and nothing else', () => {
    expect(sampleBlocks.map((b) => [b.fenceLine, b.flags])).toEqual([
      [3, ['ok']], [21, ['wrong-port-type']], [28, ['unknown-prop']], [34, ['unknown-import']], [39, ['ok']],
    ]);
    expect(sampleBlocks[0].code.split('\n')[0]).toBe("import { PrivateLinkService, ServiceTarget } from 'cdk-saas-privatelink';");
  });

  test('hoists imports and declarations to module level and leaves their lines blank in the body', () => {
    const file = wrapInFixture(sampleBlocks[0], __dirname);
    const lines = file.text.split('\n');
    const classLine = lines.findIndex((l) => l.startsWith('export class SnippetFixture'));
    expect(lines.findIndex((l) => l.startsWith('import { PrivateLinkService'))).toBeLessThan(classLine);
    expect(lines.findIndex((l) => l === 'declare const vpc: ec2.IVpc;')).toBeLessThan(classLine);
    expect(lines.findIndex((l) => l.includes('allowTargetAccess'))).toBeGreaterThan(classLine);
    expect(file.snippetLineOf[lines.findIndex((l) => l.includes('allowTargetAccess'))]).toBe(11);
  });

  test('leaves out fixture imports of names the snippet imports itself', () => {
    const text = wrapInFixture(sampleBlocks[4], __dirname).text;
    expect(text).not.toMatch(/import \* as ec2 from 'aws-cdk-lib\/aws-ec2';[\s\S]*import \* as ec2/);
    expect(text).toMatch(/^import \{ Annotations, Aws, CfnOutput, Fn, RemovalPolicy, Stack, Tags, Token \} from 'aws-cdk-lib';$/m);
  });

  test('a correct snippet compiles, including one that imports what the fixture provides', () => {
    expect(diagnosticsOf(sampleBlocks[0]).map((d) => describeDiagnostic(d, 'sample.md'))).toEqual([]);
    expect(diagnosticsOf(sampleBlocks[4]).map((d) => describeDiagnostic(d, 'sample.md'))).toEqual([]);
  });

  test.each([
    [1, 25, /not assignable to parameter of type 'number'/],
    [2, 31, /'outputEndpointId' does not exist/],
    [3, 35, /has no exported member named 'PrivateLinkServise'/],
  ])('a wrong snippet (block %i) yields a diagnostic on its markdown line', (index, line, message) => {
    const found = diagnosticsOf(sampleBlocks[index]);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0].line).toBe(line);
    expect(describeDiagnostic(found[0], 'sample.md')).toMatch(message);
    expect(describeDiagnostic(found[0], 'sample.md')).toMatch(new RegExp(`^sample.md line ${line}: .* \\(snippet line ${line - sampleBlocks[index].fenceLine}\\)$`));
  });
});

describe('README.md TypeScript snippets', () => {
  test('the README has TypeScript snippets to check', () => {
    expect(readmeBlocks.length).toBeGreaterThanOrEqual(15);
  });

  test('the compiler options are valid', () => {
    expect(result.global).toEqual([]);
  });

  test.each(readmeBlocks.map((b) => [b.fenceLine, b] as const))('the block at README.md line %i compiles', (_line, block) => {
    expect(diagnosticsOf(block).map((d) => describeDiagnostic(d, 'README.md'))).toEqual([]);
  });

  test('checks every block in one program, in reasonable time', () => {
    expect(result.files).toHaveLength(readmeBlocks.length + sampleBlocks.length);
    expect(Date.now() - started).toBeLessThan(180_000);
  });
});
