/*
 * Every stack output the README names is made by at least one example.
 *
 * The README names outputs in three ways, all of which are checked:
 * - the "Stack outputs" table: a construct, and `X<Name>` for a construct with ID `X`;
 * - `<id><Name>` anywhere (prose and diagrams), and a backticked name that the prose calls an
 *   output ("outputs `A` and `B`", "the `A` output");
 * - a full logical ID for a given construct ID ("`MonteCarloEndpointId` for a construct with ID `MonteCarlo`").
 * An output named `<Name>` exists when an example synthesizes a CfnOutput with construct ID
 * `<Name>` whose logical ID is its owner's construct ID followed by `<Name>` (the README's rule),
 * in its stack's template; for a table row the owner must also be that construct.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as lib from '../src';
import { loadExample } from './support/templates';

const readmePath = path.join(__dirname, '..', 'README.md');
const examplesDir = path.join(__dirname, '..', 'examples');

/** An output the README names. */
interface OutputMention {
  /** The 1-based README line. */
  readonly line: number;
  /** How the README spells it. */
  readonly text: string;
  /** The output's name, the part after the construct ID. */
  readonly name: string;
  /** The construct the README says makes it (the "Stack outputs" table). */
  readonly construct?: string;
  /** The construct ID the README gives, for a full logical ID. */
  readonly constructId?: string;
}

/** An output an example synthesizes. */
interface ExampleOutput {
  readonly example: string;
  readonly stack: string;
  readonly logicalId: string;
  /** The CfnOutput's own construct ID. */
  readonly name: string;
  readonly owner: unknown;
  readonly ownerId: string;
}

const OUTPUT_NAME = /^[A-Z][A-Za-z0-9]*$/;

/** The lines of a markdown file with the fenced code blocks marked. */
function markdownLines(markdown: string): { line: number; text: string; fence?: string }[] {
  let fence: string | undefined;
  return markdown.split(/\r?\n/).map((text, i) => {
    const marker = /^ {0,3}(`{3,}|~{3,})\s*(\S*)/.exec(text);
    if (marker && !fence) {
      fence = marker[2] || 'plain';
      return { line: i + 1, text };
    }
    if (marker && fence) {
      fence = undefined;
      return { line: i + 1, text };
    }
    return { line: i + 1, text, fence };
  });
}

function mentionedOutputs(markdown: string): OutputMention[] {
  const mentions: OutputMention[] = [];
  const lines = markdownLines(markdown);

  // the "Stack outputs" table
  const start = lines.findIndex((l) => /^## Stack outputs\s*$/.test(l.text));
  if (start >= 0) {
    for (const { line, text } of lines.slice(start + 1)) {
      if (text.startsWith('## ')) break;
      const row = /^\| `(\w+)` \| (.*)\|\s*$/.exec(text);
      if (!row) continue;
      for (const [, id] of row[2].matchAll(/`X(\w+)`/g)) {
        mentions.push({ line, text: `X${id}`, name: id, construct: row[1] });
      }
    }
  }

  lines.forEach(({ line, text, fence }, i) => {
    if (fence && fence !== 'plain') return; // code in a language is not prose; plain blocks are diagrams
    for (const [whole, name] of text.matchAll(/<id>([A-Za-z0-9]+)/g)) mentions.push({ line, text: whole, name });
    if (fence) return;
    // a phrase may go on in the next line; it counts for the line it starts in
    const next = lines[i + 1] && !lines[i + 1].fence ? lines[i + 1].text.trim() : '';
    const phrases = (pattern: RegExp) => [...`${text} ${next}`.matchAll(pattern)].filter((m) => (m.index ?? 0) < text.length);
    const called = [
      ...phrases(/\boutputs? ((?:`[^`]+`(?:, | and ))*`[^`]+`)/gi).flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((n) => n[1])),
      ...phrases(/`([^`]+)` output\b/g).map((m) => m[1]),
    ];
    for (const name of called.filter((n) => OUTPUT_NAME.test(n))) mentions.push({ line, text: name, name });
    for (const [, logicalId, constructId] of phrases(/`([A-Za-z0-9]+)` for a\s+construct with ID `([A-Za-z0-9]+)`/g)) {
      mentions.push({ line, text: logicalId, name: logicalId.slice(constructId.length), constructId });
    }
  });
  return mentions;
}

function exampleOutputs(name: string): ExampleOutput[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `readme-outputs-${name}-`));
  return outputsOf(name, loadExample(name)({ outdir }));
}

/** The outputs of an app that are in its synthesized templates. */
function outputsOf(name: string, app: App): ExampleOutput[] {
  const assembly = app.synth();
  return app.node.findAll().filter((c): c is CfnOutput => c instanceof CfnOutput).flatMap((output) => {
    const stack = Stack.of(output);
    const logicalId = stack.resolve(output.logicalId) as string;
    const template = assembly.stacksRecursively.find((s) => s.hierarchicalId === stack.node.path)?.template;
    if (!template?.Outputs?.[logicalId]) return [];
    const owner = output.node.scope!;
    return [{ example: name, stack: stack.stackName, logicalId, name: output.node.id, owner, ownerId: owner.node.id }];
  });
}

/** Why a mention matches no output of the examples, or undefined when one matches. */
function unmatched(mention: OutputMention, outputs: ExampleOutput[]): string | undefined {
  const constructClass = mention.construct ? (lib as Record<string, unknown>)[mention.construct] : undefined;
  if (mention.construct && typeof constructClass !== 'function') {
    return `README.md line ${mention.line}: the Stack outputs table names \`${mention.construct}\`, which the library does not export`;
  }
  const match = outputs.find((o) =>
    // a full logical ID quoted from an example, such as `VendorProbeOk`
    (mention.construct === undefined && mention.constructId === undefined && o.logicalId === mention.text)
    || o.name === mention.name
    && o.logicalId === `${o.ownerId.replace(/[^A-Za-z0-9]/g, '')}${mention.name}`
    && (mention.constructId === undefined || o.ownerId === mention.constructId)
    && (constructClass === undefined || o.owner instanceof (constructClass as abstract new (...args: never[]) => unknown)));
  if (match) return undefined;
  const by = mention.construct ? ` of a ${mention.construct}` : mention.constructId ? ` of a construct with ID ${mention.constructId}` : '';
  return `README.md line ${mention.line}: the output \`${mention.text}\`${by} is in no example's template`;
}

const readme = fs.readFileSync(readmePath, 'utf8');
const examples = fs.readdirSync(examplesDir).filter((name) => fs.existsSync(path.join(examplesDir, name, 'main.ts'))).sort();

let outputs: ExampleOutput[];
beforeAll(() => {
  outputs = examples.flatMap(exampleOutputs);
}, 180_000);

describe('the output check itself', () => {
  const sample = [
    'Outputs (with `outputs: true`): `<id>EndpointServiceName` and `<id>NextSteps`.',
    'then send the `<id>EndpointId` output (`MonteCarloEndpointId` for a',
    '  construct with ID `MonteCarlo`),',
    'the stack outputs `TokenId` and `ExpirationDate`; the `EndpointArn` output; `outputs: true` output',
    '```python',
    'print("<id>NotProse")',
    '```',
    '```',
    'outputs: <id>BackendServiceUrl',
    '```',
    '## Stack outputs',
    '| construct | outputs |',
    '|---|---|',
    '| `PrivateLinkService` | `XEndpointServiceName`: send it |',
    '| `PrivateLinkEndpoint` | `XEndpointServiceName` |',
    '| `NoSuchConstruct` | `XHostname` |',
    '## Next',
    '| `PrivateLinkService` | `XNotInTheTable` |',
  ].join('\n');

  test('finds every way the README names an output, with its line', () => {
    expect(mentionedOutputs(sample).map((m) => [m.line, m.text, m.name, m.construct ?? m.constructId ?? ''])).toEqual([
      [14, 'XEndpointServiceName', 'EndpointServiceName', 'PrivateLinkService'],
      [15, 'XEndpointServiceName', 'EndpointServiceName', 'PrivateLinkEndpoint'],
      [16, 'XHostname', 'Hostname', 'NoSuchConstruct'],
      [1, '<id>EndpointServiceName', 'EndpointServiceName', ''],
      [1, '<id>NextSteps', 'NextSteps', ''],
      [2, '<id>EndpointId', 'EndpointId', ''],
      [2, 'MonteCarloEndpointId', 'EndpointId', 'MonteCarlo'],
      [4, 'TokenId', 'TokenId', ''],
      [4, 'ExpirationDate', 'ExpirationDate', ''],
      [4, 'EndpointArn', 'EndpointArn', ''],
      [9, '<id>BackendServiceUrl', 'BackendServiceUrl', ''],
    ]);
  });

  test('accepts outputs the examples make (TokenId, ExpirationDate) and refuses the others', () => {
    expect(mentionedOutputs(sample).map((m) => unmatched(m, outputs)).filter((m) => m !== undefined)).toEqual([
      'README.md line 15: the output `XEndpointServiceName` of a PrivateLinkEndpoint is in no example\'s template',
      'README.md line 16: the Stack outputs table names `NoSuchConstruct`, which the library does not export',
      'README.md line 4: the output `EndpointArn` is in no example\'s template',
    ]);
  });

  test('the output names the README gives for DynatraceActiveGateToken and PrivateLinkProbe are what they make', () => {
    // straight from the constructs too: this tells a wrong name from an example that lost `outputs: true`
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'readme-outputs-own-')) });
    const stack = new Stack(app, 'Own');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    new lib.DynatraceActiveGateToken(stack, 'ActiveGateToken', {
      environment: lib.DynatraceEnvironment.saas('abc12345'),
      apiToken: secretsmanager.Secret.fromSecretNameV2(stack, 'ApiToken', 'dynatrace/api-token'),
      outputs: true,
    });
    new lib.PrivateLinkProbe(stack, 'Probe', { hostname: 'abc12345.live.dynatrace.com', vpcs: [vpc], outputs: true });
    const own = outputsOf('own', app);
    const named = mentionedOutputs(readme).filter((m) => ['DynatraceActiveGateToken', 'PrivateLinkProbe'].includes(m.construct ?? '')
      || ['TokenId', 'ExpirationDate', 'Ok', 'Diagnosis'].includes(m.name));
    expect(named.length).toBeGreaterThanOrEqual(8);
    expect(named.map((m) => unmatched(m, own)).filter((m) => m !== undefined)).toEqual([]);
  });

  test('a full logical ID quoted from an example matches that output only', () => {
    expect(unmatched({ line: 1, text: 'VendorProbeOk', name: 'VendorProbeOk' }, outputs)).toBeUndefined();
    expect(unmatched({ line: 1, text: 'VendorProbeNope', name: 'VendorProbeNope' }, outputs)).toBeDefined();
  });

  test('a full logical ID must belong to the construct ID the README gives', () => {
    expect(unmatched({ line: 1, text: 'MonteEndpointId', name: 'CarloEndpointId', constructId: 'Monte' }, outputs)).toBeDefined();
  });
});

describe('README.md stack outputs', () => {
  const mentions = mentionedOutputs(readme);

  test('the README names outputs, and the Stack outputs table has a row per construct with outputs', () => {
    const table = mentions.filter((m) => m.construct);
    expect(new Set(table.map((m) => m.construct)).size).toBeGreaterThanOrEqual(6);
    expect(mentions.length).toBeGreaterThan(table.length);
  });

  test('the examples have outputs to compare with', () => {
    expect(outputs.length).toBeGreaterThan(0);
  });

  test('every output the README names is in at least one example\'s template', () => {
    expect(mentions.map((m) => unmatched(m, outputs)).filter((m) => m !== undefined)).toEqual([]);
  });
});
