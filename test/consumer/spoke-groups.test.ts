/*
 * Spokes in groups (issue 21): the stacks, waves and per-spoke cost of many spokes, and each
 * spoke's zone in the same stack as a deploy-time gate that depends on it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { deployWaves, stackCosts } from '../../scripts/deploy-waves';
import { DynatraceEnvironment, DynatracePrivateLink, PrivateLinkEndpoint, SpokePeering, TransitGatewaySpoke } from '../../src';

const ACCOUNT = '111111111111';
type Resources = Record<string, { Type: string; DependsOn?: string[]; Properties?: any; Metadata?: any }>;

interface HubOptions { readonly allowlistAccounts?: string[]; readonly failDeployment?: boolean }

function dynatraceHub(options: HubOptions = {}) {
  const app = new App();
  const hub = new Stack(app, 'Hub', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const vpc = new ec2.Vpc(hub, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 1 });
  const dynatrace = new DynatracePrivateLink(hub, 'Dynatrace', {
    environment: DynatraceEnvironment.saas('abc12345'),
    apiToken: secretsmanager.Secret.fromSecretNameV2(hub, 'ApiToken', 'dynatrace/api-token'),
    vpc,
    allowlistAccounts: options.allowlistAccounts,
    probe: { failDeployment: options.failDeployment },
  });
  return { app, hub, dynatrace };
}

/** Spoke i, imported into `stack` with a /20 of its own and one route table. */
function spokeVpc(stack: Stack, i: number): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, `Vpc${i}`, {
    vpcId: `vpc-${String(i).padStart(17, '0')}`,
    vpcCidrBlock: `10.${1 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
    availabilityZones: [`${stack.region}a`],
    privateSubnetIds: [`subnet-${i}`],
    privateSubnetRouteTableIds: [`rtb-${i}`],
  });
}

function totals(assembly: CloudAssembly) {
  const costs = stackCosts(assembly.stacks);
  const sum = (key: 'resources' | 'functions' | 'customResources') => costs.reduce((n, c) => n + c[key], 0);
  return {
    stacks: costs.length,
    waves: Math.max(...costs.map((c) => c.wave)),
    resources: sum('resources'),
    functions: sum('functions'),
    customResources: sum('customResources'),
    costs,
    assembly,
  };
}

function withSpokes(n: number) {
  const { app, hub, dynatrace } = dynatraceHub();
  const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
  for (let i = 0; i < n; i++) dynatrace.addSpokeVpc(`Spoke${i}`, spokeVpc(tokyo, i));
  return { app, hub, assembly: app.synth() };
}

describe('125 spokes in one spoke stack (the peering quota\'s maximum)', () => {
  const one = totals(withSpokes(1).assembly);
  const many = totals(withSpokes(125).assembly);
  const perSpoke = (key: 'resources' | 'functions' | 'customResources') => (many[key] - one[key]) / 124;

  test('deploy as at most 8 stacks in at most 4 waves, each under 500 resources', () => {
    expect(many.stacks).toBeLessThanOrEqual(8);
    expect(many.waves).toBeLessThanOrEqual(4);
    expect(many.costs.filter((c) => c.resources >= 500)).toEqual([]);
    // The hub, the spoke stack, then each pair of library stacks: hub side before spoke DNS.
    expect(many.costs.map((c) => [c.stackName, c.wave])).toEqual(expect.arrayContaining([['Hub', 1], ['Tokyo', 2], ['Hub-Tokyo-HubSide', 3], ['Hub-Tokyo-SpokeDns', 4]]));
  });

  test('lean per spoke: one Lambda function per spoke VPC, and per DNS stack one runner and one gate', () => {
    const dnsStacks = many.costs.filter((c) => c.stackName.includes('-SpokeDns'));
    // The probe function in each spoke VPC; the runner, its role and the log groups are per stack.
    expect(many.functions - one.functions).toBe(124 + (dnsStacks.length - 1));
    expect(perSpoke('functions')).toBeLessThan(1.01);
    // The gates: one per DNS stack, however many spokes it holds.
    expect(dnsStacks.map((c) => c.customResources)).toEqual(dnsStacks.map(() => 1));
    expect(many.customResources - one.customResources).toBe(dnsStacks.length - 1);
    expect(perSpoke('resources')).toBeLessThanOrEqual(15);
  });

  test('every template fits CloudFormation\'s 1 MB, and only the gate and the schedule wait for every zone', () => {
    for (const stack of many.assembly.stacks) {
      expect([stack.stackName, JSON.stringify(stack.template).length < 1_048_576]).toEqual([stack.stackName, true]);
      const resources = (stack.template as { Resources: Resources }).Resources;
      const zones = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Route53::HostedZone').map(([id]) => id);
      if (zones.length < 2) continue;
      const waitingForAll = Object.values(resources).filter((r) => zones.every((z) => r.DependsOn?.includes(z))).map((r) => r.Type);
      // The gate, and the canary's schedule with the permission that lets it invoke the runner.
      expect(waitingForAll.sort()).toEqual(['AWS::Events::Rule', 'AWS::Lambda::Permission', 'Custom::PrivateLinkProbe']);
    }
  });

  test('no cross-region reference reader in any stack: every value crosses as Fn::GetStackOutput', () => {
    const app = withSpokes(3).assembly;
    for (const stack of app.stacks) {
      const types = Object.values((stack.template as { Resources: Resources }).Resources).map((r) => r.Type);
      expect([stack.stackName, types.filter((t) => t.startsWith('Custom::CrossRegionExport'))]).toEqual([stack.stackName, []]);
      expect([stack.stackName, JSON.stringify(stack.template).includes('Fn::ImportValue')]).toEqual([stack.stackName, false]);
    }
  });
});

describe('adding, removing and replacing', () => {
  test('adding a spoke changes only its group\'s stacks and the spoke\'s own stack, never the hub\'s', () => {
    const before = withSpokes(2).assembly;
    const after = withSpokes(3).assembly;
    const changed = after.stacks.filter((s) => JSON.stringify(s.template) !== JSON.stringify(before.getStackByName(s.stackName).template));
    expect(changed.map((s) => s.stackName).sort()).toEqual(['Hub-Tokyo-HubSide', 'Hub-Tokyo-SpokeDns', 'Tokyo']);
  });

  test('the hub exports nothing its spokes read, so removing a spoke or replacing the endpoint is a plain deploy', () => {
    const hub = withSpokes(2).assembly.getStackByName('Hub').template as { Outputs?: Record<string, { Export?: unknown }> };
    expect(Object.entries(hub.Outputs ?? {}).filter(([, o]) => o.Export)).toEqual([]);
  });

  test('a change to what the hub endpoint is made of changes each spoke record\'s and the gate\'s fingerprint, so cdk deploy updates them', () => {
    // The allowlist call gives the endpoint its service name: a change there can replace the endpoint.
    const fingerprints = (allowlistAccounts?: string[]) => {
      const { app, dynatrace } = dynatraceHub({ allowlistAccounts });
      const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
      dynatrace.addSpokeVpc('Spoke0', spokeVpc(tokyo, 0));
      const resources = app.synth().getStackByName('Hub-Tokyo-SpokeDns').template.Resources as Resources;
      const record = Object.values(resources).find((r) => r.Type === 'AWS::Route53::RecordSet')!;
      const gate = Object.values(resources).find((r) => r.Type === 'Custom::PrivateLinkProbe')!;
      return [Object.values(record.Metadata['cdk-saas-privatelink:follows'])[0], gate.Properties.EndpointDefinition];
    };
    const [record, gate] = fingerprints();
    expect(record).toMatch(/^[0-9a-f]{16}$/);
    expect(gate).toBe(record);
    expect(fingerprints()).toEqual([record, gate]);
    const [replacedRecord, replacedGate] = fingerprints([ACCOUNT, '222222222222']);
    expect(replacedRecord).not.toBe(record);
    expect(replacedGate).toBe(replacedRecord);
  });
});

/** Each spoke zone's stack has a gate (`Custom::PrivateLinkProbe`) that DependsOn the zone and its record. */
function expectZonesGated(stack: Stack, zones: number) {
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  const ids = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type).map(([id]) => id);
  const gates = Object.values(resources).filter((r) => r.Type === 'Custom::PrivateLinkProbe');
  const spokeZones = ids('AWS::Route53::HostedZone').filter((id) => !id.startsWith('DynatraceDnsZone'));
  const spokeRecords = ids('AWS::Route53::RecordSet').filter((id) => !id.startsWith('DynatraceDnsApex'));
  expect(spokeZones).toHaveLength(zones);
  const gate = gates.find((g) => spokeZones.every((z) => g.DependsOn?.includes(z)));
  expect(gate).toBeDefined();
  expect(gate!.DependsOn).toEqual(expect.arrayContaining(spokeRecords));
  return gate!;
}

describe.each([
  ['peering', false],
  ['transit gateway', true],
])('each %s spoke zone is in the same stack as a deploy-time gate that depends on it', (_kind, tgw) => {
  function join(region: string, stackId: string, n: number, failDeployment = false) {
    const { app, hub, dynatrace } = dynatraceHub({ failDeployment });
    const spokes = new Stack(app, stackId, { env: { account: ACCOUNT, region } });
    const joined = Array.from({ length: n }, (_, i) => (tgw
      ? dynatrace.addSpokeVpcThroughTransitGateway(`Spoke${i}`, spokeVpc(spokes, i), {
        transitGatewayId: 'tgw-0123456789abcdef0',
        spokeTransitGatewayId: region === 'ap-southeast-2' ? undefined : 'tgw-0fedcba9876543210',
      })
      : dynatrace.addSpokeVpc(`Spoke${i}`, spokeVpc(spokes, i))));
    return { hub, spokes, joined };
  }

  test('in another region: the group\'s DNS stack holds the zones and one gate after all of them', () => {
    const { joined } = join('ap-northeast-1', 'Tokyo', 3);
    const dnsStack = joined[0].dnsStack;
    expect(joined.map((j) => j.dnsStack)).toEqual([dnsStack, dnsStack, dnsStack]);
    expect(joined.map((j) => j.probe)).toEqual([joined[0].probe, joined[0].probe, joined[0].probe]);
    expect(Stack.of(joined[0].probe!)).toBe(dnsStack);
    expect(dnsStack.region).toBe('ap-northeast-1');
    expectZonesGated(dnsStack, 3);
  });

  test('in the hub\'s region, another stack: the spoke\'s stack holds the zones and the gate', () => {
    const { spokes, joined } = join('ap-southeast-2', 'Local', 2);
    expect(joined[0].dnsStack).toBe(spokes);
    expectZonesGated(spokes, 2);
  });

  test('in the hub\'s stack: the zones and a gate of their own after them, beside the hub\'s probe', () => {
    const { app, hub, dynatrace } = dynatraceHub();
    const vpc = (i: number) => new ec2.Vpc(hub, `Spoke${i}Vpc`, {
      ipAddresses: ec2.IpAddresses.cidr(`10.${50 + i}.0.0/16`), availabilityZones: ['ap-southeast-2a'], natGateways: 0,
    });
    for (const i of [0, 1]) {
      if (tgw) dynatrace.addSpokeVpcThroughTransitGateway(`Spoke${i}`, vpc(i), { transitGatewayId: TransitGatewaySpoke.newTransitGateway(hub, `Tgw${i}`).ref });
      else dynatrace.addSpokeVpc(`Spoke${i}`, vpc(i));
    }
    expect(app.node.children.filter((c) => c instanceof Stack)).toHaveLength(1);
    expectZonesGated(hub, 2);
  });

  test('with failDeployment the gate may fail the stack, so a failing probe rolls the zones back with it', () => {
    const { joined } = join('ap-northeast-1', 'Tokyo', 2, true);
    const gate = expectZonesGated(joined[0].dnsStack, 2);
    expect(gate.Properties.FailDeployment).toBe('true');
  });
});

test('deployWaves: a stack deploys one wave after its latest dependency', () => {
  const stack = (id: string, ...deps: string[]) => ({ id, stackName: id, dependencies: deps.map((d) => ({ id: d })), template: {} });
  const waves = deployWaves([stack('A'), stack('B', 'A'), stack('C', 'A'), stack('D', 'B', 'C'), stack('E')]);
  expect(Object.fromEntries(waves)).toEqual({ A: 1, B: 2, C: 2, D: 3, E: 1 });
});

test('probe outputs of two spokes with one ID in one DNS stack are refused, naming the ID and the stack', () => {
  const app = new App();
  const hub = new Stack(app, 'Hub', { env: { account: ACCOUNT, region: 'ap-southeast-2' } });
  const tokyo = new Stack(app, 'Tokyo', { env: { account: ACCOUNT, region: 'ap-northeast-1' } });
  const join = (parent: string, cidr: string, i: number) => {
    const vpc = new ec2.Vpc(hub, `${parent}Vpc`, { ipAddresses: ec2.IpAddresses.cidr(cidr), availabilityZones: ['ap-southeast-2a'], natGateways: 0 });
    const endpoint = new PrivateLinkEndpoint(hub, `${parent}Endpoint`, { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
    return () => new SpokePeering(new Construct(hub, parent), 'Tokyo', {
      endpoint, spokeVpc: spokeVpc(tokyo, i), probeHostname: 'abc12345.live.dynatrace.com', probe: { outputs: true },
    });
  };
  const first = join('A', '10.100.0.0/16', 0);
  const second = join('B', '10.101.0.0/16', 1);
  expect(first().probe).toBeDefined();
  expect(second).toThrow('`probe.outputs` needs the spoke\'s ID to be free in Hub-Tokyo-SpokeDns for its outputs, got Tokyo, which another construct there has');
});
