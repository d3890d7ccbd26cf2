/**
 * The VPC shapes real accounts have, for the VPC-shape matrix: created VPCs with 1, 2 and 3 AZs,
 * two private subnet groups, isolated subnets only, and VPCs imported from attributes with and
 * without route table IDs and subnet CIDR blocks.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';

export interface VpcShape {
  readonly name: string;
  /** Makes the VPC (construct ID `Vpc`) in `scope`, from the CIDR block's second octet `n` (10.n.0.0/16). */
  readonly make: (scope: Construct, n: number) => ec2.IVpc;
  /** The shape lacks something a construct may need, and a refusal at synth is an acceptable answer. */
  readonly refusable?: boolean;
}

const azs = (scope: Construct, count: number) => ['a', 'b', 'c'].slice(0, count).map((l) => `${Stack.of(scope).region}${l}`);

function created(count: number): VpcShape {
  return {
    name: `created, ${count} AZ${count > 1 ? 's' : ''}`,
    make: (scope, n) => new ec2.Vpc(scope, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(`10.${n}.0.0/16`), availabilityZones: azs(scope, count), natGateways: 1,
    }),
  };
}

function imported(name: string, options: { routeTables: boolean; cidrs: boolean }): VpcShape {
  return {
    name,
    refusable: !options.routeTables || !options.cidrs,
    make: (scope, n) => {
      const zones = azs(scope, 2);
      const suffix = (i: number) => `${n.toString(16).padStart(2, '0')}${i}`.padStart(17, '0');
      return ec2.Vpc.fromVpcAttributes(scope, 'Vpc', {
        vpcId: `vpc-${suffix(9)}`,
        vpcCidrBlock: `10.${n}.0.0/16`,
        availabilityZones: zones,
        privateSubnetIds: zones.map((_, i) => `subnet-${suffix(i)}`),
        ...(options.routeTables ? { privateSubnetRouteTableIds: zones.map((_, i) => `rtb-${suffix(i)}`) } : {}),
        ...(options.cidrs ? { privateSubnetIpv4CidrBlocks: zones.map((_, i) => `10.${n}.${i}.0/24`) } : {}),
      });
    },
  };
}

export const VPC_SHAPES: VpcShape[] = [
  created(1),
  created(2),
  created(3),
  {
    name: 'two private subnet groups (app, data), 2 AZs',
    make: (scope, n) => new ec2.Vpc(scope, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(`10.${n}.0.0/16`),
      availabilityZones: azs(scope, 2),
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    }),
  },
  {
    name: 'isolated subnets only, 2 AZs',
    make: (scope, n) => new ec2.Vpc(scope, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(`10.${n}.0.0/16`),
      availabilityZones: azs(scope, 2),
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    }),
  },
  imported('imported with route tables and subnet CIDRs', { routeTables: true, cidrs: true }),
  imported('imported with route tables, subnets without CIDRs', { routeTables: true, cidrs: false }),
  imported('imported without route tables', { routeTables: false, cidrs: true }),
];
