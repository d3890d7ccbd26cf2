import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { stateOf } from '../internal/construct-state';
import { addMissingCheckovSkips } from '../internal/service-timeouts';

/**
 * Why checkov's Lambda checks do not apply to the function aws-cdk-lib adds for a VPC under the
 * `@aws-cdk/aws-ec2:restrictDefaultSecurityGroup` flag (on in apps `cdk init` creates). True to
 * aws-cdk-lib's handler (custom-resource-handlers/dist/aws-ec2/restrict-default-security-group-handler):
 * an EC2 client that revokes the default security group's rules, and nothing else.
 */
const RESTRICT_DEFAULT_SG_CHECKOV_REASONS: Readonly<Record<string, string>> = {
  CKV_AWS_115: 'aws-cdk-lib\'s function that empties the VPC\'s default security group runs only while CloudFormation '
    + 'deploys this stack; reserved concurrency would take from the account\'s unreserved pool.',
  CKV_AWS_116: 'Failures are answered, not queued: aws-cdk-lib\'s entrypoint reports every error to CloudFormation on '
    + 'the request\'s response URL; a queued CloudFormation request could not be replayed.',
  CKV_AWS_117: 'Calls only the EC2 API (revoke and authorize rules of the VPC\'s default security group) and '
    + 'CloudFormation\'s response URL; it reaches no resource inside a VPC.',
};

/** The stack-level construct aws-cdk-lib names after the resource type, holding its function as `Handler`. */
const RESTRICT_DEFAULT_SG_PROVIDER = 'Custom::VpcRestrictDefaultSGCustomResourceProvider';

/**
 * The Lambda functions aws-cdk-lib adds to an app on its own, for the scanners users run.
 *
 * The library already writes checkov's reasons into the cross-region reference functions its
 * spokes bring in. The function that empties a VPC's default security group comes with the
 * user's own `ec2.Vpc` when the `@aws-cdk/aws-ec2:restrictDefaultSecurityGroup` flag is on (as in
 * every app `cdk init` creates today), so the library explains it only when asked.
 */
export class AwsCdkLibFunctions {
  /**
   * Writes into the metadata of aws-cdk-lib's default-security-group function, in every stack
   * under `scope`, why checkov's CKV_AWS_115, CKV_AWS_116 and CKV_AWS_117 do not apply, so that
   * a checkov run without a skip list reads the reasons instead of findings. Functions added
   * after this call are covered too: the reasons are written when the app is synthesized.
   *
   * @param scope the app, a stage or a stack
   */
  public static addCheckovReasons(scope: IConstruct): void {
    stateOf(scope, 'SaasPrivateLinkAwsCdkLibCheckovReasons', () => scope.node.addValidation({
      validate: () => {
        for (const node of scope.node.findAll()) {
          if (node instanceof CfnResource && isRestrictDefaultSgFunction(node)) {
            addMissingCheckovSkips(node, RESTRICT_DEFAULT_SG_CHECKOV_REASONS);
          }
        }
        return [];
      },
    }));
  }

  private constructor() {}
}

function isRestrictDefaultSgFunction(resource: CfnResource): boolean {
  const provider: IConstruct | undefined = resource.node.scope;
  return resource.cfnResourceType === 'AWS::Lambda::Function'
    && resource.node.id === 'Handler'
    && provider?.node.id === RESTRICT_DEFAULT_SG_PROVIDER
    && provider.node.scope !== undefined && Stack.isStack(provider.node.scope);
}
