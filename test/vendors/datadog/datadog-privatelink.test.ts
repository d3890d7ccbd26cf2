import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DatadogIntake, DatadogPrivateLink, DatadogSite } from '../../../src';
import { DATADOG_SITES } from '../../../src/vendors/datadog/datadog-services';

const ACCOUNT = '111111111111';
type Resource = { Type: string; Properties: any; DependsOn?: string[] };

function stackIn(region: string, app = new App(), id = 'Stack') {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.80.0.0/16'),
    availabilityZones: [`${region}a`, `${region}b`],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Agents', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  return { app, stack, vpc };
}

function resources(stack: Stack, type: string): Resource[] {
  return Object.values(Template.fromStack(stack).findResources(type)) as Resource[];
}

describe('US1 in us-east-1, the defaults', () => {
  const { stack, vpc } = stackIn('us-east-1');
  const datadog = new DatadogPrivateLink(stack, 'Datadog', { vpc, site: DatadogSite.US1 });
  const endpoints = resources(stack, 'AWS::EC2::VPCEndpoint');
  const us1 = DATADOG_SITES.US1.intakes;

  test('an endpoint per intake an Agent uses, to the table\'s services, with their own private DNS, same region', () => {
    const expected = [us1.api, us1.metrics, us1.logsAgent, us1.traces, us1.remoteConfiguration].map((s) => `com.amazonaws.vpce.us-east-1.${s.serviceId}`);
    expect(endpoints.map((e) => e.Properties.ServiceName)).toEqual(expected);
    expect(endpoints.map((e) => e.Properties.PrivateDnsEnabled)).toEqual(expected.map(() => true));
    expect(endpoints.map((e) => e.Properties.ServiceRegion)).toEqual(expected.map(() => undefined));
    expect(resources(stack, 'AWS::Route53::HostedZone')).toEqual([]);
    expect(datadog.site).toBe('datadoghq.com');
    expect(datadog.hosts).toEqual(['api.datadoghq.com', 'metrics.agent.datadoghq.com', 'agent-http-intake.logs.datadoghq.com',
      'trace.agent.datadoghq.com', 'config.datadoghq.com']);
  });

  test('one security group for every endpoint, opening 443 to the VPC once and nothing outbound', () => {
    const groups = new Set(endpoints.map((e) => JSON.stringify(e.Properties.SecurityGroupIds)));
    expect(groups.size).toBe(1);
    const sgs = resources(stack, 'AWS::EC2::SecurityGroup');
    expect(sgs).toHaveLength(2); // the endpoints' and the probe function's
    const endpointSg = sgs.find((g) => g.Properties.GroupDescription.startsWith('Datadog PrivateLink endpoints'))!;
    expect(endpointSg.Properties.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '10.80.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]);
    expect(endpointSg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
  });

  test('a probe from the VPC against the first intake\'s host, after every endpoint', () => {
    expect(datadog.probe?.hostname).toBe('api.datadoghq.com');
    const gate = resources(stack, 'Custom::PrivateLinkProbe')[0];
    const endpointIds = Object.keys(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint'));
    expect(gate.DependsOn).toEqual(expect.arrayContaining(endpointIds));
  });

  test('no outputs unless asked', () => {
    expect(Template.fromStack(stack).toJSON().Outputs ?? {}).toEqual({});
  });
});

test('AP2\'s two logs intakes are one service, so one endpoint; outputs when asked', () => {
  const { stack, vpc } = stackIn('ap-southeast-2');
  new DatadogPrivateLink(stack, 'Datadog', { vpc, site: DatadogSite.AP2, intakes: [DatadogIntake.LOGS_AGENT, DatadogIntake.LOGS_USER], outputs: true });
  const endpoints = resources(stack, 'AWS::EC2::VPCEndpoint');
  expect(endpoints.map((e) => e.Properties.ServiceName)).toEqual([`com.amazonaws.vpce.ap-southeast-2.${DATADOG_SITES.AP2.intakes.logsAgent.serviceId}`]);
  const outputs = Template.fromStack(stack).toJSON().Outputs;
  expect(outputs.DatadogSite.Value).toBe('ap2.datadoghq.com');
  expect(JSON.stringify(outputs.DatadogEndpointIds.Value)).toContain('DatadogLogsAgent');
});

test('in another region than the site\'s, native cross-region endpoints with the services\' private DNS', () => {
  const { stack, vpc } = stackIn('eu-central-1');
  new DatadogPrivateLink(stack, 'Datadog', { vpc, site: DatadogSite.UK1, intakes: [DatadogIntake.METRICS] });
  const [endpoint] = resources(stack, 'AWS::EC2::VPCEndpoint');
  expect(endpoint.Properties).toMatchObject({
    ServiceName: `com.amazonaws.vpce.eu-west-2.${DATADOG_SITES.UK1.intakes.metrics.serviceId}`,
    ServiceRegion: 'eu-west-2',
    PrivateDnsEnabled: true,
  });
});

describe('peeredSpokes: Datadog\'s peering path', () => {
  const { app, stack, vpc } = stackIn('ap-southeast-2', new App(), 'Hub');
  const datadog = new DatadogPrivateLink(stack, 'Datadog', { vpc, site: DatadogSite.AP2, peeredSpokes: true });
  const tokyo = stackIn('ap-northeast-1', app, 'Tokyo');
  const spoke = datadog.addSpokeVpc('Tokyo', new ec2.Vpc(tokyo.stack, 'SpokeVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.90.0.0/16'),
    availabilityZones: ['ap-northeast-1a'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Agents', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  }));
  const ap2 = DATADOG_SITES.AP2.intakes;
  const zoneNames = [ap2.api, ap2.metrics, ap2.logsAgent, ap2.traces, ap2.remoteConfiguration].map((s) => `${s.privateDnsName}.`);

  test('private DNS off; a zone per endpoint, named after its service\'s private DNS name, with an apex alias', () => {
    expect(resources(stack, 'AWS::EC2::VPCEndpoint').map((e) => e.Properties.PrivateDnsEnabled)).toEqual(zoneNames.map(() => false));
    expect(resources(stack, 'AWS::Route53::HostedZone').map((z) => z.Properties.Name)).toEqual(zoneNames);
    expect(zoneNames).toContain('orchid.intake.ap2.datadoghq.com.');
    expect(resources(stack, 'AWS::Route53::RecordSet').map((r) => [r.Properties.Name, r.Properties.Type])).toEqual(zoneNames.map((n) => [n, 'A']));
  });

  test('the Tokyo spoke gets the same zones and a gate after them in its DNS stack, and 443 on the shared group in the hub side', () => {
    expect(resources(spoke.dnsStack, 'AWS::Route53::HostedZone').map((z) => z.Properties.Name)).toEqual(zoneNames);
    const gate = resources(spoke.dnsStack, 'Custom::PrivateLinkProbe')[0];
    const zones = Object.keys(Template.fromStack(spoke.dnsStack).findResources('AWS::Route53::HostedZone'));
    expect(gate.DependsOn).toEqual(expect.arrayContaining(zones));
    const [rule] = resources(spoke.hubSideStack, 'AWS::EC2::SecurityGroupIngress');
    expect(rule.Properties).toMatchObject({ CidrIp: '10.90.0.0/16', FromPort: 443, ToPort: 443 });
    expect(resources(spoke.hubSideStack, 'AWS::EC2::SecurityGroupIngress')).toHaveLength(1);
  });
});

describe('refused at synth', () => {
  const build = (props: Partial<ConstructorParameters<typeof DatadogPrivateLink>[2]>) => {
    const { stack, vpc } = stackIn('us-east-1');
    return () => new DatadogPrivateLink(stack, 'Datadog', { vpc, site: DatadogSite.US1, ...props });
  };

  test.each([
    ['US5', 'Google Cloud Private Service Connect instead'],
    ['EU1', 'no AWS offer'],
  ])('site %s, saying what Datadog offers there', (name, instead) => {
    expect(build({ site: DatadogSite.of(name) })).toThrow(
      `\`site\` must be a Datadog site that offers AWS PrivateLink (US1, AP1, AP2 or UK1), got: "${name}", where Datadog offers no AWS PrivateLink (${instead})`);
  });

  test('an unknown site name', () => {
    expect(build({ site: DatadogSite.of('us1') })).toThrow('`site` must be a Datadog site that offers AWS PrivateLink (US1, AP1, AP2 or UK1), got: "us1"');
  });

  test('no intakes, or one twice', () => {
    expect(build({ intakes: [] })).toThrow('`intakes` must name at least one intake, got: []');
    expect(build({ intakes: [DatadogIntake.API, DatadogIntake.API] })).toThrow('`intakes` must not repeat an intake, got "api" twice');
  });

  test('a spoke without peeredSpokes', () => {
    const { stack, vpc } = stackIn('us-east-1');
    const datadog = new DatadogPrivateLink(stack, 'Datadog', { vpc, site: DatadogSite.US1 });
    expect(() => datadog.addSpokeVpc('Spoke', vpc)).toThrow(/`peeredSpokes` must be true for spoke Spoke to join over peering/);
  });
});
