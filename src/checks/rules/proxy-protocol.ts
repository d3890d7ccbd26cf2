import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { attributeValue, frontedTargetGroup } from './relations';

/**
 * A target group of a Network Load Balancer behind a VPC endpoint service should not prepend
 * proxy protocol v2 headers (`proxy_protocol_v2.enabled`, off by default): most databases and
 * SSH servers a vendor connects to do not understand them.
 */
export function proxyProtocol(node: CfnResource): NagRuleCompliance {
  const targetGroup = frontedTargetGroup(node);
  if (!targetGroup) return NagRuleCompliance.NOT_APPLICABLE;
  const value = attributeValue(targetGroup.properties.TargetGroupAttributes, 'proxy_protocol_v2.enabled');
  if (value === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return value === 'true' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
