import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  MonteCarloPrivateLink, MonteCarloPrivateLinkProps,
  PrivateDnsOverride, PrivateLinkEndpoint,
} from '../../../src';

const SERVICE = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';

/** An environment-agnostic stack, for `setup(ENV_AGNOSTIC)`. */
const ENV_AGNOSTIC = '';

/** A stack in `region` (or environment-agnostic) with a 10.0.0.0/16 VPC of two isolated subnets. */
function setup(region = 'us-east-1') {
  const app = new App();
  const stack = new Stack(app, 'Stack', region ? { env: { account: '111111111111', region } } : {});
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    availabilityZones: region ? [`${region}a`, `${region}b`] : undefined,
    maxAzs: region ? undefined : 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Agent', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  return { app, stack, vpc };
}

function monteCarlo(props: Partial<MonteCarloPrivateLinkProps> = {}, region?: string) {
  const { app, stack, vpc } = setup(region);
  const construct = new MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE, ...props });
  return { app, stack, vpc, construct, template: Template.fromStack(stack) };
}

function outputsDescribed(template: Template, description: RegExp) {
  return Object.values(template.findOutputs('*', { Description: Match.stringLikeRegexp(description.source) }));
}

describe('MonteCarloPrivateLink', () => {
  test('an interface endpoint to the service name, private DNS off, in the AZs the service supports', () => {
    const { template, stack, vpc } = monteCarlo();
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: SERVICE,
      PrivateDnsEnabled: false,
      ServiceRegion: Match.absent(),
      VpcId: { Ref: Match.stringLikeRegexp('^Vpc') },
      SubnetIds: { 'Fn::Split': [',', { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonteCarloEndpointSupportedSubnets'), 'SubnetIds'] }] },
    });
    template.hasResourceProperties('Custom::PrivateLinkAzFilter', {
      ServiceName: SERVICE,
      ServiceRegion: Match.absent(),
      SubnetIds: vpc.isolatedSubnets.map((s) => stack.resolve(s.subnetId)),
    });
  });

  test('the security group opens 443 to the agent\'s VPC only and allows no egress', () => {
    const { template } = monteCarlo();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.anyValue() }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
    expect(JSON.stringify(template.findResources('AWS::EC2::SecurityGroup'))).not.toContain('0.0.0.0/0');
  });

  test('probes the Agent Service hostname from the VPC after the DNS override ("Verify Connectivity"); off with probe.enabled false', () => {
    const { template } = monteCarlo();
    const checks = Object.values(template.findResources('Custom::PrivateLinkProbe'));
    expect(checks.map((c) => c.Properties.Hostname)).toEqual(['artemis.privatelink.getmontecarlo.com']);
    expect(checks[0].DependsOn).toEqual(expect.arrayContaining(Object.keys(template.findResources('AWS::Route53::RecordSet'))));
    expect(monteCarlo({ probe: { enabled: false } }).template.findResources('Custom::PrivateLinkProbe')).toEqual({});
  });

  test('a private zone privatelink.getmontecarlo.com on the VPC with a CNAME artemis to the endpoint', () => {
    const { template, construct } = monteCarlo();
    template.resourceCountIs('AWS::Route53::HostedZone', 1);
    template.hasResourceProperties('AWS::Route53::HostedZone', {
      Name: 'privatelink.getmontecarlo.com.',
      VPCs: [{ VPCId: { Ref: Match.stringLikeRegexp('^Vpc') }, VPCRegion: 'us-east-1' }],
    });
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'artemis.privatelink.getmontecarlo.com.',
      Type: 'CNAME',
      HostedZoneId: { Ref: Match.stringLikeRegexp('^MonteCarloDnsZone') },
      ResourceRecords: [{
        'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonteCarloEndpoint'), 'DnsEntries'] }] }] }],
      }],
    });
    expect(construct.dnsOverride.overriddenNames).toEqual(['artemis.privatelink.getmontecarlo.com']);
    expect(MonteCarloPrivateLink.DEFAULT_HOSTNAME).toBe('artemis.privatelink.getmontecarlo.com');
    expect(MonteCarloPrivateLink.PRIVATELINK_ZONE).toBe('privatelink.getmontecarlo.com');
  });

  test('outputs the endpoint ID to send to Monte Carlo, and the backendServiceUrl, when asked', () => {
    expect(monteCarlo().template.findOutputs('*')).toEqual({});
    const { template } = monteCarlo({ outputs: true });
    const ids = outputsDescribed(template, /send it to Monte Carlo support to approve/);
    expect(ids).toEqual([expect.objectContaining({ Value: { Ref: expect.stringMatching(/^MonteCarloEndpoint[0-9A-F]{8}$/) } })]);
    const urls = outputsDescribed(template, /backendServiceUrl for the Monte Carlo agent's configuration/);
    expect(urls).toEqual([expect.objectContaining({ Value: 'https://artemis.privatelink.getmontecarlo.com' })]);
    // The endpoint's own generic ID output is replaced, not duplicated.
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['MonteCarloBackendServiceUrl', 'MonteCarloEndpointId']);
  });

  test('exposes the endpoint, the DNS override, the endpoint ID, the URL and connections on 443', () => {
    const { construct, stack } = monteCarlo();
    expect(construct.endpoint).toBeInstanceOf(PrivateLinkEndpoint);
    expect(construct.dnsOverride).toBeInstanceOf(PrivateDnsOverride);
    expect(stack.resolve(construct.vpcEndpointId)).toEqual({ Ref: expect.stringMatching(/^MonteCarloEndpoint/) });
    expect(construct.hostname).toBe('artemis.privatelink.getmontecarlo.com');
    expect(construct.backendServiceUrl).toBe('https://artemis.privatelink.getmontecarlo.com');
    expect(construct.connections.defaultPort?.toString()).toBe('443');
    expect(construct.connections).toBe(construct.endpoint.connections);
  });

  test('allowFrom and connections open 443 to peers beyond the VPC', () => {
    const { stack, vpc } = setup();
    const construct = new MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE });
    construct.allowFrom(ec2.Peer.ipv4('10.9.0.0/16'), 'the agent in the peered VPC');
    const agent = new ec2.SecurityGroup(stack, 'Agent', { vpc });
    construct.connections.allowDefaultPortFrom(agent);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('MonteCarlo/Endpoint'),
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ CidrIp: '10.9.0.0/16', FromPort: 443, ToPort: 443, Description: Match.stringLikeRegexp('peered VPC') }),
      ]),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Agent'), 'GroupId'] },
    });
  });

  test('cross-region: a service region other than the stack\'s makes a native cross-region endpoint', () => {
    const { template } = monteCarlo({ serviceRegion: 'us-east-1' }, 'eu-west-1');
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: SERVICE, ServiceRegion: 'us-east-1' });
    template.hasResourceProperties('Custom::PrivateLinkAzFilter', { ServiceRegion: 'us-east-1' });
    // The zone lives in the agent's region, with the agent's VPC.
    template.hasResourceProperties('AWS::Route53::HostedZone', {
      VPCs: [{ VPCId: Match.anyValue(), VPCRegion: 'eu-west-1' }],
    });
  });

  test('a service region equal to the stack\'s is a same-region endpoint', () => {
    const { template } = monteCarlo({ serviceRegion: 'us-east-1' }, 'us-east-1');
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceRegion: Match.absent() });
    template.hasResourceProperties('Custom::PrivateLinkAzFilter', { ServiceRegion: Match.absent() });
  });

  test('an environment-agnostic stack: the service region is passed through as given, or left out', () => {
    monteCarlo({ serviceRegion: 'us-east-1' }, ENV_AGNOSTIC).template
      .hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceRegion: 'us-east-1' });
    monteCarlo({}, ENV_AGNOSTIC).template
      .hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: SERVICE, ServiceRegion: Match.absent() });
  });

  test('deploy-time service name and region are passed through unchecked', () => {
    const { template } = monteCarlo({ serviceName: Fn.importValue('McService'), serviceRegion: Fn.importValue('McRegion') }, 'eu-west-1');
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: { 'Fn::ImportValue': 'McService' },
      ServiceRegion: { 'Fn::ImportValue': 'McRegion' },
    });
  });

  test('another hostname from the account page: its first label is the record', () => {
    const { template, construct } = monteCarlo({ hostname: 'artemis-eu.privatelink.getmontecarlo.com', outputs: true });
    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'privatelink.getmontecarlo.com.' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'artemis-eu.privatelink.getmontecarlo.com.', Type: 'CNAME' });
    expect(construct.backendServiceUrl).toBe('https://artemis-eu.privatelink.getmontecarlo.com');
    expect(outputsDescribed(template, /backendServiceUrl/)).toEqual([
      expect.objectContaining({ Value: 'https://artemis-eu.privatelink.getmontecarlo.com' }),
    ]);
  });

  test('subnets: the endpoint\'s candidates are the agent\'s subnets', () => {
    const { template, stack, vpc } = monteCarlo({ subnets: { availabilityZones: ['us-east-1b'] } });
    template.hasResourceProperties('Custom::PrivateLinkAzFilter', {
      SubnetIds: [stack.resolve(vpc.isolatedSubnets[1].subnetId)],
    });
  });

  test('existingZone: the CNAME goes into it and no zone is created', () => {
    const { stack, vpc } = setup();
    const zone = route53.PrivateHostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'privatelink.getmontecarlo.com',
    }) as route53.IPrivateHostedZone;
    new MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE, existingZone: zone });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::HostedZone', 0);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      HostedZoneId: 'Z0123456789ABCDEFGHIJ', Name: 'artemis.privatelink.getmontecarlo.com.', Type: 'CNAME',
    });
  });

  test('existingZone imported by ID only (name unknown at synth) is accepted', () => {
    const { stack, vpc } = setup();
    const zone = route53.PrivateHostedZone.fromPrivateHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
    new MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE, existingZone: zone });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding in the construct', () => {
    const { stack } = monteCarlo({ serviceRegion: 'us-east-1' }, 'eu-west-1');
    const ours = (v: { violatingResources: readonly { constructPath?: string }[] }) =>
      v.violatingResources.some((r) => /\/(MonteCarlo|SaasPrivateLink)/.test(r.constructPath ?? ''));
    const findings = new AwsSolutionsChecks().validateScope(stack).violations.filter(ours)
      .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});

describe('MonteCarloPrivateLink refuses', () => {
  function expectRefusal(props: Partial<MonteCarloPrivateLinkProps>, message: RegExp | string, region?: string) {
    const { stack, vpc } = setup(region);
    expect(() => new MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE, ...props })).toThrow(message);
    const leftovers = stack.node.tryFindChild('MonteCarlo')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
    expect(leftovers).toHaveLength(0);
  }

  test.each([
    '',
    'vpce-svc-0123456789abcdef0',
    'com.amazonaws.us-east-1.s3',
    'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789ABCDEF0',
    'com.amazonaws.vpce.us-east-1.vpce-svc-0123',
    'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0 ',
    'com.amazonaws.vpce.Virginia.vpce-svc-0123456789abcdef0',
    'https://artemis.privatelink.getmontecarlo.com',
  ])('a malformed service name %p', (serviceName) => {
    expectRefusal({ serviceName }, '`serviceName` must be the VPC endpoint service name from the Agent Service section of your ' +
      'Monte Carlo account page, "com.amazonaws.vpce.<region>.vpce-svc-<hex ID>" such as ' +
      `"com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0", got: ${JSON.stringify(serviceName)}`);
  });

  test('a malformed service region', () => {
    expectRefusal({ serviceRegion: 'N. Virginia' }, '`serviceRegion` must be an AWS region name such as "us-east-1", got: "N. Virginia"');
  });

  test('a service region that is not the service name\'s', () => {
    expectRefusal({ serviceRegion: 'us-west-2' }, '`serviceRegion` must be the region of `serviceName` ("us-east-1"), got: "us-west-2"', 'eu-west-1');
  });

  test('a service in another region than the stack\'s, without serviceRegion', () => {
    expectRefusal({}, '`serviceRegion` is required: `serviceName` is a service in "us-east-1" but the stack is in "eu-west-1"; ' +
      'set `serviceRegion: "us-east-1"` (the Region on your Monte Carlo account page) for a cross-region endpoint, ' +
      'or deploy the stack to that region', 'eu-west-1');
  });

  test.each([
    'artemis.getmontecarlo.com',
    'privatelink.getmontecarlo.com',
    'a.artemis.privatelink.getmontecarlo.com',
    'artemis.privatelink.getmontecarlo.com.',
    'https://artemis.privatelink.getmontecarlo.com',
    'Artemis.privatelink.getmontecarlo.com',
    'artemis.privatelink.example.com',
    'artemis',
    '',
  ])('a hostname outside privatelink.getmontecarlo.com: %p', (hostname) => {
    expectRefusal({ hostname }, '`hostname` must be the Agent Service PrivateLink hostname from your Monte Carlo account page, ' +
      'one lowercase label directly inside "privatelink.getmontecarlo.com" without "https://" or a trailing dot ' +
      `(such as "artemis.privatelink.getmontecarlo.com"), got: ${JSON.stringify(hostname)}`);
  });

  test('a deploy-time hostname', () => {
    expectRefusal({ hostname: Fn.importValue('Host') },
      '`hostname` must be known at synth (the private zone\'s record is built from it), got: a deploy-time value');
  });

  test('an existing zone of another name', () => {
    const { stack, vpc } = setup();
    const zone = route53.PrivateHostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'getmontecarlo.com',
    }) as route53.IPrivateHostedZone;
    expect(() => new MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE, existingZone: zone }))
      .toThrow('`existingZone` must be the private hosted zone "privatelink.getmontecarlo.com", got: "getmontecarlo.com"');
    expect(stack.node.tryFindChild('MonteCarlo')?.node.findAll().filter(CfnResource.isCfnResource) ?? []).toHaveLength(0);
  });

  test('refusals of the underlying endpoint surface too (another partition, subnets that select nothing)', () => {
    expectRefusal({ serviceName: Fn.importValue('McService'), serviceRegion: 'cn-north-1' },
      '`serviceRegion` must be in the stack\'s partition "aws", got: "cn-north-1" in partition "aws-cn"');
    expectRefusal({ subnets: { availabilityZones: ['us-east-1f'] } }, '`subnets` must select at least one subnet, got none');
  });
});

describe('MonteCarloPrivateLink in a VPC with two private subnet groups (app and data)', () => {
  function twoGroups(azs: string[]) {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      availabilityZones: azs,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    const group = (name: string) => vpc.isolatedSubnets.filter((s) => s.node.id.startsWith(`${name}Subnet`)).map((s) => stack.resolve(s.subnetId));
    return { stack, vpc, app: group('app'), data: group('data') };
  }

  test.each([
    [['us-east-1a', 'us-east-1b']],
    [['us-east-1a', 'us-east-1b', 'us-east-1c']],
  ])('the AZ filter gets one subnet per AZ, the app group\'s: %j', (azs) => {
    const { stack, vpc, app } = twoGroups(azs);
    new MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE });
    expect(vpc.isolatedSubnets).toHaveLength(2 * azs.length);
    Template.fromStack(stack).hasResourceProperties('Custom::PrivateLinkAzFilter', { SubnetIds: app });
    expect(app).toHaveLength(azs.length);
  });

  test('the group the agent runs in, by name', () => {
    const { stack, vpc, data } = twoGroups(['us-east-1a', 'us-east-1b']);
    new MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE, subnets: { subnetGroupName: 'data' } });
    Template.fromStack(stack).hasResourceProperties('Custom::PrivateLinkAzFilter', { SubnetIds: data });
  });

  test('a selection of both groups is refused at synth, naming both subnets and the AZ', () => {
    const { stack, vpc } = twoGroups(['us-east-1a', 'us-east-1b']);
    expect(() => new MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))
      .toThrow(/`subnets` must select at most one subnet per Availability Zone .*got "Stack\/Vpc\/appSubnet1" and "Stack\/Vpc\/dataSubnet1", both in "us-east-1a": /);
  });
});
