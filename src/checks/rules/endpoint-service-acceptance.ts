import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { flag, render } from './relations';

/**
 * A VPC endpoint service must require acceptance of each connection request.
 * `AcceptanceRequired` absent counts as off: that is CloudFormation's (and the EC2 API's) default.
 */
export function endpointServiceAcceptance(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::EC2::VPCEndpointService') return NagRuleCompliance.NOT_APPLICABLE;
  const service = render(node);
  if (!service) return NagRuleCompliance.NOT_APPLICABLE;
  const value = service.properties.AcceptanceRequired;
  if (value === undefined) return NagRuleCompliance.NON_COMPLIANT;
  const required = flag(value);
  if (required === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return required === 'true' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
