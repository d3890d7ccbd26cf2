import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { flag, referenceOf, render, resourcesOfType } from './relations';

/**
 * An interface VPC endpoint with private DNS on needs its VPC's DNS support and DNS host names
 * on: EC2 refuses the endpoint otherwise, at deploy time. Presets that rely on the service's own
 * private DNS (Datadog's intakes, AWS services) meet it in VPCs made with `CfnVPC`, where
 * `EnableDnsHostnames` defaults to false. Only a VPC of the same stack, referenced with `Ref`, is
 * judged, and only literal values.
 */
export function privateDnsNeedsVpcDns(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::EC2::VPCEndpoint') return NagRuleCompliance.NOT_APPLICABLE;
  const endpoint = render(node);
  if (!endpoint || endpoint.properties.VpcEndpointType !== 'Interface') return NagRuleCompliance.NOT_APPLICABLE;
  if (flag(endpoint.properties.PrivateDnsEnabled) !== 'true') return NagRuleCompliance.NOT_APPLICABLE;
  const reference = referenceOf(endpoint.properties.VpcId);
  if (!reference || reference.attribute !== undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const vpc = resourcesOfType(node, 'AWS::EC2::VPC').find((v) => v.logicalId === reference.logicalId);
  if (!vpc) return NagRuleCompliance.NOT_APPLICABLE;
  // CloudFormation's defaults: DNS support on, DNS host names off.
  const support = vpc.properties.EnableDnsSupport === undefined ? 'true' : flag(vpc.properties.EnableDnsSupport);
  const hostnames = vpc.properties.EnableDnsHostnames === undefined ? 'false' : flag(vpc.properties.EnableDnsHostnames);
  if (support === undefined || hostnames === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return support === 'true' && hostnames === 'true' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
