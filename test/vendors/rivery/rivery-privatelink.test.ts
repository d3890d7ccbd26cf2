import { App, CfnResource, Fn, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RiveryPrivateLink, RiveryPrivateLinkProps, RiveryTarget } from '../../../src';

/** The NLB's subnet prefix list, the source of every rule that opens a target. */
const PREFIX_LIST = { 'Fn::GetAtt': [Match.stringLikeRegexp('RiveryServiceLoadBalancerSubnets'), 'PrefixListId'] };

/** `group` has exactly one ingress rule: TCP `port` from the NLB's subnet prefix list. */
function expectOpened(template: Template, group: string, port: number) {
  const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
    .map((r) => r.Properties)
    .filter((p) => JSON.stringify(p.GroupId).includes(group));
  expect(rules).toEqual([expect.objectContaining({
    IpProtocol: 'tcp',
    FromPort: port,
    ToPort: port,
    SourcePrefixListId: { 'Fn::GetAtt': [expect.stringMatching(/^RiveryServiceLoadBalancerSubnets/), 'PrefixListId'] },
  })]);
}

function setup() {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1,
  });
  const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'Cluster', {
    clusterIdentifier: 'orders',
    clusterEndpointAddress: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com',
    readerEndpointAddress: 'orders.cluster-ro-abc.eu-west-1.rds.amazonaws.com',
    port: 5432,
    securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0123456789abcdef0', { mutable: true })],
  });
  return { app, stack, vpc, cluster };
}

function rivery(props: Partial<RiveryPrivateLinkProps> = {}) {
  const { app, stack, vpc, cluster } = setup();
  const construct = new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.auroraCluster(cluster), ...props });
  return { app, stack, vpc, construct, template: Template.fromStack(stack) };
}

describe('RiveryPrivateLink', () => {
  test('allows Rivery\'s principal, requires acceptance, internal NLB with cross-zone on', () => {
    const { template } = rivery();
    expect(RiveryPrivateLink.PRINCIPAL).toBe('arn:aws:iam::012922587834:root');
    template.hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', { AllowedPrincipals: [RiveryPrivateLink.PRINCIPAL] });
    template.hasResourceProperties('AWS::EC2::VPCEndpointService', { AcceptanceRequired: true });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Type: 'network',
      SecurityGroups: Match.absent(),
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]),
    });
  });

  test('Aurora: an empty IP target group on the database port with Rivery\'s attributes, kept in sync with the writer endpoint', () => {
    const { template } = rivery();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 5432,
      Protocol: 'TCP',
      TargetType: 'ip',
      Targets: Match.absent(),
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'proxy_protocol_v2.enabled', Value: 'false' },
        { Key: 'preserve_client_ip.enabled', Value: 'false' },
        { Key: 'stickiness.enabled', Value: 'false' },
        { Key: 'load_balancing.cross_zone.enabled', Value: 'use_load_balancer_configuration' },
      ]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HOSTNAME_TO_SYNC: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com',
          TARGET_PORT: '5432',
          TARGET_GROUP_ARN: { Ref: Match.stringLikeRegexp('RiveryServiceTargetGroup5432') },
        }),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['RDS DB Cluster Event'], 'detail': Match.objectLike({ SourceIdentifier: ['orders'] }) }),
    });
  });

  test('opens the database\'s security group to the NLB\'s subnets only, through one prefix-list rule', () => {
    const { template } = rivery();
    template.hasResourceProperties('AWS::EC2::PrefixList', {
      AddressFamily: 'IPv4',
      MaxEntries: 2,
      Entries: [Match.objectLike({ Cidr: '10.0.128.0/18' }), Match.objectLike({ Cidr: '10.0.192.0/18' })],
    });
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: 'sg-0123456789abcdef0' } });
    expect(Object.values(ingress).map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        SourcePrefixListId: { 'Fn::GetAtt': [expect.stringMatching(/^RiveryServiceLoadBalancerSubnets/), 'PrefixListId'] },
      }),
    ]);
  });

  test('Aurora readers follow the reader endpoint', () => {
    const { stack, vpc, cluster } = setup();
    new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.auroraClusterReaders(cluster) });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOSTNAME_TO_SYNC: 'orders.cluster-ro-abc.eu-west-1.rds.amazonaws.com' }) },
    });
  });

  test('an RDS instance follows its endpoint, on its own port', () => {
    const { stack, vpc } = setup();
    const db = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Db', {
      instanceIdentifier: 'crm',
      instanceEndpointAddress: 'crm.abc.eu-west-1.rds.amazonaws.com',
      port: 3306,
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'CrmSg', 'sg-0aaaaaaaaaaaaaaaa')],
    });
    new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.databaseInstance(db) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 3306 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOSTNAME_TO_SYNC: 'crm.abc.eu-west-1.rds.amazonaws.com', TARGET_PORT: '3306' }) },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0aaaaaaaaaaaaaaaa', FromPort: 3306 });
  });

  test('an RDS Proxy of this app: synced and its security group opened', () => {
    const { stack, vpc } = setup();
    const instance = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc,
    });
    const proxy = instance.addProxy('Proxy', { vpc, secrets: [instance.secret!] });
    new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.databaseProxy(proxy), port: 5432 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOSTNAME_TO_SYNC: { 'Fn::GetAtt': [Match.stringLikeRegexp('DbProxy'), 'Endpoint'] } }) },
    });
    expectOpened(template, 'DbProxyProxySecurityGroup', 5432);
  });

  test('an imported RDS Proxy: a warning to open its security group yourself', () => {
    const { stack, vpc } = setup();
    const proxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Proxy', {
      dbProxyName: 'p', dbProxyArn: 'arn:aws:rds:eu-west-1:111111111111:db-proxy:prx-1', endpoint: 'p.proxy-abc.eu-west-1.rds.amazonaws.com', securityGroups: [],
    });
    new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.databaseProxy(proxy), port: 5432 });
    Annotations.fromStack(stack).hasWarning('/Stack/Rivery', Match.stringLikeRegexp('allow TCP 5432 from the load balancer\'s subnets yourself'));
  });

  test('an SSH tunnel: an instance target on 22, no sync, its security group opened from the NLB subnets', () => {
    const { stack, vpc } = setup();
    const tunnel = new ec2.Instance(stack, 'Tunnel', {
      vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
    const construct = new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.sshTunnel(tunnel), outputs: true });
    const template = Template.fromStack(stack);
    expect(construct.sync).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 22, TargetType: 'instance', Targets: [{ Id: { Ref: Match.stringLikeRegexp('Tunnel') }, Port: 22 }],
    });
    expectOpened(template, 'TunnelInstanceSecurityGroup', 22);
    const steps = Object.values(template.findOutputs('*', { Description: 'What to do after the deploy' }))[0].Value;
    expect(steps).toMatch(/as the SSH tunnel host/);
  });

  test('several targets behind one service: a proxy and an SSH tunnel, one listener each, one connection request', () => {
    const { stack, vpc } = setup();
    const instance = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc,
    });
    const proxy = instance.addProxy('Proxy', { vpc, secrets: [instance.secret!] });
    const tunnel = new ec2.Instance(stack, 'Tunnel', {
      vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
    const construct = new RiveryPrivateLink(stack, 'Rivery', {
      vpc, targets: [RiveryTarget.databaseProxy(proxy, { port: 5432 }), RiveryTarget.sshTunnel(tunnel)], outputs: true,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpointService', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    expect(construct.syncs).toHaveLength(1);
    expect(construct.sync).toBe(construct.syncs[0]);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 5432, TargetType: 'ip', Targets: Match.absent() });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 22, TargetType: 'instance' });
    expectOpened(template, 'DbProxyProxySecurityGroup', 5432);
    expectOpened(template, 'TunnelInstanceSecurityGroup', 22);
    const steps = Object.values(template.findOutputs('*', { Description: 'What to do after the deploy' }))[0].Value;
    expect(steps).toMatch(/port 5432, 22 as the SSH tunnel host/);
  });

  test('two databases: each has its own sync, the first keeps the ID "Sync" of a single target', () => {
    const { stack, vpc, cluster } = setup();
    const other = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Crm', {
      instanceIdentifier: 'crm',
      instanceEndpointAddress: 'crm.abc.eu-west-1.rds.amazonaws.com',
      port: 3306,
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'CrmSg', 'sg-0aaaaaaaaaaaaaaaa')],
    });
    const construct = new RiveryPrivateLink(stack, 'Rivery', {
      vpc, targets: [RiveryTarget.auroraCluster(cluster), RiveryTarget.databaseInstance(other)],
    });
    expect(construct.syncs.map((sync) => sync.node.id)).toEqual(['Sync', 'Sync3306']);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 5432, SourcePrefixListId: PREFIX_LIST });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0aaaaaaaaaaaaaaaa', FromPort: 3306, SourcePrefixListId: PREFIX_LIST });
  });

  test('an imported RDS Proxy with its security groups given: they are opened', () => {
    const { stack, vpc } = setup();
    const proxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Proxy', {
      dbProxyName: 'p', dbProxyArn: 'arn:aws:rds:eu-west-1:111111111111:db-proxy:prx-1', endpoint: 'p.proxy-abc.eu-west-1.rds.amazonaws.com', securityGroups: [],
    });
    const proxyGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'ProxySg', 'sg-0bbbbbbbbbbbbbbbb');
    new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.databaseProxy(proxy, { port: 5432, securityGroups: [proxyGroup] }) });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0bbbbbbbbbbbbbbbb', FromPort: 5432, ToPort: 5432, SourcePrefixListId: PREFIX_LIST,
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('yourself'));
  });

  test('an Aurora cluster of this app, also opened by hand to the construct and its service: one rule', () => {
    const { stack, vpc } = setup();
    const cluster = new rds.DatabaseCluster(stack, 'Aurora', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      vpc,
      port: 5432,
    });
    const construct = new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.auroraCluster(cluster), port: 5432 });
    cluster.connections.allowFrom(construct, ec2.Port.tcp(5432));
    cluster.connections.allowFrom(construct.service, ec2.Port.tcp(5432));
    construct.service.allowTargetAccess(cluster, 5432);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    expectOpened(template, 'AuroraSecurityGroup', 5432);
  });

  test('a VPC with two private subnet groups: the load balancer and the prefix list take one subnet per zone', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    });
    const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'C', { clusterIdentifier: 'c', clusterEndpointAddress: 'c.example.com', port: 5432 });
    new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.auroraCluster(cluster) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: [{ Ref: Match.stringLikeRegexp('^VpcAppSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcAppSubnet2') }],
    });
    template.hasResourceProperties('AWS::EC2::PrefixList', {
      MaxEntries: 2, Entries: [Match.objectLike({ Cidr: '10.0.2.0/24' }), Match.objectLike({ Cidr: '10.0.3.0/24' })],
    });
    expect(() => new RiveryPrivateLink(stack, 'Both', {
      vpc, target: RiveryTarget.auroraCluster(cluster), vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    })).toThrow(/`vpcSubnets` must select at most one subnet per Availability Zone .* got "Stack\/Vpc\/AppSubnet1" and "Stack\/Vpc\/DataSubnet1", both in "eu-west-1a"/);
  });

  test('allowedRegions, other principals and auto-accept pass through', () => {
    const { template } = rivery({ allowedRegions: ['us-east-1'], allowedPrincipals: ['222222222222'], autoAccept: {}, outputs: true });
    template.hasResourceProperties('AWS::EC2::VPCEndpointService', { SupportedRegions: ['us-east-1'] });
    template.hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', { AllowedPrincipals: ['arn:aws:iam::222222222222:root'] });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ UNLISTED_CONNECTIONS: 'leave' }) } });
    const steps = Object.values(template.findOutputs('*', { Description: 'What to do after the deploy' }))[0].Value;
    expect(steps).toMatch(/it is accepted automatically/);
  });

  test('outputs the service name and the next steps only when asked, naming the output by its stable ID', () => {
    expect(rivery().template.findOutputs('*')).toEqual({});
    const { template } = rivery({ outputs: true });
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['RiveryEndpointServiceName', 'RiveryNextSteps']);
    const steps = Object.values(template.findOutputs('*', { Description: 'What to do after the deploy' }))[0].Value;
    expect(steps).toBe('1. Send the endpoint service name (output RiveryEndpointServiceName) to Rivery support. ' +
      '2. Rivery sends a connection request: accept it in the VPC console (Endpoint services > this service > Endpoint connections > Accept). ' +
      '3. Rivery sends the hostname to use in your Rivery connection (port 5432).');
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding in the construct', () => {
    const { app } = rivery({ autoAccept: {} });
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings.filter((f) => f.includes('/Rivery/'))).toEqual([]);
  });
});

describe('RiveryPrivateLink refuses', () => {
  function expectRefusal(make: (stack: Stack, vpc: ec2.IVpc) => void, message: RegExp) {
    const { stack, vpc } = setup();
    expect(() => make(stack, vpc)).toThrow(message);
    const leftovers = stack.node.tryFindChild('Rivery')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
    expect(leftovers).toHaveLength(0);
  }

  test('a database whose port is a deploy-time value, without `port`', () => {
    expectRefusal((stack, vpc) => {
      const cluster = new rds.DatabaseCluster(stack, 'Aurora', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
        writer: rds.ClusterInstance.serverlessV2('Writer'),
        vpc,
      });
      new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.auroraCluster(cluster) });
    }, /`port` is required for Aurora cluster Stack\/Aurora: its port is not known at synth, got: a deploy-time value; give the port the database listens on, such as 5432/);
  });

  test('an RDS Proxy without `port`', () => {
    expectRefusal((stack, vpc) => {
      const proxy = rds.DatabaseProxy.fromDatabaseProxyAttributes(stack, 'Proxy', {
        dbProxyName: 'p', dbProxyArn: 'arn:aws:rds:eu-west-1:111111111111:db-proxy:prx-1', endpoint: 'p.example.com', securityGroups: [],
      });
      new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.databaseProxy(proxy) });
    }, /`port` is required for RDS Proxy Stack\/Proxy: its port is not known at synth, got: undefined/);
  });

  test('both `target` and `targets`, or neither', () => {
    expectRefusal((stack, vpc) => {
      const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'C', { clusterIdentifier: 'c', clusterEndpointAddress: 'c.example.com', port: 5432 });
      new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.auroraCluster(cluster), targets: [RiveryTarget.auroraCluster(cluster)] });
    }, /Give exactly one of `target` and `targets`, got: both/);
    expectRefusal((stack, vpc) => {
      new RiveryPrivateLink(stack, 'Rivery', { vpc });
    }, /Give exactly one of `target` and `targets`, got: neither/);
  });

  test('empty `targets`, and `port` with `targets`', () => {
    expectRefusal((stack, vpc) => {
      new RiveryPrivateLink(stack, 'Rivery', { vpc, targets: [] });
    }, /`targets` must name at least one target, got: \[\]/);
    expectRefusal((stack, vpc) => {
      const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'C', { clusterIdentifier: 'c', clusterEndpointAddress: 'c.example.com', port: 5432 });
      new RiveryPrivateLink(stack, 'Rivery', { vpc, targets: [RiveryTarget.auroraCluster(cluster)], port: 5432 });
    }, /`port` applies to `target` only; with `targets`, give each target its port with the factory's `port` option, such as RiveryTarget.databaseProxy\(proxy, \{ port: 5432 \}\), got: 5432/);
  });

  test('two targets on one port', () => {
    expectRefusal((stack, vpc) => {
      const a = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'A', { clusterIdentifier: 'a', clusterEndpointAddress: 'a.example.com', port: 5432 });
      const b = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'B', {
        clusterIdentifier: 'b', clusterEndpointAddress: 'b.example.com', readerEndpointAddress: 'b-ro.example.com', port: 5432,
      });
      new RiveryPrivateLink(stack, 'Rivery', { vpc, targets: [RiveryTarget.auroraCluster(a), RiveryTarget.auroraClusterReaders(b)] });
    }, /`targets` must each have their own port \(one listener per port\), got port 5432 for Aurora cluster Stack\/A and Aurora cluster readers Stack\/B; set another with the factory's `port` option/);
  });

  test('a port out of range', () => {
    expectRefusal((stack, vpc) => {
      const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'C', { clusterIdentifier: 'c', clusterEndpointAddress: 'c.example.com', port: 5432 });
      new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.auroraCluster(cluster), port: 0 });
    }, /`port` must be an integer from 1 to 65535, got: 0/);
  });

  test('refusals of the underlying constructs surface too (a malformed region)', () => {
    expectRefusal((stack, vpc) => {
      const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'C', { clusterIdentifier: 'c', clusterEndpointAddress: 'c.example.com', port: 5432 });
      new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.auroraCluster(cluster), allowedRegions: ['Ireland'] });
    }, /`allowedRegions` entries must be AWS region names such as "eu-west-1", got: "Ireland"/);
  });

  test('a `port` that is a deploy-time value (the listener needs a literal port)', () => {
    expectRefusal((stack, vpc) => {
      const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'C', { clusterIdentifier: 'c', clusterEndpointAddress: 'c.example.com', port: 5432 });
      new RiveryPrivateLink(stack, 'Rivery', { vpc, target: RiveryTarget.auroraCluster(cluster), port: Token.asNumber(Fn.importValue('Port')) });
    }, /`port` must be a number known at synth \(the listener and target group are built from it\), got: a deploy-time value/);
  });
});
