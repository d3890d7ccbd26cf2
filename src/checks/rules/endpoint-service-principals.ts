import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { render } from './relations';

/**
 * A VPC endpoint service's permissions must not allow `*` (every AWS principal) to create
 * endpoints to it.
 */
export function endpointServicePrincipals(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::EC2::VPCEndpointServicePermissions') return NagRuleCompliance.NOT_APPLICABLE;
  const permissions = render(node);
  if (!permissions) return NagRuleCompliance.NOT_APPLICABLE;
  const principals = permissions.properties.AllowedPrincipals;
  if (principals === undefined) return NagRuleCompliance.COMPLIANT;
  if (!Array.isArray(principals)) return NagRuleCompliance.NOT_APPLICABLE;
  return principals.some((p) => typeof p === 'string' && p.trim() === '*')
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
