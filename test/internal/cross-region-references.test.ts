/*
 * aws-cdk-lib's cross-region reference resources, as the library leaves them in the templates:
 * a ServiceTimeout on the custom resources, and on their provider functions the checkov skips
 * (with reasons) a user's own checkov run reads, since no project-wide skip list travels with them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, CustomResourceProvider, CustomResourceProviderRuntime, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DnsTarget, PrivateDnsOverride, PrivateLinkEndpoint, SpokePeering } from '../../src';
import { boundCrossRegionReferences, CROSS_REGION_CHECKOV_REASONS } from '../../src/internal/service-timeouts';

const ACCOUNT = '111111111111';
const LAMBDA_CHECKS = ['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117'];
const PROVIDER_FUNCTION = /^CustomCrossRegionExport(Reader|Writer)CustomResourceProviderHandler/;

interface CheckovSkip { id: string; comment: string }
interface Resource { Type: string; Properties?: Record<string, unknown>; Metadata?: { checkov?: { skip?: CheckovSkip[] } } }

function resourcesOf(stack: Stack): Record<string, Resource> {
  return Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
}

/** The cross-region provider functions of the given stacks, by stack and logical ID. */
function providerFunctions(stacks: Stack[]): [string, Resource][] {
  return stacks.flatMap((stack) => Object.entries(resourcesOf(stack))
    .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && PROVIDER_FUNCTION.test(id))
    .map(([id, r]): [string, Resource] => [`${stack.stackName}/${id}`, r]));
}

function skipsOf(resource: Resource): CheckovSkip[] {
  return resource.Metadata?.checkov?.skip ?? [];
}

/** Two stacks in two regions, the second reading a value of the first: aws-cdk-lib adds a writer and a reader. */
function crossRegionApp() {
  const app = new App();
  const sydney = new Stack(app, 'Sydney', { env: { account: ACCOUNT, region: 'ap-southeast-2' }, crossRegionReferences: true });
  const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' }, crossRegionReferences: true });
  const vpc = new ec2.CfnVPC(sydney, 'Vpc', { cidrBlock: '10.0.0.0/16' });
  new CfnOutput(tokyo, 'SydneyVpc', { value: vpc.ref });
  return { app, sydney, tokyo };
}

describe('a cross-region SpokePeering (Sydney hub, Tokyo spoke)', () => {
  const app = new App();
  const sydney = new Stack(app, 'Sydney', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const hubVpc = new ec2.Vpc(sydney, 'HubVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0,
  });
  const endpoint = new PrivateLinkEndpoint(sydney, 'Endpoint', { vpc: hubVpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
  const dns = new PrivateDnsOverride(sydney, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc: hubVpc, target: DnsTarget.fromEndpoint(endpoint) });
  const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
  const tokyoVpc = new ec2.Vpc(tokyo, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'], natGateways: 0,
  });
  const peering = new SpokePeering(sydney, 'Tokyo', { endpoint, spokeVpc: tokyoVpc, dnsOverrides: [dns] });
  const stacks = [sydney, tokyo, peering.hubSideStack];
  const functions = providerFunctions(stacks);

  test('brings in aws-cdk-lib\'s cross-region reader and writer functions', () => {
    const kinds = new Set(functions.map(([id]) => PROVIDER_FUNCTION.exec(id.split('/')[1])![1]));
    expect([...kinds].sort()).toEqual(['Reader', 'Writer']);
  });

  test.each(LAMBDA_CHECKS)('every cross-region provider function skips checkov %s with a reason in its metadata', (check) => {
    expect(functions.length).toBeGreaterThanOrEqual(2);
    for (const [id, fn] of functions) {
      const skip = skipsOf(fn).find((s) => s.id === check);
      expect([id, skip?.comment ?? '']).toEqual([id, expect.stringMatching(/\S.{40,}/)]);
    }
  });

  test('the reasons name what the function does (SSM only, answers CloudFormation, runs only at deploy)', () => {
    expect(CROSS_REGION_CHECKOV_REASONS.CKV_AWS_117).toMatch(/SSM Parameter Store/);
    expect(CROSS_REGION_CHECKOV_REASONS.CKV_AWS_116).toMatch(/CloudFormation/);
    expect(CROSS_REGION_CHECKOV_REASONS.CKV_AWS_115).toMatch(/unreserved pool/);
  });

  test('every cross-region custom resource waits 960 s for its answer, as the dead-letter reason says', () => {
    const custom = stacks.flatMap((s) => Object.values(resourcesOf(s)).filter((r) => r.Type.startsWith('Custom::CrossRegionExport')));
    expect(custom.length).toBeGreaterThanOrEqual(2);
    for (const r of custom) expect(r.Properties?.ServiceTimeout).toBe(960);
    expect(CROSS_REGION_CHECKOV_REASONS.CKV_AWS_116).toContain('960 s');
  });
});

describe('boundCrossRegionReferences', () => {
  test('writes the skips on the functions aws-cdk-lib adds after the call, in the stacks it is given only', () => {
    const { app, sydney, tokyo } = crossRegionApp();
    boundCrossRegionReferences(tokyo);
    app.synth();
    const [reader] = providerFunctions([tokyo]);
    const [writer] = providerFunctions([sydney]);
    expect(reader[0]).toMatch(/Reader/);
    expect(skipsOf(reader[1]).map((s) => s.id).sort()).toEqual(LAMBDA_CHECKS);
    expect(writer[0]).toMatch(/Writer/);
    expect(skipsOf(writer[1])).toEqual([]);
  });

  test('writes each skip once, however often the app is synthesized or the stack bounded', () => {
    const { app, sydney, tokyo } = crossRegionApp();
    boundCrossRegionReferences(sydney);
    boundCrossRegionReferences(sydney);
    boundCrossRegionReferences(tokyo);
    app.synth();
    app.synth({ force: true });
    for (const [id, fn] of providerFunctions([sydney, tokyo])) {
      expect([id, skipsOf(fn).map((s) => s.id).sort()]).toEqual([id, LAMBDA_CHECKS]);
    }
  });

  test('leaves other custom-resource provider functions of the stack alone', () => {
    const { app, tokyo } = crossRegionApp();
    const code = fs.mkdtempSync(path.join(os.tmpdir(), 'provider-'));
    fs.writeFileSync(path.join(code, 'index.js'), 'exports.handler = async () => ({});');
    CustomResourceProvider.getOrCreateProvider(tokyo, 'Custom::Mine', { codeDirectory: code, runtime: CustomResourceProviderRuntime.NODEJS_24_X });
    boundCrossRegionReferences(tokyo);
    app.synth();
    const mine = Object.entries(resourcesOf(tokyo)).filter(([id]) => id.startsWith('CustomMineCustomResourceProviderHandler'));
    expect(mine).toHaveLength(1);
    expect(mine[0][1].Metadata?.checkov).toBeUndefined();
    expect(providerFunctions([tokyo])).toHaveLength(1);
  });
});
