import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { stateOf } from './construct-state';
import { skipCheckov } from './handler-function';

/** aws-cdk-lib's cross-region reference resources, whose 15-minute handler sets no ServiceTimeout. */
const CROSS_REGION_TYPES = new Set(['Custom::CrossRegionExportWriter', 'Custom::CrossRegionExportReader']);
/** Their handler's Lambda timeout (900 s) and one minute more. */
const CROSS_REGION_SERVICE_TIMEOUT = 960;
/**
 * The stack-level constructs aws-cdk-lib names after the resource type (`${type}CustomResourceProvider`),
 * each holding its function as the CfnResource `Handler`.
 */
const CROSS_REGION_PROVIDER_IDS = new Set([...CROSS_REGION_TYPES].map((type) => `${type}CustomResourceProvider`));

/**
 * Why checkov's Lambda checks do not apply to aws-cdk-lib's cross-region reference functions.
 * Users' own checkov runs read these from the template; keep them true to aws-cdk-lib's handlers
 * (core/lib/dist/core/cross-region-ssm-*-handler: an SSM client and nothing else).
 */
export const CROSS_REGION_CHECKOV_REASONS: Readonly<Record<string, string>> = {
  CKV_AWS_115: 'aws-cdk-lib\'s cross-region reference function runs only while CloudFormation deploys this stack; '
    + 'reserved concurrency would take from the account\'s unreserved pool.',
  CKV_AWS_116: 'Failures are answered, not queued: aws-cdk-lib\'s entrypoint reports every error to CloudFormation '
    + `on the request's response URL, and the ServiceTimeout (${CROSS_REGION_SERVICE_TIMEOUT} s) cdk-saas-privatelink sets on `
    + 'the custom resources bounds the wait when no answer comes; a queued CloudFormation request could not be replayed.',
  CKV_AWS_117: 'Calls only SSM Parameter Store (the /cdk/exports/ parameters of this stack\'s cross-region references) '
    + 'and CloudFormation\'s response URL; it reaches no resource inside a VPC.',
};

/**
 * Gives aws-cdk-lib's cross-region reference custom resources a ServiceTimeout, which
 * aws-cdk-lib does not set: a lost answer would otherwise hold the stack for an hour. And
 * writes into their provider functions' metadata why checkov's Lambda checks do not apply, so
 * a user's checkov run over the templates sees the reasons instead of findings. Used by
 * constructs that make a stack read values from another region.
 *
 * aws-cdk-lib adds those resources while it prepares the app, after aspects have run, so this
 * hooks the stack's validation, the last step before the template is written.
 */
export function boundCrossRegionReferences(stack: Stack): void {
  stateOf(stack, 'SaasPrivateLinkCrossRegionTimeouts', () => stack.node.addValidation({
    validate: () => {
      for (const node of stack.node.findAll()) {
        if (!(node instanceof CfnResource)) continue;
        if (CROSS_REGION_TYPES.has(node.cfnResourceType)) {
          node.addPropertyOverride('ServiceTimeout', CROSS_REGION_SERVICE_TIMEOUT);
        } else if (isCrossRegionProviderFunction(node)) {
          addMissingCheckovSkips(node, CROSS_REGION_CHECKOV_REASONS);
        }
      }
      return [];
    },
  }));
}

/** The `Handler` function of a stack-level `Custom::CrossRegionExport*CustomResourceProvider`. */
function isCrossRegionProviderFunction(resource: CfnResource): boolean {
  const provider: IConstruct | undefined = resource.node.scope;
  return resource.cfnResourceType === 'AWS::Lambda::Function'
    && resource.node.id === 'Handler'
    && provider !== undefined
    && CROSS_REGION_PROVIDER_IDS.has(provider.node.id)
    && provider.node.scope !== undefined && Stack.isStack(provider.node.scope);
}

/** Validation runs on every synth of the app: adds only the skips not already there. */
export function addMissingCheckovSkips(resource: CfnResource, reasons: Readonly<Record<string, string>>): void {
  const present = new Set(((resource.getMetadata('checkov') as { skip?: { id: string }[] } | undefined)?.skip ?? []).map((s) => s.id));
  const missing = Object.fromEntries(Object.entries(reasons).filter(([id]) => !present.has(id)));
  if (Object.keys(missing).length > 0) skipCheckov(resource, missing);
}
