import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { frontedLoadBalancer } from './relations';

/**
 * A Network Load Balancer behind a VPC endpoint service that has security groups must not
 * apply their inbound rules to PrivateLink traffic
 * (`EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic`, on unless set to `off`): traffic
 * the rules do not allow is dropped without an error anyone sees.
 */
export function nlbSecurityGroupEnforcement(node: CfnResource): NagRuleCompliance {
  const loadBalancer = frontedLoadBalancer(node);
  if (!loadBalancer) return NagRuleCompliance.NOT_APPLICABLE;
  const groups = loadBalancer.properties.SecurityGroups;
  if (groups === undefined) return NagRuleCompliance.COMPLIANT;
  if (!Array.isArray(groups)) return NagRuleCompliance.NOT_APPLICABLE;
  if (groups.length === 0) return NagRuleCompliance.COMPLIANT;
  const enforce = loadBalancer.properties.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic ?? 'on';
  if (typeof enforce !== 'string') return NagRuleCompliance.NOT_APPLICABLE;
  return enforce === 'off' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
