import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { attributeValue, frontedTargetGroup } from './relations';

/** Protocols for which client IP preservation is always on and cannot be turned off. */
const ALWAYS_PRESERVED = ['UDP', 'TCP_UDP', 'QUIC', 'TCP_QUIC'];

/**
 * A target group of a Network Load Balancer behind a VPC endpoint service should not preserve
 * client IP addresses (`preserve_client_ip.enabled`). When the attribute is absent, the
 * Elastic Load Balancing default applies: on for `instance` targets (the default target
 * type), off for `ip` targets over TCP or TLS. Target groups that cannot turn it off (UDP and
 * QUIC protocols) and `alb` targets without the attribute are not judged.
 */
export function clientIpPreservation(node: CfnResource): NagRuleCompliance {
  const targetGroup = frontedTargetGroup(node);
  if (!targetGroup) return NagRuleCompliance.NOT_APPLICABLE;
  const props = targetGroup.properties;
  const protocol = props.Protocol;
  if (typeof protocol === 'string' && ALWAYS_PRESERVED.includes(protocol)) return NagRuleCompliance.NOT_APPLICABLE;
  const value = attributeValue(props.TargetGroupAttributes, 'preserve_client_ip.enabled');
  if (value === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  if (value !== 'absent') {
    return value === 'true' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  }
  const targetType = props.TargetType ?? 'instance';
  if (targetType === 'instance') {
    return typeof protocol === 'string' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
  }
  if (targetType === 'ip' && (protocol === 'TCP' || protocol === 'TLS')) return NagRuleCompliance.COMPLIANT;
  return NagRuleCompliance.NOT_APPLICABLE;
}
