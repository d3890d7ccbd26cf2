/*
 * aws-cdk-lib's cross-region reference resources. A spoke in another region brings in none: its
 * group's stacks read the hub's and the spoke's stacks weakly (Fn::GetStackOutput). A user's own
 * strong cross-region references in a spoke's stack still get, from the library, a ServiceTimeout
 * on the custom resources, and on their provider functions the checkov skips (with reasons) a
 * user's own checkov run reads, since no project-wide skip list travels with them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, CustomResourceProvider, CustomResourceProviderRuntime, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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

/** Every value of `value` under the key `intrinsic` (e.g. every Fn::GetStackOutput's argument). */
function intrinsics(value: unknown, intrinsic: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) {
    value.forEach((v) => intrinsics(v, intrinsic, out));
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === intrinsic) out.push(v);
      else intrinsics(v, intrinsic, out);
    }
  }
  return out;
}

/** A Sydney hub and a Tokyo spoke VPC; `crossRegionReferences` on the spoke's stack, for the user's own references. */
function spokeApp(crossRegionReferences = false) {
  const app = new App();
  const sydney = new Stack(app, 'Sydney', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const hubVpc = new ec2.Vpc(sydney, 'HubVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0,
  });
  const endpoint = new PrivateLinkEndpoint(sydney, 'Endpoint', { vpc: hubVpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
  const dns = new PrivateDnsOverride(sydney, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc: hubVpc, target: DnsTarget.fromEndpoint(endpoint) });
  const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' }, crossRegionReferences });
  const tokyoVpc = new ec2.Vpc(tokyo, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'], natGateways: 0,
  });
  const peering = new SpokePeering(sydney, 'Tokyo', { endpoint, spokeVpc: tokyoVpc, dnsOverrides: [dns], probeHostname: 'abc12345.live.dynatrace.com' });
  return { app, sydney, tokyo, hubVpc, peering };
}

describe('a cross-region SpokePeering (Sydney hub, Tokyo spoke)', () => {
  const { sydney, tokyo, peering } = spokeApp();
  const groupStacks = [peering.hubSideStack, peering.dnsStack];
  const stacks = [sydney, tokyo, ...groupStacks];
  const regionOf: Record<string, string> = { Sydney: 'ap-southeast-2', Tokyo: 'ap-northeast-1' };

  test('the spoke\'s group stacks are the library\'s, one per region', () => {
    expect(groupStacks.map((s) => [s.stackName, s.region])).toEqual([
      ['Sydney-Tokyo-HubSide', 'ap-southeast-2'], ['Sydney-Tokyo-SpokeDns', 'ap-northeast-1'],
    ]);
  });

  test('brings in none of aws-cdk-lib\'s cross-region reader and writer resources, in any stack', () => {
    for (const stack of stacks) {
      const resources = Object.entries(resourcesOf(stack));
      expect([stack.stackName, resources.filter(([, r]) => r.Type.startsWith('Custom::CrossRegionExport')).map(([id]) => id)]).toEqual([stack.stackName, []]);
      expect([stack.stackName, providerFunctions([stack]).map(([id]) => id)]).toEqual([stack.stackName, []]);
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('/cdk/exports/');
    }
  });

  test('every value the library\'s stacks read from the hub\'s or the spoke\'s stack is an Fn::GetStackOutput of that stack\'s region', () => {
    for (const stack of groupStacks) {
      const template = Template.fromStack(stack).toJSON();
      expect([stack.stackName, intrinsics(template, 'Fn::ImportValue')]).toEqual([stack.stackName, []]);
      const reads = intrinsics(template, 'Fn::GetStackOutput') as { StackName: string; Region: string; OutputName: string }[];
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) {
        expect(read).toEqual({ StackName: expect.stringMatching(/^(Sydney|Tokyo)$/), Region: expect.any(String), OutputName: expect.any(String) });
        expect([read.StackName, read.Region]).toEqual([read.StackName, regionOf[read.StackName]]);
      }
    }
    // The hub side reads the hub's route tables and security group, and the peering from the spoke's stack;
    // the DNS stack the endpoint's names and the spoke's VPC.
    const readFrom = (stack: Stack) => new Set((intrinsics(Template.fromStack(stack).toJSON(), 'Fn::GetStackOutput') as { StackName: string }[]).map((r) => r.StackName));
    expect([...readFrom(peering.hubSideStack)].sort()).toEqual(['Sydney', 'Tokyo']);
    expect([...readFrom(peering.dnsStack)].sort()).toEqual(['Sydney', 'Tokyo']);
    const hubRoutes = Object.values(Template.fromStack(peering.hubSideStack).findResources('AWS::EC2::Route'));
    expect(hubRoutes.length).toBeGreaterThan(0);
    for (const route of hubRoutes) {
      expect(route.Properties.RouteTableId['Fn::GetStackOutput']).toMatchObject({ StackName: 'Sydney', Region: 'ap-southeast-2' });
      expect(route.Properties.VpcPeeringConnectionId['Fn::GetStackOutput']).toMatchObject({ StackName: 'Tokyo', Region: 'ap-northeast-1' });
    }
  });

  test('the spoke\'s own stack reads the hub VPC for its peering weakly, from the hub\'s region, and imports nothing', () => {
    const tokyoTemplate = Template.fromStack(tokyo);
    tokyoTemplate.hasResourceProperties('AWS::EC2::VPCPeeringConnection', {
      PeerVpcId: { 'Fn::GetStackOutput': { StackName: 'Sydney', Region: 'ap-southeast-2', OutputName: Match.anyValue() } },
      PeerRegion: 'ap-southeast-2',
    });
    expect(intrinsics(tokyoTemplate.toJSON(), 'Fn::ImportValue')).toEqual([]);
  });

  test('the reasons name what the function does (SSM only, answers CloudFormation, runs only at deploy)', () => {
    expect(CROSS_REGION_CHECKOV_REASONS.CKV_AWS_117).toMatch(/SSM Parameter Store/);
    expect(CROSS_REGION_CHECKOV_REASONS.CKV_AWS_116).toMatch(/CloudFormation/);
    expect(CROSS_REGION_CHECKOV_REASONS.CKV_AWS_115).toMatch(/unreserved pool/);
  });
});

describe('a user\'s own strong cross-region reference in a cross-region spoke\'s stack', () => {
  // The spoke's stack reads a Sydney value strongly (crossRegionReferences: true): aws-cdk-lib adds a
  // reader there, which the library bounds because the stack is a spoke's.
  const { sydney, tokyo, hubVpc } = spokeApp(true);
  new CfnOutput(tokyo, 'HubVpcCidr', { value: hubVpc.vpcCidrBlock });
  const readers = providerFunctions([tokyo]);
  const custom = Object.values(resourcesOf(tokyo)).filter((r) => r.Type === 'Custom::CrossRegionExportReader');

  test('aws-cdk-lib adds its reader in the spoke\'s stack, and its writer in the hub\'s', () => {
    expect(readers.map(([id]) => PROVIDER_FUNCTION.exec(id.split('/')[1])![1])).toEqual(['Reader']);
    expect(custom).toHaveLength(1);
    expect(providerFunctions([sydney]).map(([id]) => PROVIDER_FUNCTION.exec(id.split('/')[1])![1])).toEqual(['Writer']);
  });

  test.each(LAMBDA_CHECKS)('the reader\'s provider function skips checkov %s with a reason in its metadata', (check) => {
    expect(readers).toHaveLength(1);
    for (const [id, fn] of readers) {
      const skip = skipsOf(fn).find((s) => s.id === check);
      expect([id, skip?.comment ?? '']).toEqual([id, CROSS_REGION_CHECKOV_REASONS[check]]);
    }
  });

  test('the reader custom resource waits 960 s for its answer, as the dead-letter reason says', () => {
    expect(custom).toHaveLength(1);
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
