/*
 * Every stack output and every construct-created stack name that README.md or API.md quote is
 * made by the synthesized examples, or by the apps of this file where the examples lack a case
 * (a construct nested in the tree, a preset's probe with `outputs`).
 *
 * The README names outputs in three ways, all of which are checked:
 * - the "Stack outputs" table: a construct, and `X<Name>` for a construct with ID `X`;
 * - `<id><Name>` anywhere (prose and diagrams), and a backticked name that the prose calls an
 *   output ("outputs `A` and `B`", "the `A` output");
 * - a full logical ID for a given construct ID ("`MonteCarloEndpointId` for a construct with ID `MonteCarlo`").
 * API.md (generated from the TSDoc) names them in each `outputs` prop's documentation, and must
 * not say a construct outputs anything without naming the `outputs` opt-in.
 * An output named `<Name>` exists when an app synthesizes a CfnOutput with construct ID
 * `<Name>` whose logical ID is its owner's construct ID followed by `<Name>` (the README's rule),
 * in its stack's template; for a table row the owner must also be that construct.
 * A quoted stack name with placeholders (`<hub stack>-<spoke stack>-HubSide`) must give the name
 * of every stack of its kind (hub side, `-HubSide`, or spoke DNS, `-SpokeDns`) that spokes in
 * another region created, and one without them (`Hub-Tokyo-HubSide`) the name of one of them; a
 * name of the stacks of before (`<hub stack>-<construct path>`, `<hubSideStack>-Probe`) is wrong.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as lib from '../src';
import {
  AppOutput, CreatedStack, apiOutputs, createdStacks, mentionedOutputs, mentionedStackNames,
  outputClaimsWithoutOptIn, outputsOf, unmatched, wrongStackName,
} from './support/doc-claims';
import { loadExample } from './support/templates';

const readmePath = path.join(__dirname, '..', 'README.md');
const apiPath = process.env.API_MD ?? path.join(__dirname, '..', 'API.md');
const examplesDir = path.join(__dirname, '..', 'examples');

function tmpApp(name: string): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), `readme-outputs-${name}-`)) });
}

/**
 * What no example has: a `DynatracePrivateLink` under a construct `Network`, with probe outputs
 * and spokes in another region (peering and transit gateway, both in the stack Tokyo) and in its own stack, a
 * `MonteCarloPrivateLink`, a `DatadogPrivateLink` and a `MongoDbAtlasPrivateLink` with probe outputs, an ActiveGate token and a probe with outputs.
 */
function ownApp(): App {
  const app = tmpApp('own');
  const env = (region: string) => ({ account: '111111111111', region });
  const hub = new Stack(app, 'Hub', { env: env('ap-southeast-2') });
  const tokyo = new Stack(app, 'Tokyo', { env: env('ap-northeast-1') });
  const vpc = (stack: Stack, id: string, cidr: string) =>
    new ec2.Vpc(stack, id, { ipAddresses: ec2.IpAddresses.cidr(cidr), natGateways: 0, maxAzs: 2 });
  const token = secretsmanager.Secret.fromSecretNameV2(hub, 'ApiToken', 'dynatrace/api-token');
  const dynatrace = new lib.DynatracePrivateLink(new Construct(hub, 'Network'), 'Dynatrace', {
    environment: lib.DynatraceEnvironment.saas('abc12345'),
    apiToken: token,
    vpc: vpc(hub, 'HubVpc', '10.0.0.0/16'),
    probe: { outputs: true },
  });
  dynatrace.addSpokeVpc('Sydney', vpc(tokyo, 'PeeredVpc', '10.1.0.0/16'));
  dynatrace.addSpokeVpcThroughTransitGateway('Osaka', vpc(tokyo, 'TgwVpc', '10.2.0.0/16'), {
    transitGatewayId: 'tgw-0123456789abcdef0', spokeTransitGatewayId: 'tgw-0fedcba9876543210',
  });
  // A spoke stack named as in the benchmark's reference app (Hub and Spokes), whose stacks the README's Benchmarks name.
  dynatrace.addSpokeVpc('Bench', vpc(new Stack(app, 'Spokes', { env: env('ap-northeast-1') }), 'BenchVpc', '10.7.0.0/16'));
  dynatrace.addSpokeVpc('Local', vpc(hub, 'LocalVpc', '10.3.0.0/16'));
  dynatrace.addSpokeVpcThroughTransitGateway('LocalTgw', vpc(hub, 'LocalTgwVpc', '10.4.0.0/16'), {
    transitGatewayId: 'tgw-0123456789abcdef0',
  });
  new lib.MonteCarloPrivateLink(hub, 'MonteCarlo', {
    vpc: vpc(hub, 'AgentVpc', '10.5.0.0/16'),
    serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0',
    probe: { outputs: true },
  });
  new lib.DatadogPrivateLink(hub, 'Datadog', { vpc: vpc(hub, 'DatadogVpc', '10.8.0.0/16'), site: lib.DatadogSite.AP2, probe: { outputs: true } });
  new lib.MongoDbAtlasPrivateLink(hub, 'Atlas', {
    vpc: vpc(hub, 'AtlasVpc', '10.9.0.0/16'),
    projectId: '0123456789abcdef01234567',
    credentials: secretsmanager.Secret.fromSecretNameV2(hub, 'AtlasCredentials', 'mongodb-atlas/service-account'),
    probeHostname: 'pl-0-ap-southeast-2.ab1cd.mongodb.net',
    probe: { outputs: true },
  });
  new lib.DynatraceActiveGateToken(hub, 'ActiveGateToken', {
    environment: lib.DynatraceEnvironment.saas('abc12345'),
    apiToken: token,
    outputs: true,
  });
  new lib.PrivateLinkProbe(hub, 'Probe', { hostname: 'abc12345.live.dynatrace.com', vpcs: [vpc(hub, 'ProbeVpc', '10.6.0.0/16')], outputs: true });
  return app;
}

const readme = fs.readFileSync(readmePath, 'utf8');
const api = fs.readFileSync(apiPath, 'utf8');
const examples = fs.readdirSync(examplesDir).filter((name) => fs.existsSync(path.join(examplesDir, name, 'main.ts'))).sort();

/** The examples' outputs; with `own`, those of the app that adds what no example has. */
let outputs: AppOutput[];
let own: AppOutput[];
let stacks: CreatedStack[];
let ownStacks: CreatedStack[];
beforeAll(() => {
  const apps = examples.map((name) => [name, loadExample(name)({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), `readme-outputs-${name}-`)) })] as const);
  outputs = apps.flatMap(([name, app]) => outputsOf(name, app));
  const mine = ownApp();
  own = outputsOf('own', mine);
  ownStacks = createdStacks(mine);
  stacks = [...apps.flatMap(([, app]) => createdStacks(app)), ...ownStacks];
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
    const app = tmpApp('direct');
    const stack = new Stack(app, 'Own');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    new lib.DynatraceActiveGateToken(stack, 'ActiveGateToken', {
      environment: lib.DynatraceEnvironment.saas('abc12345'),
      apiToken: secretsmanager.Secret.fromSecretNameV2(stack, 'ApiToken', 'dynatrace/api-token'),
      outputs: true,
    });
    new lib.PrivateLinkProbe(stack, 'Probe', { hostname: 'abc12345.live.dynatrace.com', vpcs: [vpc], outputs: true });
    const direct = outputsOf('direct', app);
    const named = mentionedOutputs(readme).filter((m) => ['DynatraceActiveGateToken', 'PrivateLinkProbe'].includes(m.construct ?? '')
      || ['TokenId', 'ExpirationDate', 'Ok', 'Diagnosis'].includes(m.name));
    expect(named.length).toBeGreaterThanOrEqual(8);
    expect(named.map((m) => unmatched(m, direct)).filter((m) => m !== undefined)).toEqual([]);
  });

  test('a full logical ID quoted from an example matches that output only', () => {
    expect(unmatched({ file: 'README.md', line: 1, text: 'VendorProbeOk', name: 'VendorProbeOk' }, outputs)).toBeUndefined();
    expect(unmatched({ file: 'README.md', line: 1, text: 'VendorProbeNope', name: 'VendorProbeNope' }, outputs)).toBeDefined();
  });

  test('a full logical ID must belong to the construct ID the README gives', () => {
    expect(unmatched({ file: 'README.md', line: 1, text: 'MonteEndpointId', name: 'CarloEndpointId', constructId: 'Monte' }, outputs)).toBeDefined();
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

  test('every output the README names is in at least one example\'s template, or the own app\'s', () => {
    expect(mentions.map((m) => unmatched(m, [...outputs, ...own])).filter((m) => m !== undefined)).toEqual([]);
  });
});

describe('API.md stack outputs', () => {
  test('the check finds the outputs an `outputs` prop lists, and sentences that promise outputs without it', () => {
    const sample = [
      '##### `outputs`<sup>Optional</sup> <a name="outputs" id="cdk-saas-privatelink.MonteCarloPrivateLinkProps.property.outputs"></a>',
      '',
      'Add stack outputs, with logical IDs of this construct\'s ID and the output\'s name (see the README, "Stack outputs"): `EndpointId` (send it to Monte Carlo) and `BackendServiceUrl`.',
      '',
      '##### `probe`<sup>Optional</sup> <a name="probe" id="cdk-saas-privatelink.MonteCarloPrivateLinkProps.property.probe"></a>',
      '',
      'Add the probe.',
      '',
      '### Thing <a name="Thing" id="cdk-saas-privatelink.Thing"></a>',
      '',
      'Creates an endpoint. The service name is a stack output: send it. Outputs the endpoint ID, which you',
      'send. With `outputs: true` it is a stack output too.',
    ].join('\n');
    expect(apiOutputs(sample).map((m) => [m.line, m.name, m.construct])).toEqual([
      [3, 'EndpointId', 'MonteCarloPrivateLink'],
      [3, 'BackendServiceUrl', 'MonteCarloPrivateLink'],
    ]);
    expect(outputClaimsWithoutOptIn(sample)).toEqual([
      'API.md line 11: "The service name is a stack output: send it." says it outputs without `outputs: true`',
      'API.md line 11: "Outputs the endpoint ID, which you send." says it outputs without `outputs: true`',
    ]);
    expect(unmatched(apiOutputs(sample)[1], outputs)).toBeUndefined();
    expect(unmatched({ ...apiOutputs(sample)[1], construct: 'RiveryPrivateLink' }, outputs)).toBe(
      'API.md line 3: the output `BackendServiceUrl` of a RiveryPrivateLink is in no example\'s template');
  });

  test('every output an `outputs` prop of API.md lists is made by its construct', () => {
    const mentions = apiOutputs(api);
    expect(new Set(mentions.map((m) => m.construct)).size).toBeGreaterThanOrEqual(7);
    expect(mentions.map((m) => unmatched(m, [...outputs, ...own])).filter((m) => m !== undefined)).toEqual([]);
  });

  test('no sentence of API.md says a construct outputs something without `outputs: true`', () => {
    expect(outputClaimsWithoutOptIn(api)).toEqual([]);
  });
});

describe('the stacks the constructs create', () => {
  const sample = [
    'named `<hub stack>-<spoke stack>-HubSide` and',
    '`<hub stack>-<spoke',
    'stack>-SpokeDns`; `cdk destroy <hub stack>-<construct path>` and `<hubSideStack>-Probe`,',
    '`<hub stack>-<spoke>-HubSide`; `Hub-Tokyo-SpokeDns` but `Hub-Osaka-HubSide`; `<spoke stack>-<hub stack>-HubSide`;',
    '`Hub-Dynatrace-Spoke<i>-Probe`, `cdk deploy --all` and `hubSideStack`',
  ].join('\n');
  const tokyo: CreatedStack[] = [
    { kind: 'hub side', name: 'Hub-Tokyo-HubSide', hubStack: 'Hub', spokeStack: 'Tokyo' },
    { kind: 'spoke DNS', name: 'Hub-Tokyo-SpokeDns', hubStack: 'Hub', spokeStack: 'Tokyo' },
  ];

  test('the check finds quoted stack names, with and without placeholders, and their lines', () => {
    expect(mentionedStackNames(sample, 'API.md').map((m) => [m.line, m.text])).toEqual([
      [1, '<hub stack>-<spoke stack>-HubSide'],
      [2, '<hub stack>-<spoke stack>-SpokeDns'],
      [3, '<hub stack>-<construct path>'],
      [3, '<hubSideStack>-Probe'],
      [4, '<hub stack>-<spoke>-HubSide'],
      [4, 'Hub-Tokyo-SpokeDns'],
      [4, 'Hub-Osaka-HubSide'],
      [4, '<spoke stack>-<hub stack>-HubSide'],
      [5, 'Hub-Dynatrace-Spoke<i>-Probe'],
    ]);
  });

  test('the check fills each placeholder, accepts the right names and reports the old-style and wrong ones', () => {
    const names = mentionedStackNames(sample, 'API.md');
    const gone = '(for spokes in another region they create `<hub stack>-<spoke stack>-HubSide` and `<hub stack>-<spoke stack>-SpokeDns`)';
    expect(names.map((m) => wrongStackName(m, tokyo))).toEqual([
      undefined,
      undefined,
      `API.md line 3: the stack name \`<hub stack>-<construct path>\` is of a kind of stack the constructs no longer create ${gone}`,
      `API.md line 3: the stack name \`<hubSideStack>-Probe\` is of a kind of stack the constructs no longer create ${gone}`,
      'API.md line 4: the stack name `<hub stack>-<spoke>-HubSide` has placeholders the test does not know: <spoke>',
      undefined,
      'API.md line 4: the stack name `Hub-Osaka-HubSide` is the name of no hub side stack of the apps',
      'API.md line 4: the stack name `<spoke stack>-<hub stack>-HubSide` gives Tokyo-Hub-HubSide for Hub-Tokyo-HubSide',
      `API.md line 5: the stack name \`Hub-Dynatrace-Spoke<i>-Probe\` is of a kind of stack the constructs no longer create ${gone}`,
    ]);
    // a right name is wrong for a stack the construct named otherwise (as the old per-spoke stacks were)
    const old: CreatedStack = { kind: 'hub side', name: 'Hub-Network-Dynatrace-Sydney', hubStack: 'Hub', spokeStack: 'Tokyo' };
    expect(wrongStackName(names[0], [...tokyo, old])).toBe(
      'API.md line 1: the stack name `<hub stack>-<spoke stack>-HubSide` gives Hub-Tokyo-HubSide for Hub-Network-Dynatrace-Sydney');
    expect(wrongStackName(names[1], tokyo.slice(0, 1))).toBe(
      'API.md line 2: the stack name `<hub stack>-<spoke stack>-SpokeDns` describes no spoke DNS stack of the apps');
  });

  test('a document quoting an old-style stack name fails the check', () => {
    const doc = 'A spoke in another region gets its probe in `<hubSideStack>-Probe`, after `<hub stack>-<construct path>`.';
    expect(mentionedStackNames(doc, 'README.md').map((m) => wrongStackName(m, stacks)).filter((m) => m !== undefined)).toHaveLength(2);
  });

  test('the apps have created stacks of both kinds; the own app\'s two spokes in Tokyo share one pair, its spoke in Spokes has its own', () => {
    expect(stacks.filter((s) => s.kind === 'hub side').length).toBeGreaterThanOrEqual(3);
    expect(stacks.filter((s) => s.kind === 'spoke DNS').length).toBeGreaterThanOrEqual(3);
    expect(ownStacks).toEqual([
      { kind: 'hub side', name: 'Hub-Tokyo-HubSide', hubStack: 'Hub', spokeStack: 'Tokyo' },
      { kind: 'spoke DNS', name: 'Hub-Tokyo-SpokeDns', hubStack: 'Hub', spokeStack: 'Tokyo' },
      { kind: 'hub side', name: 'Hub-Spokes-HubSide', hubStack: 'Hub', spokeStack: 'Spokes' },
      { kind: 'spoke DNS', name: 'Hub-Spokes-SpokeDns', hubStack: 'Hub', spokeStack: 'Spokes' },
    ]);
  });

  test.each([['README.md', () => readme], ['API.md', () => api]])('every stack name %s quotes is the name the construct gives', (file, text) => {
    const names = mentionedStackNames(text(), file);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names.map((m) => wrongStackName(m, stacks)).filter((m) => m !== undefined)).toEqual([]);
  });
});
