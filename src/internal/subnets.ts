import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { IConstruct } from 'constructs';
import { invalid, show } from './validation';

/**
 * The selected subnets, refused when any is public or none is selected.
 *
 * @param why why public subnets are refused here, such as "the load balancer is internal"
 */
export function selectPrivateSubnets(scope: IConstruct, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined, why: string): ec2.SelectedSubnets {
  const selected = vpc.selectSubnets(selection);
  const publicIds = new Set(vpc.publicSubnets.map((s) => s.subnetId));
  const publicSubnets = selected.subnets.filter((s) => publicIds.has(s.subnetId));
  if (selected.hasPublic || publicSubnets.length > 0) {
    invalid(scope, `\`vpcSubnets\` must select private subnets: ${why}, got public subnets ${show(publicSubnets.map((s) => s.node.path))}`);
  }
  if (selected.subnets.length === 0) {
    invalid(scope, '`vpcSubnets` must select at least one subnet, got none');
  }
  return selected;
}

/** True when every selected subnet is isolated (no route to the internet). */
export function allIsolated(vpc: ec2.IVpc, selected: ec2.SelectedSubnets): boolean {
  const isolatedIds = new Set(vpc.isolatedSubnets.map((s) => s.subnetId));
  return selected.subnets.every((s) => isolatedIds.has(s.subnetId));
}

/** The VPC's IPv4 CIDR block as a literal, when synth can know it. */
export function literalCidr(vpc: ec2.IVpc): string | undefined {
  if (!Token.isUnresolved(vpc.vpcCidrBlock)) return vpc.vpcCidrBlock;
  const cfn = vpc.node.defaultChild;
  if (cfn instanceof ec2.CfnVPC && typeof cfn.cidrBlock === 'string' && !Token.isUnresolved(cfn.cidrBlock)) {
    return cfn.cidrBlock;
  }
  return undefined;
}

/** A subnet's Availability Zone when synth knows it: not for a deploy-time token or an import without one. */
export function literalAz(subnet: ec2.ISubnet): string | undefined {
  let az: string | undefined;
  try {
    az = subnet.availabilityZone;
  } catch {
    // aws-cdk-lib throws for a subnet imported without its AZ.
    return undefined;
  }
  return az && !Token.isUnresolved(az) ? az : undefined;
}

/** A subnet as an error message names it: its ID when literal, else its construct path. */
export function subnetName(subnet: ec2.ISubnet): string {
  return show(Token.isUnresolved(subnet.subnetId) ? subnet.node.path : subnet.subnetId);
}

/**
 * The first two subnets, in selection order, that synth knows to be in the same Availability
 * Zone; subnets whose AZ synth cannot know are skipped (a deploy-time check must catch those).
 */
export function twoInOneAz(subnets: ec2.ISubnet[]): { first: string; second: string; az: string } | undefined {
  const firstIn = new Map<string, ec2.ISubnet>();
  for (const subnet of subnets) {
    const az = literalAz(subnet);
    if (az === undefined) continue;
    const first = firstIn.get(az);
    if (first) return { first: subnetName(first), second: subnetName(subnet), az: show(az) };
    firstIn.set(az, subnet);
  }
  return undefined;
}
