/*
 * Which subnets an interface endpoint gets. EC2 creates an interface endpoint in at most one
 * subnet per Availability Zone, and a VPC with two private subnet groups (app and data) is common.
 */
import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PrivateLinkEndpoint, PrivateLinkEndpointProps } from '../../src';

const SERVICE = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';

/** A VPC with public subnets (for the NAT gateway) and two private groups, `app` then `data`. */
function twoGroups(azs = 2, env: boolean = true) {
  const stack = new Stack(new App(), 'Stack', env ? { env: { account: '111111111111', region: 'eu-west-1' } } : {});
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    // A stack with an env takes its AZs from context; name them, as a real account would.
    ...(env ? { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].slice(0, azs) } : { maxAzs: azs }),
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      { name: 'data', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
    ],
  });
  const group = (name: string) => vpc.privateSubnets.filter((s) => s.node.id.startsWith(`${name}Subnet`));
  return { stack, vpc, app: group('app'), data: group('data') };
}

function endpoint(props: Partial<PrivateLinkEndpointProps> = {}, azs = 2) {
  const s = twoGroups(azs);
  const construct = new PrivateLinkEndpoint(s.stack, 'Endpoint', { vpc: s.vpc, serviceName: SERVICE, ...props });
  const ids = (subnets: ec2.ISubnet[]) => subnets.map((x) => s.stack.resolve(x.subnetId));
  return { ...s, construct, ids, template: Template.fromStack(s.stack) };
}

/** The subnets the AZ filter is given, and those the endpoint is given without the filter. */
const filterCandidates = (template: Template) => Object.values(template.findResources('Custom::PrivateLinkAzFilter'))[0].Properties.SubnetIds;
const endpointSubnets = (template: Template) => Object.values(template.findResources('AWS::EC2::VPCEndpoint'))[0].Properties.SubnetIds;

describe('PrivateLinkEndpoint subnets in a VPC with two private subnet groups', () => {
  test('by default the AZ filter gets one subnet per AZ: the first group\'s', () => {
    const { template, app, ids, vpc } = endpoint();
    expect(vpc.privateSubnets).toHaveLength(4);
    expect(filterCandidates(template)).toEqual(ids(app));
    expect(new Set(app.map((s) => s.availabilityZone)).size).toBe(2);
  });

  test('by default, without the AZ filter, the endpoint gets exactly one subnet per AZ', () => {
    const { template, app, ids } = endpoint({ filterSupportedAzs: false });
    template.resourceCountIs('Custom::PrivateLinkAzFilter', 0);
    expect(endpointSubnets(template)).toEqual(ids(app));
  });

  test('three AZs: three subnets, one in each', () => {
    const { template, app, ids } = endpoint({}, 3);
    expect(app.map((s) => s.availabilityZone)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(filterCandidates(template)).toEqual(ids(app));
    expect(endpointSubnets(endpoint({ filterSupportedAzs: false }, 3).template)).toHaveLength(3);
  });

  test('a subnet group chosen by name', () => {
    const { template, data, ids } = endpoint({ subnets: { subnetGroupName: 'data' } });
    expect(filterCandidates(template)).toEqual(ids(data));
  });

  test('an explicit selection with onePerAz is taken: the first subnet of each AZ', () => {
    const subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, onePerAz: true };
    const { template, app, ids } = endpoint({ filterSupportedAzs: false, subnets });
    expect(endpointSubnets(template)).toEqual(ids(app));
  });

  test('an environment-agnostic stack (AZs known at deploy time) still gets one subnet per AZ', () => {
    const { stack, vpc, app } = twoGroups(2, false);
    new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, filterSupportedAzs: false });
    expect(endpointSubnets(Template.fromStack(stack))).toEqual(app.map((s) => stack.resolve(s.subnetId)));
  });
});

describe('PrivateLinkEndpoint refuses two subnets in one AZ', () => {
  function expectRefusal(subnets: ec2.SubnetSelection, message: string | RegExp, filterSupportedAzs?: boolean) {
    const { stack, vpc } = twoGroups();
    expect(() => new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, subnets, filterSupportedAzs })).toThrow(message);
    const leftovers = stack.node.tryFindChild('Endpoint')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
    expect(leftovers).toHaveLength(0);
  }

  test('a selection of both private groups, naming both subnets, the AZ and the fix', () => {
    const message = '`subnets` must select at most one subnet per Availability Zone (EC2 creates an interface endpoint in one subnet per AZ), ' +
      'got "Stack/Vpc/appSubnet1" and "Stack/Vpc/dataSubnet1", both in "eu-west-1a": select one subnet group ' +
      '(such as `{ subnetGroupName: \'app\' }`) or add `onePerAz: true` to the selection';
    expectRefusal({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, message);
    expectRefusal({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, message, false);
    // An empty selection is explicit too: it is the VPC's private subnets as given.
    expectRefusal({}, message);
  });

  test('imported subnets by ID, with their AZs', () => {
    const { stack, vpc } = twoGroups();
    const subnets = [
      ec2.Subnet.fromSubnetAttributes(stack, 'A', { subnetId: 'subnet-0aaaaaaaaaaaaaaaa', availabilityZone: 'eu-west-1a' }),
      ec2.Subnet.fromSubnetAttributes(stack, 'B', { subnetId: 'subnet-0bbbbbbbbbbbbbbbb', availabilityZone: 'eu-west-1b' }),
      ec2.Subnet.fromSubnetAttributes(stack, 'C', { subnetId: 'subnet-0cccccccccccccccc', availabilityZone: 'eu-west-1b' }),
    ];
    expect(() => new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, subnets: { subnets } }))
      .toThrow(/got "subnet-0bbbbbbbbbbbbbbbb" and "subnet-0cccccccccccccccc", both in "eu-west-1b": /);
  });

  test('subnets whose AZ synth cannot know are left to the deploy-time filter', () => {
    const { stack, vpc } = twoGroups();
    const subnets = [
      ec2.Subnet.fromSubnetId(stack, 'A', 'subnet-0aaaaaaaaaaaaaaaa'),
      ec2.Subnet.fromSubnetId(stack, 'B', 'subnet-0bbbbbbbbbbbbbbbb'),
      ec2.Subnet.fromSubnetAttributes(stack, 'C', { subnetId: 'subnet-0cccccccccccccccc', availabilityZone: Fn.importValue('Az') }),
      ec2.Subnet.fromSubnetAttributes(stack, 'D', { subnetId: 'subnet-0dddddddddddddddd', availabilityZone: Fn.importValue('Az') }),
    ];
    new PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE, subnets: { subnets } });
    expect(filterCandidates(Template.fromStack(stack))).toEqual(subnets.map((s) => s.subnetId));
    Annotations.fromStack(stack).hasNoError('*', '*');
  });
});
