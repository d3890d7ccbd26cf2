import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  ActiveGateTokenExpiry, ActiveGateType, DynatraceActiveGateToken, DynatraceEnvironment, DynatracePrivateLink, DynatracePrivateLinkProps,
} from '../../../../src';

function setup() {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'ap-southeast-2' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.70.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0,
  });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const apiToken = new secretsmanager.Secret(stack, 'ApiToken', { encryptionKey: key });
  return { app, stack, vpc, apiToken, key };
}

function dynatrace(props: Partial<DynatracePrivateLinkProps> = {}) {
  const s = setup();
  const construct = new DynatracePrivateLink(s.stack, 'Dynatrace', {
    environment: DynatraceEnvironment.saas('abc12345'), apiToken: s.apiToken, vpc: s.vpc, ...props,
  });
  return { ...s, construct, template: Template.fromStack(s.stack) };
}

const logicalIdOf = (stack: Stack, c: { node: { defaultChild?: unknown } } | CfnResource) =>
  stack.getLogicalId((c instanceof CfnResource ? c : c.node.defaultChild) as CfnResource);

describe('DynatracePrivateLink', () => {
  test('allowlists the stack account through the API, with the token as a secret reference only', () => {
    const { template, stack, apiToken } = dynatrace();
    template.hasResourceProperties('Custom::DynatracePrivateLink', {
      Operation: 'Allowlist',
      ApiUrl: 'https://abc12345.live.dynatrace.com',
      TokenSecretArn: { Ref: logicalIdOf(stack, apiToken) },
      Accounts: ['111111111111'],
      RetainOnDelete: 'true',
      EnvironmentId: 'abc12345',
      ServiceTimeout: '360',
    });
  });

  test('the endpoint takes its service name from the API and the zone overrides {env}.live.dynatrace.com with an apex alias', () => {
    const { template } = dynatrace();
    const allowlist = Object.keys(template.findResources('Custom::DynatracePrivateLink', { Properties: { Operation: 'Allowlist' } }))[0];
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: { 'Fn::GetAtt': [allowlist, 'ServiceName'] }, PrivateDnsEnabled: false });
    template.hasResourceProperties('Custom::PrivateLinkAzFilter', { ServiceName: { 'Fn::GetAtt': [allowlist, 'ServiceName'] } });
    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'abc12345.live.dynatrace.com.' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'abc12345.live.dynatrace.com.', Type: 'A' });
  });

  test('PrivateLink is enabled only after the DNS override and the endpoint exist', () => {
    const { template, construct, stack } = dynatrace();
    const enable = Object.values(template.findResources('Custom::DynatracePrivateLink', { Properties: { Operation: 'Enable' } }))[0];
    const zone = stack.getLogicalId(construct.dnsOverride.node.findChild('Zone').node.defaultChild as CfnResource);
    const record = stack.getLogicalId(construct.dnsOverride.node.findChild('Apex') as CfnResource);
    const endpoint = logicalIdOf(stack, construct.endpoint);
    expect(enable.DependsOn).toEqual(expect.arrayContaining([zone, record, endpoint]));
    expect(enable.Properties.DisableOnDelete).toBe('false');
  });

  test('one handler per stack; it may read the token secret (and decrypt with its key) and nothing else of Secrets Manager', () => {
    const { stack, apiToken, key, vpc } = setup();
    new DynatracePrivateLink(stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc });
    new DynatracePrivateLink(stack, 'Second', { environment: DynatraceEnvironment.saas('xyz98765'), apiToken, vpc });
    new DynatraceActiveGateToken(stack, 'Unrelated', { environment: DynatraceEnvironment.saas('abc12345'), apiToken });
    const t = Template.fromStack(stack);
    const template = t;
    const functions = t.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('Dynatrace AWS PrivateLink API') } });
    expect(Object.keys(functions)).toHaveLength(1);
    const role = (Object.values(functions)[0] as any).Properties.Role['Fn::GetAtt'][0];
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.Roles[0].Ref === role) as any;
    const statements = policy.Properties.PolicyDocument.Statement;
    const secretStatements = statements.filter((s: any) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(secretStatements).toEqual([expect.objectContaining({
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: logicalIdOf(stack, apiToken) },
    })]);
    // Decrypting with the secret's key: granted to this role in the key's policy, via Secrets Manager only.
    const keyPolicy = (template.toJSON().Resources[logicalIdOf(stack, key)] as any).Properties.KeyPolicy.Statement;
    expect(keyPolicy).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: 'kms:Decrypt',
      Principal: { AWS: { 'Fn::GetAtt': [role, 'Arn'] } },
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.ap-southeast-2.amazonaws.com' } },
    })]));
  });

  test('outputs the endpoint ID, the endpoint service name and the hostname when asked, with stable IDs', () => {
    expect(dynatrace().template.findOutputs('*')).toEqual({});
    const { template } = dynatrace({ outputs: true });
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['DynatraceEndpointId', 'DynatraceEndpointServiceName', 'DynatraceHostname']);
    const outputs = Object.values(template.findOutputs('*')).map((o: any) => o.Description);
    expect(outputs).toEqual(expect.arrayContaining([
      'VPC endpoint ID of the Dynatrace PrivateLink endpoint', 'Dynatrace VPC endpoint service name',
      'Dynatrace hostname that resolves to the endpoint in the associated VPCs',
    ]));
    expect(Object.values(template.findOutputs('*')).find((o: any) => o.Description.startsWith('Dynatrace hostname'))!.Value).toBe('abc12345.live.dynatrace.com');
  });

  test('options: accounts, a JSON field, retain, no enable, disable on delete', () => {
    const a = dynatrace({ allowlistAccounts: ['222222222222', '333333333333'], apiTokenField: 'apiToken', retainAllowlistOnDelete: true, enablePrivateLink: false });
    a.template.hasResourceProperties('Custom::DynatracePrivateLink', {
      Accounts: ['222222222222', '333333333333'], TokenSecretField: 'apiToken', RetainOnDelete: 'true',
    });
    expect(Object.keys(a.template.findResources('Custom::DynatracePrivateLink', { Properties: { Operation: 'Enable' } }))).toHaveLength(0);
    dynatrace({ disablePrivateLinkOnDelete: true }).template.hasResourceProperties('Custom::DynatracePrivateLink', { Operation: 'Enable', DisableOnDelete: 'true' });
  });

  test('Managed and ActiveGate API routes', () => {
    const managed = DynatraceEnvironment.managed('https://dynatrace.example.com/e/0a1b2c3d-4e5f');
    expect([managed.apiUrl, managed.hostname, managed.environmentId]).toEqual(['https://dynatrace.example.com/e/0a1b2c3d-4e5f', 'dynatrace.example.com', '0a1b2c3d-4e5f']);
    const viaAg = DynatraceEnvironment.throughActiveGate('activegate.internal', 'abc12345');
    expect([viaAg.apiUrl, viaAg.hostname]).toEqual(['https://activegate.internal:9999/e/abc12345', 'abc12345.live.dynatrace.com']);
    expect(DynatraceEnvironment.throughActiveGate('ag.example.com:443', 'abc12345').apiUrl).toBe('https://ag.example.com:443/e/abc12345');
  });

  test('addSpokeVpc joins a Tokyo VPC created in the app: peering from Tokyo, a Sydney hub-side stack with routes and 443, then the zone in a Tokyo stack', () => {
    const { stack, app, apiToken, vpc } = setup();
    const construct = new DynatracePrivateLink(stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc });
    const tokyo = new Stack(app, 'Tokyo', { env: { account: '111111111111', region: 'ap-northeast-1' } });
    const tokyoVpc = new ec2.Vpc(tokyo, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.71.0.0/16'), availabilityZones: ['ap-northeast-1a'], natGateways: 0 });
    const spoke = construct.addSpokeVpc('Tokyo', tokyoVpc);
    // The group of the hub stack and the spoke's stack: a pair of stacks, one per region.
    expect([spoke.hubSideStack.stackName, spoke.hubSideStack.region]).toEqual([`${stack.stackName}-Tokyo-HubSide`, stack.region]);
    expect([spoke.dnsStack.stackName, spoke.dnsStack.region]).toEqual([`${stack.stackName}-Tokyo-SpokeDns`, 'ap-northeast-1']);
    expect(spoke.dnsStack.dependencies).toContain(spoke.hubSideStack);
    Template.fromStack(tokyo).hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: stack.region, VpcId: { Ref: Match.stringLikeRegexp('^Vpc') } });
    // The spoke's resources sit under a scope named after its path below the hub stack.
    const side = Template.fromStack(spoke.hubSideStack);
    const hubRoutes = Object.keys(side.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.71.0.0/16' } }));
    // One per route table of the hub VPC.
    expect(hubRoutes).toHaveLength(Object.keys(Template.fromStack(stack).findResources('AWS::EC2::RouteTable')).length);
    expect(hubRoutes.length).toBeGreaterThan(0);
    for (const id of hubRoutes) expect(id).toMatch(/^DynatraceTokyoHubRoute/);
    side.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '10.71.0.0/16', FromPort: 443 });
    side.resourceCountIs('AWS::Route53::HostedZone', 0);
    const dns = Template.fromStack(spoke.dnsStack);
    const zones = Object.entries(dns.findResources('AWS::Route53::HostedZone'));
    expect(zones).toHaveLength(1);
    expect(zones[0][0]).toMatch(/^DynatraceTokyoDnsZone/);
    expect(zones[0][1].Properties).toMatchObject({ Name: 'abc12345.live.dynatrace.com.', VPCs: [expect.objectContaining({ VPCRegion: 'ap-northeast-1' })] });
    // Enable waits for the hub's own DNS only: the hub template holds no spoke resource.
    const hub = Template.fromStack(stack);
    hub.resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
    hub.resourceCountIs('AWS::Route53::HostedZone', 1);
    hub.hasResourceProperties('AWS::Route53::HostedZone', { VPCs: [Match.objectLike({ VPCRegion: stack.region })] });
  });

  test('the region check: the allowlist gets the VPC\'s region, the endpoint takes its service region from the answer, and EC2 may be asked', () => {
    const { stack } = dynatrace();
    const t = Template.fromStack(stack);
    const allowlist = Object.entries(t.findResources('Custom::DynatracePrivateLink', { Properties: { Operation: 'Allowlist' } }));
    expect(allowlist).toHaveLength(1);
    expect(allowlist[0][1].Properties.VpcRegion).toBe(stack.region);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceRegion: { 'Fn::GetAtt': [allowlist[0][0], 'ServiceRegion'] } });
    t.hasResourceProperties('Custom::PrivateLinkAzFilter', { ServiceRegion: { 'Fn::GetAtt': [allowlist[0][0], 'ServiceRegion'] } });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ec2:DescribeVpcEndpointServices', Resource: '*' })]) },
    });
  });

  test('probes the hostname from the hub VPC after enable and the DNS override, connecting only to the hub\'s CIDR', () => {
    const { template, construct } = dynatrace();
    expect(construct.probe).toBeDefined();
    const checks = Object.values(template.findResources('Custom::PrivateLinkProbe'));
    expect(checks).toHaveLength(1);
    expect(checks[0].Properties).toMatchObject({ Hostname: 'abc12345.live.dynatrace.com', Port: 443, FailDeployment: 'false' });
    const enableId = Object.keys(template.findResources('Custom::DynatracePrivateLink', { Properties: { Operation: 'Enable' } }))[0];
    const zoneId = Object.keys(template.findResources('AWS::Route53::HostedZone'))[0];
    expect(checks[0].DependsOn).toEqual(expect.arrayContaining([enableId, zoneId]));
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('PrivateLink probe'),
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '10.70.0.0/16', FromPort: 443 })]),
    });
    expect(JSON.stringify(template.findResources('AWS::EC2::SecurityGroup'))).not.toContain('0.0.0.0/0');
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });

  test('probe: { enabled: false } adds no probe; failDeployment passes through', () => {
    expect(dynatrace({ probe: { enabled: false } }).template.findResources('Custom::PrivateLinkProbe')).toEqual({});
    dynatrace({ probe: { failDeployment: true } }).template.hasResourceProperties('Custom::PrivateLinkProbe', { FailDeployment: 'true' });
  });

  test('a spoke in another region is probed from a stack of its own region, after the hub side and the spoke\'s zone', () => {
    const { stack, app, apiToken, vpc } = setup();
    const construct = new DynatracePrivateLink(stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc });
    const tokyo = new Stack(app, 'Tokyo', { env: { account: '111111111111', region: 'ap-northeast-1' } });
    const tokyoVpc = new ec2.Vpc(tokyo, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.71.0.0/16'), availabilityZones: ['ap-northeast-1a'], natGateways: 0 });
    const spoke = construct.addSpokeVpc('Tokyo', tokyoVpc);
    const probeStack = Stack.of(spoke.probe!);
    expect(probeStack).toBe(spoke.dnsStack);
    expect(probeStack.stackName).toBe(`${stack.stackName}-Tokyo-SpokeDns`);
    expect(probeStack.region).toBe('ap-northeast-1');
    expect(spoke.probe!.node.path).toBe(`${probeStack.stackName}/SpokesProbe`);
    expect(probeStack.dependencies).toContain(spoke.hubSideStack);
    const t = Template.fromStack(probeStack);
    const gates = Object.values(t.findResources('Custom::PrivateLinkProbe'));
    expect(gates).toHaveLength(1);
    expect(gates[0].Properties).toMatchObject({
      Hostname: 'abc12345.live.dynatrace.com',
      EndpointRegion: stack.region,
      // The hub's endpoint, read weakly from the hub's region.
      EndpointId: { 'Fn::GetStackOutput': { StackName: stack.stackName, Region: stack.region, OutputName: expect.any(String) } },
      EndpointDefinition: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    // The gate checks only once the spoke's zone and record exist.
    const dnsIds = [...Object.keys(t.findResources('AWS::Route53::HostedZone')), ...Object.keys(t.findResources('AWS::Route53::RecordSet'))];
    expect(dnsIds).toHaveLength(2);
    expect(gates[0].DependsOn).toEqual(expect.arrayContaining(dnsIds));
    t.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '10.70.0.0/16', FromPort: 443 })]) });
  });

  test('two spokes of one stack in another region share the group\'s stacks and one probe, with a function per VPC', () => {
    const { stack, app, apiToken, vpc } = setup();
    const construct = new DynatracePrivateLink(stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc });
    const tokyo = new Stack(app, 'Tokyo', { env: { account: '111111111111', region: 'ap-northeast-1' } });
    const vpcA = new ec2.Vpc(tokyo, 'VpcA', { ipAddresses: ec2.IpAddresses.cidr('10.71.0.0/16'), availabilityZones: ['ap-northeast-1a'], natGateways: 0 });
    const vpcB = new ec2.Vpc(tokyo, 'VpcB', { ipAddresses: ec2.IpAddresses.cidr('10.72.0.0/16'), availabilityZones: ['ap-northeast-1a'], natGateways: 0 });
    const a = construct.addSpokeVpc('A', vpcA);
    const b = construct.addSpokeVpc('B', vpcB);
    expect(b.hubSideStack).toBe(a.hubSideStack);
    expect(b.dnsStack).toBe(a.dnsStack);
    expect(b.probe).toBe(a.probe);
    const t = Template.fromStack(a.dnsStack);
    const gates = Object.values(t.findResources('Custom::PrivateLinkProbe'));
    expect(gates).toHaveLength(1);
    expect(gates[0].Properties.Probes).toHaveLength(2);
    const dnsIds = [...Object.keys(t.findResources('AWS::Route53::HostedZone')), ...Object.keys(t.findResources('AWS::Route53::RecordSet'))];
    expect(dnsIds.filter((id) => id.startsWith('DynatraceA'))).toHaveLength(2);
    expect(dnsIds.filter((id) => id.startsWith('DynatraceB'))).toHaveLength(2);
    expect(gates[0].DependsOn).toEqual(expect.arrayContaining(dnsIds));
    expect(Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } }))).toHaveLength(2);
    const side = Template.fromStack(a.hubSideStack);
    for (const cidr of ['10.71.0.0/16', '10.72.0.0/16']) side.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: cidr, FromPort: 443 });
  });

  test('addSpokeVpcThroughTransitGateway: attachments and routes through the transit gateway, the spoke\'s zone and probe, no peering', () => {
    const { stack, app, apiToken, vpc } = setup();
    const construct = new DynatracePrivateLink(stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc });
    const local = new Stack(app, 'Local', { env: { account: '111111111111', region: 'ap-southeast-2' } });
    const localVpc = new ec2.Vpc(local, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.72.0.0/16'), availabilityZones: ['ap-southeast-2a'], natGateways: 0 });
    const spoke = construct.addSpokeVpcThroughTransitGateway('Local', localVpc, { transitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
    const t = Template.fromStack(local);
    t.resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
    t.hasResourceProperties('AWS::EC2::TransitGatewayAttachment', { TransitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
    t.hasResourceProperties('AWS::EC2::Route', { DestinationCidrBlock: '10.70.0.0/16', TransitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
    t.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'abc12345.live.dynatrace.com.' });
    t.resourceCountIs('Custom::PrivateLinkProbe', 1);
    expect(spoke.hubSideStack).toBe(local);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::TransitGatewayAttachment', { TransitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
  });

  test('cdk-nag finds nothing in the construct', () => {
    const { stack } = dynatrace();
    const ours = new AwsSolutionsChecks().validateScope(stack).violations
      .filter((v) => v.violatingResources.some((r) => /\/(Dynatrace|SaasPrivateLink)/.test(r.constructPath ?? '')));
    expect(ours).toEqual([]);
  });
});

describe('DynatracePrivateLink refusals', () => {
  function refuse(props: Partial<DynatracePrivateLinkProps>, message: string | RegExp) {
    const s = setup();
    expect(() => new DynatracePrivateLink(s.stack, 'Dynatrace', {
      environment: DynatraceEnvironment.saas('abc12345'), apiToken: s.apiToken, vpc: s.vpc, ...props,
    })).toThrow(message);
    expect(s.stack.node.tryFindChild('Dynatrace')?.node.findAll().filter(CfnResource.isCfnResource) ?? []).toHaveLength(0);
  }

  test.each(['ABC12345', 'abc1234', 'abc123456', 'abc_1234', 'abc12345.live.dynatrace.com', ''])('a malformed SaaS environment ID %p', (id) => {
    expect(() => DynatraceEnvironment.saas(id)).toThrow(`\`environmentId\` must be 8 lowercase letters or digits (a SaaS environment ID), got: ${JSON.stringify(id)}`);
  });

  test.each(['http://dynatrace.example.com/e/abc', 'https://dynatrace.example.com', 'https://dynatrace.example.com/e/', 'dynatrace.example.com/e/abc', 'https://x/e/abc/api'])(
    'a malformed Managed URL %p', (url) => {
      expect(() => DynatraceEnvironment.managed(url)).toThrow(/`environmentUrl` must be a Managed environment URL such as "https:\/\/dynatrace\.example\.com\/e\/0a1b2c3d-4e5f", got: /);
    });

  test.each(['https://ag.example.com', 'ag example.com', 'ag.example.com/path'])('a malformed ActiveGate host %p', (host) => {
    expect(() => DynatraceEnvironment.throughActiveGate(host, 'abc12345')).toThrow(/`activeGateHost` must be a host name with an optional port/);
  });

  test('the two-year limit is inclusive', () => {
    expect(ActiveGateTokenExpiry.relative('now+2y').value).toBe('now+2y');
    expect(ActiveGateTokenExpiry.relative('now+731d').value).toBe('now+731d');
  });

  test.each(['12345678901', '1234567890123', 'abcdefghijkl', 'arn:aws:iam::111111111111:root'])('an account that is not 12 digits %p', (account) => {
    refuse({ allowlistAccounts: [account] }, `\`allowlistAccounts\` entries must be 12-digit AWS account IDs, got: ${JSON.stringify(account)}`);
  });

  test('no account, an empty token field', () => {
    refuse({ allowlistAccounts: [] }, '`allowlistAccounts` must name at least one AWS account, got: []');
    refuse({ apiTokenField: '' }, '`apiTokenField` must name a JSON field of the secret when given, got: ""');
  });

  test('a token given as a plain string (as a Python or Java caller could)', () => {
    const plain = `dt0c01.${'A'.repeat(24)}.${'B'.repeat(64)}`;
    let message = '';
    try {
      refuse({ apiToken: plain as unknown as secretsmanager.ISecret }, /must be a Secrets Manager secret \(ISecret\) holding the token, never the token itself/);
      const s = setup();
      new DynatracePrivateLink(s.stack, 'X', { environment: DynatraceEnvironment.saas('abc12345'), apiToken: plain as any, vpc: s.vpc });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain('B'.repeat(64));
  });
});

describe('DynatraceActiveGateToken', () => {
  test('creates the token through the API into a new secret, returning only its ID', () => {
    const { stack, apiToken } = setup();
    const token = new DynatraceActiveGateToken(stack, 'Token', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, tokenName: 'vpc-activegate' });
    const t = Template.fromStack(stack);
    const secretId = logicalIdOf(stack, token.secret.node.defaultChild as CfnResource);
    t.hasResourceProperties('Custom::DynatraceActiveGateToken', {
      ApiUrl: 'https://abc12345.live.dynatrace.com',
      TargetSecretArn: { Ref: secretId },
      Name: 'vpc-activegate',
      ActiveGateType: 'ENVIRONMENT',
      ExpirationDate: 'now+6M',
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:PutSecretValue', Resource: { Ref: secretId } })]) },
    });
    expect(stack.resolve(token.tokenId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Token/), 'TokenId'] });
  });

  test('type and expiry options', () => {
    const { stack, apiToken } = setup();
    new DynatraceActiveGateToken(stack, 'Token', {
      environment: DynatraceEnvironment.saas('abc12345'), apiToken, activeGateType: ActiveGateType.CLUSTER, expiry: ActiveGateTokenExpiry.relative('now+90d'),
    });
    Template.fromStack(stack).hasResourceProperties('Custom::DynatraceActiveGateToken', { ActiveGateType: 'CLUSTER', ExpirationDate: 'now+90d' });
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
    expect(ActiveGateTokenExpiry.at(inAYear).value).toBe(inAYear);
    expect(ActiveGateTokenExpiry.months(24).value).toBe('now+24M');
  });

  test.each([
    ['now+25M', 'must be at most two years ahead'], ['now+3y', 'must be at most two years ahead'], ['now+800d', 'must be at most two years ahead'],
    ['now+0d', 'must be a relative time'], ['now-1d', 'must be a relative time'], ['6M', 'must be a relative time'], ['now+6 months', 'must be a relative time'],
  ])('a refused relative expiry %p', (expression, rule) => {
    expect(() => ActiveGateTokenExpiry.relative(expression)).toThrow(new RegExp(`\`expiry\` ${rule}.*got: "${expression.replace('+', '\\+')}"`));
  });

  test('an absolute expiry is refused at synth only when malformed (its date is checked at deploy time)', () => {
    expect(() => ActiveGateTokenExpiry.at('2027-05-01')).toThrow('`expiry` must be an ISO 8601 date-time with a zone, such as "2027-05-01T00:00:00Z", got: "2027-05-01"');
    expect(() => ActiveGateTokenExpiry.at('2027-05-01T00:00:00')).toThrow('`expiry` must be an ISO 8601 date-time with a zone');
    expect(() => ActiveGateTokenExpiry.at('2027-13-45T00:00:00Z')).toThrow('`expiry` must be an ISO 8601 date-time with a zone');
    // A committed app keeps synthesizing after its date passes; the handler refuses it when it would make the token.
    expect(ActiveGateTokenExpiry.at('2020-01-01T00:00:00Z').value).toBe('2020-01-01T00:00:00.000Z');
    const far = new Date(Date.now() + 800 * 86_400_000).toISOString();
    expect(ActiveGateTokenExpiry.at(far).value).toBe(far);
    expect(ActiveGateTokenExpiry.at('2027-05-01T02:00:00+02:00').value).toBe('2027-05-01T00:00:00.000Z');
  });

  test('a token name over 100 characters, and a plain-string token', () => {
    const { stack, apiToken } = setup();
    expect(() => new DynatraceActiveGateToken(stack, 'Long', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, tokenName: 'x'.repeat(101) }))
      .toThrow('`tokenName` must have 1 to 100 characters');
    expect(() => new DynatraceActiveGateToken(stack, 'Plain', { environment: DynatraceEnvironment.saas('abc12345'), apiToken: 'dt0c01.x' as any }))
      .toThrow('`apiToken` must be a Secrets Manager secret (ISecret) holding the token, never the token itself');
  });
});

describe('DynatracePrivateLink in a VPC with two private subnet groups (app and data)', () => {
  function twoGroups(azs: string[]) {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'ap-southeast-2' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.70.0.0/16'),
      availabilityZones: azs,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    });
    const apiToken = new secretsmanager.Secret(stack, 'ApiToken');
    const app = vpc.privateSubnets.filter((s) => s.node.id.startsWith('appSubnet'));
    return { stack, vpc, apiToken, app };
  }

  test.each([
    [['ap-southeast-2a', 'ap-southeast-2b']],
    [['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c']],
  ])('the AZ filter gets one subnet per AZ, the app group\'s: %j', (azs) => {
    const { stack, vpc, apiToken, app } = twoGroups(azs);
    new DynatracePrivateLink(stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc });
    const filter = Object.values(Template.fromStack(stack).findResources('Custom::PrivateLinkAzFilter'))[0];
    expect(vpc.privateSubnets).toHaveLength(2 * azs.length);
    expect(filter.Properties.SubnetIds).toEqual(app.map((s) => stack.resolve(s.subnetId)));
    expect(app.map((s) => s.availabilityZone)).toEqual(azs);
  });

  test('a selection of both groups is refused at synth, before anything is allowlisted', () => {
    const { stack, vpc, apiToken } = twoGroups(['ap-southeast-2a', 'ap-southeast-2b']);
    expect(() => new DynatracePrivateLink(stack, 'Dynatrace', {
      environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    })).toThrow(/`subnets` must select at most one subnet per Availability Zone .*got "Stack\/Vpc\/appSubnet1" and "Stack\/Vpc\/dataSubnet1", both in "ap-southeast-2a": .*`onePerAz: true`/);
  });
});
