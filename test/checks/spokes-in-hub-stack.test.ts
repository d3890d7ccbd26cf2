/*
 * Spokes in the hub's own stack against PrivateLinkChecks: each spoke has a private zone of the
 * hub's name that points at the hub's endpoint but holds only the spoke VPC, because Route 53
 * lets a VPC hold one private zone of a name. The hub's zone serves the endpoint's VPC; a zone
 * that no namesake serves is still a finding.
 */
import { App, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagRuleCompliance } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import {
  DnsTarget, DynatraceEnvironment, DynatracePrivateLink, PrivateDnsOverride, PrivateLinkChecks, PrivateLinkEndpoint,
  SpokePeering, TransitGatewaySpoke,
} from '../../src';
import { zoneNotAssociated } from '../../src/checks/rules/zone-not-associated';

const ENV = { account: '111111111111', region: 'ap-southeast-2' };
const ZONE = 'abc12345.live.dynatrace.com';

function hubStack() {
  const app = new App();
  const stack = new Stack(app, 'Hub', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'HubVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0,
  });
  const spokeVpc = new ec2.Vpc(stack, 'SpokeVpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.41.0.0/16'), availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b'], natGateways: 0,
  });
  return { app, stack, vpc, spokeVpc };
}

function endpointHub() {
  const h = hubStack();
  const endpoint = new PrivateLinkEndpoint(h.stack, 'Endpoint', { vpc: h.vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
  const dns = new PrivateDnsOverride(h.stack, 'Dns', { zoneName: ZONE, vpc: h.vpc, target: DnsTarget.fromEndpoint(endpoint) });
  return { ...h, endpoint, dns };
}

function dynatraceHub() {
  const h = hubStack();
  const apiToken = new secretsmanager.Secret(h.stack, 'ApiToken', { encryptionKey: new kms.Key(h.stack, 'Key', { enableKeyRotation: true }) });
  const dynatrace = new DynatracePrivateLink(h.stack, 'Dynatrace', { environment: DynatraceEnvironment.saas('abc12345'), apiToken, vpc: h.vpc });
  return { ...h, dynatrace };
}

function findings(scope: IConstruct): string[] {
  return new PrivateLinkChecks().validateScope(scope).violations
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

/** The zones of the stack, by construct path, and what the rule makes of each. */
function judged(stack: Stack): Record<string, NagRuleCompliance> {
  const result: Record<string, NagRuleCompliance> = {};
  for (const zone of stack.node.findAll().filter((c): c is route53.CfnHostedZone => c instanceof route53.CfnHostedZone)) {
    result[zone.node.path] = zoneNotAssociated(zone);
  }
  return result;
}

describe('a spoke in the hub\'s own stack passes PrivateLinkChecks', () => {
  test('SpokePeering: the spoke\'s zone is judged compliant through the hub\'s, no finding in the app', () => {
    const { app, stack, spokeVpc, endpoint, dns } = endpointHub();
    new SpokePeering(stack, 'Spoke', { endpoint, spokeVpc, dnsOverrides: [dns] });
    expect(findings(app)).toEqual([]);
    expect(judged(stack)).toEqual({
      'Hub/Dns/Zone/Resource': NagRuleCompliance.COMPLIANT,
      'Hub/Spoke/Dns/Zone/Resource': NagRuleCompliance.COMPLIANT,
    });
  });

  test('TransitGatewaySpoke', () => {
    const { app, stack, spokeVpc, endpoint, dns } = endpointHub();
    const tgw = TransitGatewaySpoke.newTransitGateway(stack, 'Tgw');
    new TransitGatewaySpoke(stack, 'Spoke', { endpoint, spokeVpc, transitGatewayId: tgw.ref, dnsOverrides: [dns], probeHostname: ZONE });
    expect(findings(app)).toEqual([]);
    expect(judged(stack)['Hub/Spoke/Dns/Zone/Resource']).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('DynatracePrivateLink.addSpokeVpc, and a second spoke through a transit gateway', () => {
    const { app, stack, spokeVpc, dynatrace } = dynatraceHub();
    dynatrace.addSpokeVpc('Spoke', spokeVpc);
    const other = new ec2.Vpc(stack, 'OtherVpc', { ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'), availabilityZones: ['ap-southeast-2a'], natGateways: 0 });
    dynatrace.addSpokeVpcThroughTransitGateway('Other', other, { transitGatewayId: 'tgw-0aaaaaaaaaaaaaaaa' });
    expect(findings(app)).toEqual([]);
    expect(Object.values(judged(stack))).toEqual([NagRuleCompliance.COMPLIANT, NagRuleCompliance.COMPLIANT, NagRuleCompliance.COMPLIANT]);
  });
});

describe('a zone truly left unassociated is still reported', () => {
  test('the hub\'s zone moved off the endpoint\'s VPC: both zones are findings, none serves the hub VPC', () => {
    const { app, stack, spokeVpc, endpoint, dns } = endpointHub();
    new SpokePeering(stack, 'Spoke', { endpoint, spokeVpc, dnsOverrides: [dns] });
    const elsewhere = new ec2.Vpc(stack, 'Elsewhere', { ipAddresses: ec2.IpAddresses.cidr('10.90.0.0/16'), maxAzs: 1, natGateways: 0 });
    (dns.node.findChild('Zone').node.defaultChild as route53.CfnHostedZone).vpcs = [{ vpcId: elsewhere.vpcId, vpcRegion: ENV.region }];
    expect(findings(app)).toEqual([
      'PrivateLink-ZoneNotAssociated at Hub/Dns/Zone/Resource',
      'PrivateLink-ZoneNotAssociated at Hub/Spoke/Dns/Zone/Resource',
    ]);
  });

  test('a spoke\'s zone without a hub zone at all', () => {
    const { app, stack, vpc, spokeVpc } = hubStack();
    const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
    new PrivateDnsOverride(stack, 'SpokeDns', { zoneName: ZONE, vpc: spokeVpc, target: DnsTarget.fromEndpoint(endpoint) });
    expect(findings(app)).toEqual(['PrivateLink-ZoneNotAssociated at Hub/SpokeDns/Zone/Resource']);
  });

  test('a zone of another name on the endpoint\'s VPC does not serve it (a VPC may hold zones of different names)', () => {
    const { app, stack, vpc, spokeVpc } = hubStack();
    const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
    new PrivateDnsOverride(stack, 'HubDns', { zoneName: 'other.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
    new PrivateDnsOverride(stack, 'SpokeDns', { zoneName: ZONE, vpc: spokeVpc, target: DnsTarget.fromEndpoint(endpoint) });
    expect(findings(app)).toEqual(['PrivateLink-ZoneNotAssociated at Hub/SpokeDns/Zone/Resource']);
  });

  test('a namesake on the endpoint\'s VPC that points at another endpoint does not serve it', () => {
    const { app, stack, vpc, spokeVpc } = hubStack();
    const service = 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0';
    const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: service });
    const other = new PrivateLinkEndpoint(stack, 'Other', { vpc: spokeVpc, serviceName: service });
    new PrivateDnsOverride(stack, 'HubDns', { zoneName: ZONE, vpc, target: DnsTarget.fromEndpoint(other) });
    new PrivateDnsOverride(stack, 'SpokeDns', { zoneName: ZONE, vpc: spokeVpc, target: DnsTarget.fromEndpoint(endpoint) });
    expect(findings(app)).toEqual([
      'PrivateLink-ZoneNotAssociated at Hub/HubDns/Zone/Resource',
      'PrivateLink-ZoneNotAssociated at Hub/SpokeDns/Zone/Resource',
    ]);
  });

  test('a namesake whose name or VPC is known only at deploy time: not judged, neither way', () => {
    const { stack, vpc, spokeVpc } = hubStack();
    const endpoint = new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
    const hub = new PrivateDnsOverride(stack, 'HubDns', { zoneName: ZONE, vpc, target: DnsTarget.fromEndpoint(endpoint) });
    const spoke = new PrivateDnsOverride(stack, 'SpokeDns', { zoneName: ZONE, vpc: spokeVpc, target: DnsTarget.fromEndpoint(endpoint) });
    const hubZone = hub.node.findChild('Zone').node.defaultChild as route53.CfnHostedZone;
    const spokeZone = spoke.node.findChild('Zone').node.defaultChild as route53.CfnHostedZone;
    hubZone.name = new CfnParameter(stack, 'ZoneName').valueAsString;
    expect(zoneNotAssociated(spokeZone)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    hubZone.name = `${ZONE}.`;
    hubZone.vpcs = [{ vpcId: Fn.importValue('SomeVpc'), vpcRegion: ENV.region }];
    expect(zoneNotAssociated(spokeZone)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    hubZone.vpcs = [{ vpcId: vpc.vpcId, vpcRegion: ENV.region }];
    expect(zoneNotAssociated(spokeZone)).toBe(NagRuleCompliance.COMPLIANT);
  });
});
