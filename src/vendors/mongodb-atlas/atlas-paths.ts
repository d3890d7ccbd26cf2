/*
 * The Atlas Administration API's private-endpoint paths, the identifiers the handlers put into
 * them (checked before any call), and region spellings.
 * Handler code: no aws-cdk-lib imports.
 */

const GROUP = /^[0-9a-f]{24}$/;
const VPC_ENDPOINT = /^vpce-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** `…/groups/{projectId}/privateEndpoint/AWS/endpointService`: list, and with `/{id}` read and delete. */
export function servicesPath(projectId: string): string {
  return `/api/atlas/v2/groups/${checked(projectId, GROUP, 'project ID', '24 hexadecimal characters')}/privateEndpoint/AWS/endpointService`;
}

/** `…/groups/{projectId}/privateEndpoint/endpointService`: create (POST), and with `/{id}` PATCH. */
export function createServicePath(projectId: string): string {
  return `/api/atlas/v2/groups/${checked(projectId, GROUP, 'project ID', '24 hexadecimal characters')}/privateEndpoint/endpointService`;
}

export function servicePath(projectId: string, serviceId: string): string {
  return `${servicesPath(projectId)}/${checked(serviceId, GROUP, 'endpoint service ID', '24 hexadecimal characters')}`;
}

/** `…/endpointService/{serviceId}/endpoint`: register (POST), and with `/{vpce}` read and deregister. */
export function endpointsPath(projectId: string, serviceId: string): string {
  return `${servicePath(projectId, serviceId)}/endpoint`;
}

export function endpointPath(projectId: string, serviceId: string, vpcEndpointId: string): string {
  return `${endpointsPath(projectId, serviceId)}/${checked(vpcEndpointId, VPC_ENDPOINT, 'VPC endpoint ID', '"vpce-" and 8 or 17 hexadecimal characters')}`;
}

function checked(value: unknown, form: RegExp, what: string, rule: string): string {
  if (typeof value !== 'string' || !form.test(value)) {
    throw new Error(`${what} ${JSON.stringify(value)} is not ${rule}: no Atlas call was made with it`);
  }
  return value;
}

/** `us-east-1` and `US_EAST_1` alike become `US_EAST_1` (Atlas's answers use either: UNCONFIRMED which). */
export function atlasRegion(region: string): string {
  return region.trim().toUpperCase().replace(/-/g, '_');
}

/** The AWS region in an endpoint service name (`com.amazonaws.vpce.<region>.vpce-svc-…`). */
export function regionOfServiceName(name: string): string | undefined {
  return /^com\.amazonaws\.vpce\.([a-z]{2}(?:-[a-z]+)+-\d)\.vpce-svc-[0-9a-z]+$/.exec(name)?.[1];
}
