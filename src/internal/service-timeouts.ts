import { CfnResource, Stack } from 'aws-cdk-lib';
import { stateOf } from './construct-state';

/** aws-cdk-lib's cross-region reference resources, whose 15-minute handler sets no ServiceTimeout. */
const CROSS_REGION_TYPES = new Set(['Custom::CrossRegionExportWriter', 'Custom::CrossRegionExportReader']);
/** Their handler's Lambda timeout (900 s) and one minute more. */
const CROSS_REGION_SERVICE_TIMEOUT = 960;

/**
 * Gives aws-cdk-lib's cross-region reference custom resources a ServiceTimeout, which
 * aws-cdk-lib does not set: a lost answer would otherwise hold the stack for an hour. Used
 * by constructs that make a stack read values from another region.
 *
 * aws-cdk-lib adds those resources while it prepares the app, after aspects have run, so this
 * hooks the stack's validation, the last step before the template is written.
 */
export function boundCrossRegionReferences(stack: Stack): void {
  stateOf(stack, 'SaasPrivateLinkCrossRegionTimeouts', () => stack.node.addValidation({
    validate: () => {
      for (const node of stack.node.findAll()) {
        if (node instanceof CfnResource && CROSS_REGION_TYPES.has(node.cfnResourceType)) {
          node.addPropertyOverride('ServiceTimeout', CROSS_REGION_SERVICE_TIMEOUT);
        }
      }
      return [];
    },
  }));
}
