import { App, CfnResource, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  ConnectionEvent, ExposedPort, PrivateLinkService, PrivateLinkServiceProps, ServiceTarget, UnlistedConnectionAction,
} from '../../src';

const VENDOR = 'arn:aws:iam::012922587834:root';
const DB = ServiceTarget.ipAddress('10.0.100.10');

function setup(context: Record<string, unknown> = {}, region = 'eu-west-1') {
  const app = new App({ context });
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    availabilityZones: [`${region}a`, `${region}b`],
    natGateways: 1,
  });
  return { app, stack, vpc };
}

function service(props: Partial<PrivateLinkServiceProps> = {}) {
  const { stack, vpc } = setup();
  const construct = new PrivateLinkService(stack, 'Service', {
    vpc,
    allowedPrincipals: [VENDOR],
    ports: [{ port: 5432, targets: [DB] }],
    ...props,
  });
  return { stack, vpc, construct, template: Template.fromStack(stack) };
}

/** Expects construction to fail with the message and to leave nothing behind. */
function expectRefusal(props: Partial<PrivateLinkServiceProps>, message: RegExp, stackRegion?: string) {
  const { stack, vpc } = setup({}, stackRegion);
  expect(() => new PrivateLinkService(stack, 'Service', {
    vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }], ...props,
  })).toThrow(message);
  const leftovers = stack.node.tryFindChild('Service')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
  expect(leftovers).toHaveLength(0);
}

describe('PrivateLinkService defaults', () => {
  test('creates an internal NLB in the private subnets with cross-zone on and no security group', () => {
    const { template } = service();
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Type: 'network',
      SecurityGroups: Match.absent(),
      Subnets: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }],
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]),
    });
  });

  test('keeps the NLB free of security groups even when the feature flag adds one by default', () => {
    const { stack, vpc } = setup({ '@aws-cdk/aws-elasticloadbalancingv2:networkLoadBalancerWithSecurityGroupByDefault': true });
    new PrivateLinkService(stack, 'Service', { vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { SecurityGroups: Match.absent() });
    expect(Object.keys(template.findResources('AWS::EC2::SecurityGroup'))).toHaveLength(0);
  });

  test('target group: TCP, proxy protocol v2, client IP preservation and stickiness off, cross-zone inherited, TCP health check', () => {
    const { template } = service();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 5432,
      Protocol: 'TCP',
      TargetType: 'ip',
      Targets: [{ Id: '10.0.100.10', Port: 5432 }],
      HealthCheckProtocol: 'TCP',
      HealthCheckPort: 'traffic-port',
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'proxy_protocol_v2.enabled', Value: 'false' },
        { Key: 'preserve_client_ip.enabled', Value: 'false' },
        { Key: 'stickiness.enabled', Value: 'false' },
        { Key: 'load_balancing.cross_zone.enabled', Value: 'use_load_balancer_configuration' },
      ]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 5432,
      Protocol: 'TCP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('ServiceTargetGroup5432') } }],
    });
  });

  test('endpoint service requires acceptance and allows exactly the named principals', () => {
    const { template } = service({ allowedPrincipals: [VENDOR, '222222222222', 'arn:aws:iam::333333333333:role/vendor/Reader'] });
    template.hasResourceProperties('AWS::EC2::VPCEndpointService', {
      AcceptanceRequired: true,
      NetworkLoadBalancerArns: [{ Ref: Match.stringLikeRegexp('ServiceLoadBalancer') }],
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', {
      AllowedPrincipals: [VENDOR, 'arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:role/vendor/Reader'],
    });
  });

  test('account IDs become root ARNs in the stack partition', () => {
    const { stack, vpc } = setup({}, 'cn-north-1');
    new PrivateLinkService(stack, 'Service', { vpc, allowedPrincipals: ['222222222222'], ports: [{ port: 5432, targets: [DB] }] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', {
      AllowedPrincipals: ['arn:aws-cn:iam::222222222222:root'],
    });
  });

  test('outputs the endpoint service name only when asked, and exposes its attributes', () => {
    expect(service().template.findOutputs('*')).toEqual({});
    const { construct, template, stack } = service({ outputs: true });
    const outputs = template.findOutputs('*', { Description: Match.stringLikeRegexp('send it to the vendor') });
    expect(Object.keys(outputs)).toEqual(['ServiceEndpointServiceName']);
    const value = Object.values(outputs)[0].Value;
    expect(value).toEqual(stack.resolve(construct.endpointServiceName));
    expect(stack.resolve(construct.endpointServiceId)).toEqual({ Ref: expect.stringMatching(/^ServiceEndpointService/) });
    expect(JSON.stringify(value)).toContain('com.amazonaws.vpce');
  });

  test('one listener and one target group per port, in order, with targetGroupFor', () => {
    const { construct, template, stack } = service({
      ports: [{ port: 5432, targets: [DB] }, { port: 443, targetPort: 8443, targets: [DB] }],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    expect(construct.targetGroups).toHaveLength(2);
    expect(construct.listeners).toHaveLength(2);
    const tg = stack.resolve((construct.targetGroupFor(443).node.defaultChild as CfnResource).logicalId);
    expect(template.toJSON().Resources[tg].Properties).toMatchObject({ Port: 8443, Targets: [{ Id: '10.0.100.10', Port: 8443 }] });
    expect(() => construct.targetGroupFor(80)).toThrow('`port` must be one of the exposed ports [5432,443], got: 80');
  });
});

describe('PrivateLinkService targets', () => {
  test('an instance target registers by instance ID and opens its security group to the NLB subnets only (one prefix-list rule)', () => {
    const { stack, vpc } = setup();
    const instance = new ec2.Instance(stack, 'Tunnel', {
      vpc,
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
    const construct = new PrivateLinkService(stack, 'Service', {
      vpc, allowedPrincipals: [VENDOR], ports: [{ port: 2222, targetPort: 22, targets: [ServiceTarget.instance(instance)] }],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'instance', Port: 22, Targets: [{ Id: { Ref: Match.stringLikeRegexp('Tunnel') }, Port: 22 }],
    });
    const privateCidrs = vpc.privateSubnets.map((s) => stack.resolve(s.ipv4CidrBlock));
    template.hasResourceProperties('AWS::EC2::PrefixList', {
      AddressFamily: 'IPv4', MaxEntries: privateCidrs.length, Entries: privateCidrs.map((cidr) => Match.objectLike({ Cidr: cidr })),
    });
    expect(construct.subnetPrefixList).toBeDefined();
    const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(rules).toEqual([expect.objectContaining({
      GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^TunnelInstanceSecurityGroup/), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      SourcePrefixListId: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceLoadBalancerSubnets/), 'PrefixListId'] },
    })]);
  });

  test('`connections` is the NLB subnets, not the VPC: aws-cdk-lib\'s own allowFrom opens a database to the prefix list', () => {
    const { stack, vpc } = setup();
    const construct = new PrivateLinkService(stack, 'Service', { vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }] });
    const database = new ec2.SecurityGroup(stack, 'Database', { vpc });
    database.connections.allowFrom(construct, ec2.Port.tcp(5432));
    construct.allowTargetAccess(new ec2.SecurityGroup(stack, 'Other', { vpc }), 6379);
    const template = Template.fromStack(stack);
    const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(rules.map((r) => [JSON.stringify(r.GroupId).match(/Database|Other/)![0], r.FromPort, Object.keys(r).filter((k) => /^(Source|Cidr)/.test(k))]))
      .toEqual([['Database', 5432, ['SourcePrefixListId']], ['Other', 6379, ['SourcePrefixListId']]]);
    expect(JSON.stringify(template.toJSON())).not.toContain('"CidrIp":{"Fn::GetAtt":["Vpc8378EB38","CidrBlock"]}');
  });

  test('a given load balancer without security groups: the VPC CIDR, with a warning that says how to narrow it', () => {
    const { stack, vpc } = setup();
    const lb = new elbv2.NetworkLoadBalancer(stack, 'Lb', { vpc, internetFacing: false });
    const construct = new PrivateLinkService(stack, 'Service', { loadBalancer: lb, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }] });
    construct.allowTargetAccess(new ec2.SecurityGroup(stack, 'Database', { vpc }), 5432);
    expect(construct.subnetPrefixList).toBeUndefined();
    const template = Template.fromStack(stack);
    const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(rules).toEqual([expect.objectContaining({
      GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^Database/), 'GroupId'] },
      FromPort: 5432,
      CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'CidrBlock'] },
    })]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.absent() });
    Annotations.fromStack(stack).hasWarning('/Stack/Service', Match.stringLikeRegexp(
      'The given load balancer \\(Stack/Lb\\) has no security group, and its subnets are not known here: `connections` and target access use the VPC\'s CIDR block'));
  });

  test('allowTargetAccess takes a port number, as targetGroupFor does, and refuses one out of range', () => {
    const { stack, vpc } = setup();
    const construct = new PrivateLinkService(stack, 'Service', { vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }] });
    expect(() => construct.allowTargetAccess(new ec2.SecurityGroup(stack, 'Database', { vpc }), 70000))
      .toThrow('`port` must be an integer from 1 to 65535, got: 70000');
  });

  test('with a load balancer security group, targets are opened from that group', () => {
    const { stack, vpc } = setup();
    const lbGroup = new ec2.SecurityGroup(stack, 'LbGroup', { vpc });
    const target = new ec2.SecurityGroup(stack, 'Target', { vpc });
    const construct = new PrivateLinkService(stack, 'Service', {
      vpc, allowedPrincipals: [VENDOR], securityGroups: [lbGroup], ports: [{ port: 5432, targets: [DB] }],
    });
    construct.allowTargetAccess(target, 5432);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('LbGroup'), 'GroupId'] }],
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Target'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LbGroup'), 'GroupId'] },
      FromPort: 5432,
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('filter PrivateLink traffic'));
  });

  test('an ALB target uses target type alb and an HTTP health check', () => {
    const { stack, vpc } = setup();
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    new PrivateLinkService(stack, 'Service', {
      vpc, allowedPrincipals: [VENDOR], ports: [{ port: 443, targets: [ServiceTarget.applicationLoadBalancer(alb)] }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'alb', HealthCheckProtocol: 'HTTP', Targets: [{ Id: { Ref: Match.stringLikeRegexp('Alb') }, Port: 443 }],
    });
  });

  test('an IP outside the VPC can be registered in all zones', () => {
    const { template } = service({
      ports: [{ port: 5432, targets: [ServiceTarget.ipAddress('192.168.10.4', { availabilityZone: 'all' })] }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Targets: [{ Id: '192.168.10.4', Port: 5432, AvailabilityZone: 'all' }],
    });
  });

  test('ServiceTarget.of passes any NLB target through', () => {
    const { template } = service({
      ports: [{ port: 5432, targets: [ServiceTarget.of(new targets.IpTarget('10.0.9.9', 5432), elbv2.TargetType.IP)] }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Targets: [{ Id: '10.0.9.9', Port: 5432 }] });
  });

  test('an externally synced port gets an empty IP target group', () => {
    const { template } = service({ ports: [{ port: 5432, ipTargetsSyncedExternally: true }] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'ip', Targets: Match.absent() });
  });

  test('every target group default can be overridden', () => {
    const { template } = service({
      ports: [{
        port: 5432,
        targets: [DB],
        proxyProtocolV2: true,
        preserveClientIp: true,
        stickiness: true,
        crossZoneEnabled: false,
        deregistrationDelay: Duration.seconds(20),
        healthCheck: { protocol: elbv2.Protocol.TCP, port: '9000', interval: Duration.seconds(10) },
      }],
      crossZoneEnabled: false,
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPort: '9000',
      HealthCheckIntervalSeconds: 10,
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '20' },
        { Key: 'proxy_protocol_v2.enabled', Value: 'true' },
        { Key: 'preserve_client_ip.enabled', Value: 'true' },
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.type', Value: 'source_ip' },
        { Key: 'load_balancing.cross_zone.enabled', Value: 'false' },
      ]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'false' }]),
    });
  });
});

describe('PrivateLinkService options', () => {
  test('allowedRegions become SupportedRegions', () => {
    const { template } = service({ allowedRegions: ['us-east-1', 'eu-central-1'] });
    template.hasResourceProperties('AWS::EC2::VPCEndpointService', { SupportedRegions: ['us-east-1', 'eu-central-1'] });
  });

  test('acceptance can be switched off', () => {
    const { template } = service({ acceptanceRequired: false });
    template.hasResourceProperties('AWS::EC2::VPCEndpointService', { AcceptanceRequired: false });
  });

  test('connection notifications go to the topic, which lets the endpoint service publish', () => {
    const { stack, vpc } = setup();
    const topic = new sns.Topic(stack, 'Topic');
    new PrivateLinkService(stack, 'Service', {
      vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }], notificationTopic: topic,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::VPCEndpointConnectionNotification', {
      ServiceId: { Ref: Match.stringLikeRegexp('ServiceEndpointService') },
      ConnectionNotificationArn: { Ref: Match.stringLikeRegexp('Topic') },
      ConnectionEvents: ['Accept', 'Connect', 'Delete', 'Reject'],
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'sns:Publish',
          Principal: { Service: 'vpce.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        })]),
      },
    });
  });

  test('notification events can be narrowed', () => {
    const { stack, vpc } = setup();
    new PrivateLinkService(stack, 'Service', {
      vpc,
      allowedPrincipals: [VENDOR],
      ports: [{ port: 5432, targets: [DB] }],
      notificationTopic: new sns.Topic(stack, 'Topic'),
      notificationEvents: [ConnectionEvent.CONNECT],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpointConnectionNotification', { ConnectionEvents: ['Connect'] });
  });

  test('security groups with PrivateLink enforcement on draw a warning', () => {
    const { stack, vpc } = setup();
    new PrivateLinkService(stack, 'Service', {
      vpc,
      allowedPrincipals: [VENDOR],
      ports: [{ port: 5432, targets: [DB] }],
      securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc })],
      enforceSecurityGroupRulesOnPrivateLinkTraffic: true,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'on',
    });
    Annotations.fromStack(stack).hasWarning('/Stack/Service', Match.stringLikeRegexp('dropped silently'));
  });

  test('a given load balancer gets the listeners; its security groups with enforcement on draw a warning', () => {
    const { stack, vpc } = setup();
    const lb = new elbv2.NetworkLoadBalancer(stack, 'Existing', {
      vpc, securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc })],
    });
    new PrivateLinkService(stack, 'Service', { loadBalancer: lb, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      LoadBalancerArn: { Ref: Match.stringLikeRegexp('Existing') }, Port: 5432,
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpointService', {
      NetworkLoadBalancerArns: [{ Ref: Match.stringLikeRegexp('Existing') }],
    });
    Annotations.fromStack(stack).hasWarning('/Stack/Service', Match.stringLikeRegexp('Existing.*dropped silently'));
  });

  test('tokens are not validated at synth', () => {
    const { template } = service({ allowedPrincipals: [Fn.importValue('VendorPrincipal')] });
    template.hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', {
      AllowedPrincipals: [{ 'Fn::ImportValue': 'VendorPrincipal' }],
    });
  });
});

describe('PrivateLinkService refusals', () => {
  test.each([
    ['*'],
    ['12345678901'],
    ['1234567890123'],
    ['arn:aws:s3:::bucket'],
    ['arn:aws:iam::12345:root'],
    ['arn:aws:iam::123456789012:group/admins'],
    ['vendor'],
  ])('a principal that is neither a 12-digit account nor an IAM ARN: %s', (principal) => {
    expectRefusal({ allowedPrincipals: [principal] },
      new RegExp(`\`allowedPrincipals\` entries must be a 12-digit AWS account ID or the IAM ARN.*got: "${principal.replace(/[*]/g, '\\*')}"`));
  });

  test('no principal at all', () => {
    expectRefusal({ allowedPrincipals: [] }, /`allowedPrincipals` must name at least one/);
  });

  test('duplicate ports', () => {
    expectRefusal({ ports: [{ port: 5432, targets: [DB] }, { port: 5432, targets: [DB] }] },
      /`ports` must not repeat a port \(one listener per port\), got 5432 twice/);
  });

  test.each([0, 65536, -1, 22.5])('listener port outside 1-65535: %s', (port) => {
    expectRefusal({ ports: [{ port, targets: [DB] }] }, new RegExp(`\`ports\\[\\]\\.port\` must be an integer from 1 to 65535, got: ${port}`));
  });

  test('target port outside 1-65535', () => {
    expectRefusal({ ports: [{ port: 22, targetPort: 70000, targets: [DB] }] }, /`ports\[\]\.targetPort` must be an integer from 1 to 65535, got: 70000/);
  });

  test('a port with no targets and no sync', () => {
    expectRefusal({ ports: [{ port: 5432 }] }, /entry for port 5432 has no `targets`.*ipTargetsSyncedExternally/);
    expectRefusal({ ports: [{ port: 5432, targets: [] }] }, /entry for port 5432 has no `targets`/);
  });

  test('no ports', () => {
    expectRefusal({ ports: [] }, /`ports` must expose at least one port, got: \[\]/);
  });

  test('more than 50 listeners', () => {
    const ports: ExposedPort[] = Array.from({ length: 51 }, (_, i) => ({ port: 10000 + i, targets: [DB] }));
    expectRefusal({ ports }, /`ports` must expose at most 50 ports .*got: 51/);
  });

  test('exactly 50 listeners are fine', () => {
    const ports: ExposedPort[] = Array.from({ length: 50 }, (_, i) => ({ port: 10000 + i, targets: [DB] }));
    service({ ports }).template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 50);
  });

  test('subnets without their CIDR blocks (and no security group to use instead)', () => {
    expectRefusal({ vpcSubnets: { subnets: [ec2.Subnet.fromSubnetId(new Stack(), 'Imported', 'subnet-0123')] } },
      /`vpcSubnets` must carry their CIDR blocks \(the load balancer's traffic comes from them\), got subnet subnet-0123 without one: import it with ec2.Subnet.fromSubnetAttributes\(\{ subnetId, ipv4CidrBlock \}\), or give the service `securityGroups`/);
  });

  test('public subnet placement', () => {
    expectRefusal({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } },
      /`vpcSubnets` must select private subnets: the load balancer is internal, got public subnets \["Stack\/Vpc\/PublicSubnet1"/);
  });

  test('an internet-facing load balancer', () => {
    const { stack, vpc } = setup();
    const lb = new elbv2.NetworkLoadBalancer(stack, 'Public', { vpc, internetFacing: true });
    expect(() => new PrivateLinkService(stack, 'Service', {
      loadBalancer: lb, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }],
    })).toThrow('`loadBalancer` must be internal, got an internet-facing load balancer (Stack/Public)');
  });

  test('new-load-balancer options next to a given load balancer', () => {
    const { stack, vpc } = setup();
    const lb = new elbv2.NetworkLoadBalancer(stack, 'Existing', { vpc });
    expect(() => new PrivateLinkService(stack, 'Service', {
      loadBalancer: lb,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      allowedPrincipals: [VENDOR],
      ports: [{ port: 5432, targets: [DB] }],
    })).toThrow('`vpcSubnets` applies to a new load balancer only');
  });

  test('no VPC and no load balancer', () => {
    expectRefusal({ vpc: undefined }, /`vpc` is required when `loadBalancer` is not given/);
  });

  test('allowedRegions outside the stack partition', () => {
    expectRefusal({ allowedRegions: ['us-east-1', 'cn-north-1'] },
      /`allowedRegions` must be in the stack's partition "aws" \(region eu-west-1\), got: "cn-north-1" in partition "aws-cn"/);
    expectRefusal({ allowedRegions: ['us-gov-west-1'] }, /partition "aws-us-gov"/);
  });

  test('allowedRegions in several partitions when the stack region is unknown', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(() => new PrivateLinkService(stack, 'Service', {
      vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }], allowedRegions: ['us-east-1', 'cn-north-1'],
    })).toThrow('`allowedRegions` must all be in one partition, got: ["us-east-1","cn-north-1"]');
  });

  test('a malformed region name', () => {
    expectRefusal({ allowedRegions: ['Ireland'] }, /`allowedRegions` entries must be AWS region names such as "eu-west-1", got: "Ireland"/);
  });

  test('a malformed IP target', () => {
    expectRefusal({ ports: [{ port: 5432, targets: [ServiceTarget.ipAddress('10.0.0.300')] }] },
      /`ServiceTarget.ipAddress` must be an IPv4 address, got: "10.0.0.300"/);
  });

  test('mixed target types on one port', () => {
    const { stack, vpc } = setup();
    const instance = new ec2.Instance(stack, 'I', {
      vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
    expect(() => new PrivateLinkService(stack, 'Service', {
      vpc, allowedPrincipals: [VENDOR], ports: [{ port: 22, targets: [DB, ServiceTarget.instance(instance)] }],
    })).toThrow('`ports` entry for port 22 mixes target types ["ip","instance"]; a target group holds one type');
  });

  test('an externally synced port with non-IP targets', () => {
    const { stack, vpc } = setup();
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    expect(() => new PrivateLinkService(stack, 'Service', {
      vpc,
      allowedPrincipals: [VENDOR],
      ports: [{ port: 443, ipTargetsSyncedExternally: true, targets: [ServiceTarget.applicationLoadBalancer(alb)] }],
    })).toThrow('sets `ipTargetsSyncedExternally`, so its `targets` must be IP addresses');
  });

  test('an empty notification event list', () => {
    const { stack, vpc } = setup();
    expect(() => new PrivateLinkService(stack, 'Service', {
      vpc,
      allowedPrincipals: [VENDOR],
      ports: [{ port: 5432, targets: [DB] }],
      notificationTopic: new sns.Topic(stack, 'Topic'),
      notificationEvents: [],
    })).toThrow('`notificationEvents` must name at least one event when given, got: []');
  });
});

describe('PrivateLinkService under cdk-nag', () => {
  test('acknowledges the NLB access-log finding with its reason, and only for its own load balancer', () => {
    const { stack, vpc } = setup();
    new PrivateLinkService(stack, 'Service', { vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }] });
    new elbv2.NetworkLoadBalancer(stack, 'Unrelated', { vpc });
    const findings = new AwsSolutionsChecks().validateScope(stack).violations
      .filter((v) => v.ruleName === 'AwsSolutions-ELB2')
      .flatMap((v) => v.violatingResources.map((r) => r.constructPath));
    expect(findings).toEqual(['Stack/Unrelated/Resource']);
    const lb = Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::LoadBalancer', { Properties: { Scheme: 'internal' } });
    const ours = Object.entries(lb).find(([id]) => id.startsWith('ServiceLoadBalancer'))![1];
    expect(ours.Metadata.checkov.skip).toEqual([{ id: 'CKV_AWS_91', comment: expect.stringMatching(/only record TLS listeners/) }]);
  });
});

describe('PrivateLinkService auto-accept', () => {
  test('off by default: no function, no topic, no notification', () => {
    const { template } = service();
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpointConnectionNotification', 0);
  });

  test('creates an encrypted, TLS-only topic the endpoint service may publish to, and subscribes the function', () => {
    const { template } = service({ autoAccept: {} });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ServiceNotificationKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'vpce.amazonaws.com' },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'vpce.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpointConnectionNotification', {
      ConnectionEvents: ['Accept', 'Connect', 'Delete', 'Reject'],
      ServiceId: { Ref: Match.stringLikeRegexp('ServiceEndpointService') },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('ServiceAutoAcceptFunction'), 'Arn'] },
    });
  });

  test('the function gets the service, the principals and the unlisted-connection rule; sweeps every 5 minutes', () => {
    const { template } = service({ autoAccept: {}, allowedPrincipals: [VENDOR, '222222222222'] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          SERVICE_ID: { Ref: Match.stringLikeRegexp('ServiceEndpointService') },
          ALLOWED_PRINCIPALS: `${VENDOR},arn:aws:iam::222222222222:root`,
          UNLISTED_CONNECTIONS: 'leave',
        },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  test('reject and a custom sweep interval', () => {
    const { template } = service({ autoAccept: { unlistedConnections: UnlistedConnectionAction.REJECT, sweepInterval: Duration.minutes(15) } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ UNLISTED_CONNECTIONS: 'reject' }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
  });

  test('may accept and reject connections of its own endpoint service only', () => {
    const { template } = service({ autoAccept: {} });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'ec2:DescribeVpcEndpointConnections', Resource: '*' },
          {
            Effect: 'Allow',
            Action: ['ec2:AcceptVpcEndpointConnections', 'ec2:RejectVpcEndpointConnections'],
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:111111111111:vpc-endpoint-service/',
                { Ref: Match.stringLikeRegexp('ServiceEndpointService') }]],
            },
          },
        ]),
      },
    });
  });

  test('uses the given notification topic instead of creating one', () => {
    const { stack, vpc } = setup();
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    new PrivateLinkService(stack, 'Service', {
      vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }], notificationTopic: topic, autoAccept: {},
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { Ref: Match.stringLikeRegexp('^Topic') } });
  });

  test('principals that are deploy-time tokens are joined at deploy time', () => {
    const { template } = service({ autoAccept: {}, allowedPrincipals: [Fn.importValue('VendorArn')] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALLOWED_PRINCIPALS: { 'Fn::ImportValue': 'VendorArn' } }) },
    });
  });

  test('refuses auto-accept without acceptance, without the Connect event, or with a sub-minute sweep', () => {
    expectRefusal({ autoAccept: {}, acceptanceRequired: false },
      /`autoAccept` needs `acceptanceRequired` to be true \(without acceptance there is nothing to accept\), got: false/);
    expectRefusal({ autoAccept: {}, notificationEvents: [ConnectionEvent.ACCEPT] },
      /`notificationEvents` must include ConnectionEvent.CONNECT when `autoAccept` is set, got: \["Accept"\]/);
    expectRefusal({ autoAccept: { sweepInterval: Duration.seconds(30) } },
      /`autoAccept.sweepInterval` must be a whole number of minutes, at least 1, got: 30 seconds/);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    const { stack, vpc } = setup();
    new PrivateLinkService(stack, 'Service', { vpc, allowedPrincipals: [VENDOR], ports: [{ port: 5432, targets: [DB] }], autoAccept: {} });
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings.filter((f) => f.includes('/Service/'))).toEqual([]);
  });
});
