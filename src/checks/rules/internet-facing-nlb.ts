import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { frontedLoadBalancer } from './relations';

/**
 * A Network Load Balancer behind a VPC endpoint service must be internal. `Scheme` absent
 * counts as internet-facing: that is CloudFormation's default.
 */
export function internetFacingNlb(node: CfnResource): NagRuleCompliance {
  const loadBalancer = frontedLoadBalancer(node);
  if (!loadBalancer) return NagRuleCompliance.NOT_APPLICABLE;
  const scheme = loadBalancer.properties.Scheme ?? 'internet-facing';
  if (typeof scheme !== 'string') return NagRuleCompliance.NOT_APPLICABLE;
  return scheme === 'internet-facing' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
