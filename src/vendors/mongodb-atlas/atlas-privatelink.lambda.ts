/*
 * The handler of MongoDbAtlasPrivateLink's two custom resources, one function per stack:
 * - Custom::MongoDbAtlasEndpointService: the project's endpoint service for the region
 *   (endpoint-service.ts);
 * - Custom::MongoDbAtlasEndpoint: our interface endpoint's registration with it
 *   (endpoint-registration.ts).
 * Both wait for Atlas within the Lambda's 15 minutes and answer CloudFormation before it ends.
 */
import { AtlasDeps } from './atlas-api';
import { endpointWork } from './endpoint-registration';
import { endpointServiceWork } from './endpoint-service';
import { CustomResourceEvent, CustomResourceResult, LambdaContext, runCustomResource, RunOptions, WorkContext } from '../../internal/runtime/custom-resource';
import { awsSecretsStore } from '../../internal/runtime/secrets';

export const SERVICE_RESOURCE_TYPE = 'Custom::MongoDbAtlasEndpointService';
export const ENDPOINT_RESOURCE_TYPE = 'Custom::MongoDbAtlasEndpoint';

/** The work for either resource type. */
export function atlasWork(ctx: WorkContext, deps: AtlasDeps): Promise<CustomResourceResult> {
  switch (ctx.event.ResourceType) {
    case SERVICE_RESOURCE_TYPE: return endpointServiceWork(ctx, deps);
    case ENDPOINT_RESOURCE_TYPE: return endpointWork(ctx, deps);
    default: throw new Error(`unknown resource type ${JSON.stringify(ctx.event.ResourceType)}: this handler serves ` +
      `${SERVICE_RESOURCE_TYPE} and ${ENDPOINT_RESOURCE_TYPE}`);
  }
}

export async function handleEvent(event: CustomResourceEvent, context: LambdaContext, deps: AtlasDeps, options?: RunOptions): Promise<void> {
  // A create that failed before it made anything has nothing for its rollback to remove.
  return runCustomResource(event, context, (ctx) => atlasWork(ctx, deps), options);
}

export async function handler(event: CustomResourceEvent, context: LambdaContext): Promise<void> {
  return handleEvent(event, context, { secrets: awsSecretsStore() });
}
