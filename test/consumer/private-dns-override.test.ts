import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { DnsTarget, PrivateDnsOverride, PrivateDnsOverrideProps, PrivateLinkEndpoint } from '../../src';

function setup() {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'ap-southeast-2' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0 });
  const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
  return { stack, vpc, endpoint };
}

function dns(props: Partial<PrivateDnsOverrideProps> = {}) {
  const { stack, vpc, endpoint } = setup();
  const construct = new PrivateDnsOverride(stack, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint), ...props });
  return { stack, vpc, endpoint, construct };
}

describe('PrivateDnsOverride', () => {
  test('Dynatrace shape: a private zone for the exact hostname with an apex A alias to the endpoint', () => {
    const { stack, endpoint, construct } = dns();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::HostedZone', {
      Name: 'abc12345.live.dynatrace.com.',
      VPCs: [{ VPCId: { Ref: Match.stringLikeRegexp('^Vpc') }, VPCRegion: 'ap-southeast-2' }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'abc12345.live.dynatrace.com.',
      Type: 'A',
      AliasTarget: {
        DNSName: stack.resolve(endpoint.regionalDnsName),
        HostedZoneId: stack.resolve(endpoint.regionalHostedZoneId),
        EvaluateTargetHealth: false,
      },
    });
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    expect(construct.overriddenNames).toEqual(['abc12345.live.dynatrace.com']);
  });

  test('Monte Carlo shape: a domain zone with a CNAME inside and no apex record', () => {
    const { stack, endpoint, construct } = dns({ zoneName: 'privatelink.getmontecarlo.com', records: ['artemis'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'artemis.privatelink.getmontecarlo.com.', Type: 'CNAME', TTL: '300', ResourceRecords: [stack.resolve(endpoint.regionalDnsName)],
    });
    expect(construct.overriddenNames).toEqual(['artemis.privatelink.getmontecarlo.com']);
  });

  test('an imported endpoint target', () => {
    const { stack } = dns({ target: DnsTarget.fromAttributes('vpce-1.vpce-svc-1.eu-west-1.vpce.amazonaws.com', 'Z7HUB22UULQXV') });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', {
      AliasTarget: { DNSName: 'vpce-1.vpce-svc-1.eu-west-1.vpce.amazonaws.com', HostedZoneId: 'Z7HUB22UULQXV', EvaluateTargetHealth: false },
    });
  });

  test('addVpc and addVpcById associate more VPCs, with their regions, once each', () => {
    const { stack, construct } = dns();
    const other = new ec2.Vpc(stack, 'Other', { availabilityZones: ['ap-southeast-2a'], natGateways: 0 });
    construct.addVpc(other);
    construct.addVpcById('vpc-0a1b2c3d4e5f60718', 'ap-northeast-1');
    construct.addVpcById('vpc-0a1b2c3d4e5f60718', 'ap-northeast-1');
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HostedZone', {
      VPCs: [
        { VPCId: { Ref: Match.stringLikeRegexp('^Vpc') }, VPCRegion: 'ap-southeast-2' },
        { VPCId: { Ref: Match.stringLikeRegexp('^Other') }, VPCRegion: 'ap-southeast-2' },
        { VPCId: 'vpc-0a1b2c3d4e5f60718', VPCRegion: 'ap-northeast-1' },
      ],
    });
    expect(construct.vpcCount).toBe(3);
  });

  test('records go into an existing zone instead of a new one', () => {
    const { stack, vpc, endpoint } = setup();
    const existing = route53.PrivateHostedZone.fromPrivateHostedZoneId(stack, 'Existing', 'Z0123456789ABC');
    const construct = new PrivateDnsOverride(stack, 'Dns', {
      zoneName: 'privatelink.getmontecarlo.com', vpc, target: DnsTarget.fromEndpoint(endpoint), records: ['artemis'], existingZone: existing,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::HostedZone', 0);
    template.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z0123456789ABC', Name: 'artemis.privatelink.getmontecarlo.com.' });
    expect(() => construct.addVpcById('vpc-1', 'eu-west-1')).toThrow('`addVpc` needs a zone this construct created');
  });

  test('a shared vendor domain only when explicitly allowed', () => {
    const { stack } = dns({ zoneName: 'live.dynatrace.com', allowSharedVendorDomain: true });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HostedZone', { Name: 'live.dynatrace.com.' });
  });
});

describe('PrivateDnsOverride refusals', () => {
  function refuse(props: Partial<PrivateDnsOverrideProps>, message: string | RegExp) {
    const { stack, vpc, endpoint } = setup();
    expect(() => new PrivateDnsOverride(stack, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint), ...props }))
      .toThrow(message);
    expect(Template.fromStack(stack).findResources('AWS::Route53::HostedZone')).toEqual({});
  }

  test.each(['localhost', 'Abc.live.dynatrace.com', 'abc..dynatrace.com', 'abc.live.dynatrace.com.', '-abc.example.com', 'a_b.example.com', `${'a'.repeat(64)}.example.com`])(
    'a malformed hostname %p', (zoneName) => {
      refuse({ zoneName }, `\`zoneName\` must be a lowercase DNS name of at least two labels, without a trailing dot (such as "abc12345.live.dynatrace.com"), got: ${JSON.stringify(zoneName)}`);
    });

  test.each(['dynatrace.com', 'live.dynatrace.com', 'apps.dynatrace.com', 'getmontecarlo.com'])('a shared vendor domain %p', (zoneName) => {
    refuse({ zoneName }, new RegExp(`\`zoneName\` "${zoneName.replace(/\./g, '\\.')}" is a vendor's shared parent domain.*allowSharedVendorDomain: true`));
  });

  test.each(['artemis.privatelink.getmontecarlo.com', 'artemis.', 'privatelink.getmontecarlo.com'])('a record outside the zone or fully qualified %p', (record) => {
    refuse({ zoneName: 'privatelink.getmontecarlo.com', records: [record] }, `\`records\` entries are names relative to the zone (such as "artemis"), got: ${JSON.stringify(record)}`);
  });

  test('a malformed record label, a repeated record, and an override of nothing', () => {
    refuse({ records: ['Art_emis'] }, '`records` entries must be lowercase DNS labels inside the zone "abc12345.live.dynatrace.com", got: "Art_emis"');
    refuse({ records: ['a', 'a'] }, '`records` must not repeat a name, got: ["a","a"]');
    refuse({ apexAlias: false }, '`apexAlias` is false and `records` is empty: the zone would override nothing');
  });

  test('more than 300 VPCs', () => {
    const { construct } = dns();
    for (let i = 1; i < 300; i++) construct.addVpcById(`vpc-${String(i).padStart(17, '0')}`, 'eu-west-1');
    expect(construct.vpcCount).toBe(300);
    expect(() => construct.addVpcById('vpc-1234567890abcdef0', 'eu-west-1'))
      .toThrow('a private hosted zone can be associated with at most 300 VPCs, got one more: "vpc-1234567890abcdef0"');
  });
});
