import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { MongoDbAtlasPrivateLink, MongoDbAtlasPrivateLinkProps, PrivateLinkChecks } from '../../../src';

const ACCOUNT = '111111111111';
const PROJECT = '0123456789abcdef01234567';
type Resource = { Type: string; Properties: any; DependsOn?: string[] };

function stackIn(region: string, app = new App(), id = 'Stack', cidr = '10.90.0.0/16') {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(cidr),
    availabilityZones: [`${region}a`, `${region}b`],
    natGateways: 0,
    subnetConfiguration: [{ name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  const credentials = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Credentials',
    `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:atlas-service-account-AbCdEf`);
  return { app, stack, vpc, credentials };
}

function resources(stack: Stack, type: string): Record<string, Resource> {
  return Template.fromStack(stack).findResources(type) as Record<string, Resource>;
}

function atlasIn(region = 'us-east-1', extra: Partial<MongoDbAtlasPrivateLinkProps> = {}) {
  const parts = stackIn(region);
  const atlas = new MongoDbAtlasPrivateLink(parts.stack, 'Atlas', { vpc: parts.vpc, projectId: PROJECT, credentials: parts.credentials, ...extra });
  return { ...parts, atlas };
}

describe('the defaults', () => {
  const { stack, atlas } = atlasIn();
  const [serviceId, service] = Object.entries(resources(stack, 'Custom::MongoDbAtlasEndpointService'))[0];
  const registration = Object.values(resources(stack, 'Custom::MongoDbAtlasEndpoint'))[0];
  const [endpointId, endpoint] = Object.entries(resources(stack, 'AWS::EC2::VPCEndpoint'))[0];

  test('the endpoint service is asked for in the VPC\'s region, with the credential\'s ARN only', () => {
    expect(service.Properties).toMatchObject({ ApiUrl: 'https://cloud.mongodb.com', ProjectId: PROJECT, Region: 'us-east-1' });
    expect(service.Properties.CredentialSecretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:111111111111:secret:atlas-service-account/);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/clientSecret|privateKey/);
  });

  test('the endpoint connects to the name Atlas gives, private DNS off, no hosted zone', () => {
    expect(endpoint.Properties.ServiceName).toEqual({ 'Fn::GetAtt': [serviceId, 'ServiceName'] });
    expect(endpoint.Properties.PrivateDnsEnabled).toBe(false);
    expect(endpoint.Properties.ServiceRegion).toBeUndefined();
    expect(Object.keys(resources(stack, 'AWS::Route53::HostedZone'))).toEqual([]);
  });

  test('the registration names the service and our endpoint, so it follows both', () => {
    expect(registration.Properties).toMatchObject({
      ServiceId: { 'Fn::GetAtt': [serviceId, 'ServiceId'] },
      EndpointId: { Ref: endpointId },
    });
  });

  test('the endpoint\'s security group opens nothing until a peer is named', () => {
    const sg = Object.values(resources(stack, 'AWS::EC2::SecurityGroup'))[0];
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    expect(Object.keys(resources(stack, 'AWS::EC2::SecurityGroupIngress'))).toEqual([]);
    expect(atlas.probe).toBeUndefined();
  });

  test('both custom resources wait long enough for Atlas: a 15-minute handler and a service timeout past it', () => {
    const fn = Object.values(resources(stack, 'AWS::Lambda::Function')).find((f) => /MongoDB Atlas/.test(f.Properties.Description))!;
    expect(fn.Properties.Timeout).toBe(900);
    expect(service.Properties.ServiceTimeout).toBe('960');
    expect(registration.Properties.ServiceTimeout).toBe('960');
    expect(Object.keys(resources(stack, 'AWS::Lambda::Function')).filter((id) => id.startsWith('MongoDbAtlasPrivateLinkApi'))).toHaveLength(1);
  });

  test('only the handler reads the credential', () => {
    const policies = Object.values(resources(stack, 'AWS::IAM::Policy'));
    const reads = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'));
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0].Properties.Roles)).toContain('MongoDbAtlasPrivateLinkApi');
  });

  test('no outputs unless asked', () => {
    expect(Template.fromStack(stack).toJSON().Outputs ?? {}).toEqual({});
  });
});

test('a named peer gets the whole port range, in one rule', () => {
  const { stack, vpc, atlas } = atlasIn();
  const app = new ec2.SecurityGroup(stack, 'App', { vpc });
  atlas.connections.allowDefaultPortFrom(app);
  atlas.allowFrom(ec2.Peer.ipv4('10.1.0.0/16'), 'the reporting VPC');
  const ingress = Object.values(resources(stack, 'AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
  expect(ingress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 1024, ToPort: 65535, SourceSecurityGroupId: expect.anything() })]);
  const sg = Object.values(resources(stack, 'AWS::EC2::SecurityGroup')).find((g) => g.Properties.GroupDescription.includes('Atlas/Endpoint'))!;
  expect(sg.Properties.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '10.1.0.0/16', FromPort: 1024, ToPort: 65535 })]);
});

test('PrivateLinkChecks flags the endpoint until a peer may use the port range, and is quiet after', () => {
  const { stack, vpc, atlas } = atlasIn();
  const portRangeFindings = () => new PrivateLinkChecks().validateScope(stack).violations
    .filter((v) => v.ruleName === 'PrivateLink-AtlasEndpointPortRange');
  expect(portRangeFindings()).toHaveLength(1);
  atlas.connections.allowDefaultPortFrom(new ec2.SecurityGroup(stack, 'App', { vpc }));
  expect(portRangeFindings()).toEqual([]);
});

test('two Atlas projects in one stack share one handler', () => {
  const { stack, vpc, credentials } = stackIn('eu-west-1');
  new MongoDbAtlasPrivateLink(stack, 'One', { vpc, projectId: PROJECT, credentials });
  new MongoDbAtlasPrivateLink(stack, 'Two', { vpc, projectId: 'fedcba9876543210fedcba98', credentials });
  const handlers = Object.values(resources(stack, 'AWS::Lambda::Function')).filter((f) => /MongoDB Atlas/.test(f.Properties.Description));
  expect(handlers).toHaveLength(1);
  expect(Object.keys(resources(stack, 'Custom::MongoDbAtlasEndpointService'))).toHaveLength(2);
});

describe('with a probe host', () => {
  const { stack, atlas } = atlasIn('us-east-1', { probeHostname: 'pl-0-us-east-1.ab1cd.mongodb.net', outputs: true });
  test('the probe checks the host on 1024 after the registration, and only the probe may reach that port', () => {
    expect(atlas.probe?.hostname).toBe('pl-0-us-east-1.ab1cd.mongodb.net');
    expect(atlas.probe?.port).toBe(1024);
    const gate = Object.values(resources(stack, 'Custom::PrivateLinkProbe'))[0];
    expect(gate.DependsOn).toEqual(expect.arrayContaining([Object.keys(resources(stack, 'Custom::MongoDbAtlasEndpoint'))[0]]));
    const ingress = Object.values(resources(stack, 'AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress).toEqual([expect.objectContaining({ FromPort: 1024, ToPort: 1024, SourceSecurityGroupId: expect.anything() })]);
  });
  test('outputs: the endpoint ID, the service name and ID', () => {
    expect(Object.keys(Template.fromStack(stack).toJSON().Outputs)).toEqual(['AtlasEndpointId', 'AtlasEndpointServiceName', 'AtlasEndpointServiceId']);
  });
});

describe('a spoke in another region', () => {
  const app = new App();
  const hub = stackIn('us-east-1', app, 'Hub');
  const spoke = stackIn('eu-west-1', app, 'Dublin', '10.91.0.0/16');
  const atlas = new MongoDbAtlasPrivateLink(hub.stack, 'Atlas', { vpc: hub.vpc, projectId: PROJECT, credentials: hub.credentials });
  const peering = atlas.addSpokeVpc('Dublin', spoke.vpc);
  const assembly = app.synth();
  const template = (name: string) => assembly.getStackByName(name).template;
  const typed = (name: string, type: string) =>
    Object.values((template(name).Resources ?? {}) as Record<string, Resource>).filter((r) => r.Type === type);

  test('the spoke\'s CIDR block gets the port range on the endpoint, in the hub side\'s stack', () => {
    expect(peering.hubSideStack.stackName).toBe('Hub-Dublin-HubSide');
    const rules = typed('Hub-Dublin-HubSide', 'AWS::EC2::SecurityGroupIngress').map((r) => r.Properties);
    expect(rules).toEqual([expect.objectContaining({ CidrIp: '10.91.0.0/16', FromPort: 1024, ToPort: 65535, IpProtocol: 'tcp' })]);
  });

  test('no zone anywhere: Atlas\'s names resolve publicly to the endpoint', () => {
    for (const stack of assembly.stacks) expect([stack.stackName, typed(stack.stackName, 'AWS::Route53::HostedZone')]).toEqual([stack.stackName, []]);
  });

  test('a peering with routes both ways', () => {
    expect(typed('Dublin', 'AWS::EC2::VPCPeeringConnection')).toHaveLength(1);
    expect(typed('Dublin', 'AWS::EC2::Route').length).toBeGreaterThan(0);
    expect(typed('Hub-Dublin-HubSide', 'AWS::EC2::Route').length).toBeGreaterThan(0);
  });
});

describe('refusals', () => {
  test.each([
    ['a project ID of the wrong form', { projectId: 'my-project' }, /`projectId` must be the Atlas project ID, 24 lowercase hexadecimal characters.*got: "my-project"/],
    ['an upper-case project ID', { projectId: '0123456789ABCDEF01234567' }, /`projectId`.*got: "0123456789ABCDEF01234567"/],
    ['a probe host that is not Atlas\'s', { probeHostname: 'cluster0.ab1cd.mongodb.net' }, /`probeHostname` must be the cluster's private-endpoint host.*got: "cluster0.ab1cd.mongodb.net"/],
    ['a probe port below the range', { probeHostname: 'pl-0-us-east-1.ab1cd.mongodb.net', probePort: 443 }, /`probePort` must be one of Atlas's ports, an integer from 1024 to 65535, got: 443/],
    ['probe outputs without a probe host', { probe: { outputs: true } }, /`probe.outputs` needs the probe, which needs `probeHostname`/],
  ])('%s', (_, extra, message) => {
    const { stack, vpc, credentials } = stackIn('us-east-1');
    expect(() => new MongoDbAtlasPrivateLink(stack, 'Atlas', { vpc, projectId: PROJECT, credentials, ...extra })).toThrow(message);
    // Nothing half-built: the refused construct added no resource.
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {}).filter((id) => !id.startsWith('Vpc'))).toEqual([]);
  });

  test('a credential given as a string', () => {
    const { stack, vpc } = stackIn('us-east-1');
    expect(() => new MongoDbAtlasPrivateLink(stack, 'Atlas', { vpc, projectId: PROJECT, credentials: 'mdb_sa_sk_secret' as any }))
      .toThrow(/`credentials` must be a Secrets Manager secret \(ISecret\)/);
  });
});
