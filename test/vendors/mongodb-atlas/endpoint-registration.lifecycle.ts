import type { LifecycleBlock } from '../../lifecycle/lifecycle';

const SERVICE = '/api/atlas/v2/groups/{projectId}/privateEndpoint/AWS/endpointService/{serviceId}';
const TOKEN = 'POST /api/oauth/token';
const GET_SERVICE = `GET ${SERVICE}`;
const GET = `GET ${SERVICE}/endpoint/{vpce}`;
const POST = `POST ${SERVICE}/endpoint`;
const DELETE = `DELETE ${SERVICE}/endpoint/{vpce}`;

/**
 * Custom::MongoDbAtlasEndpoint (the registration of our interface endpoint with the project's
 * Atlas endpoint service) through every lifecycle event, with a service account; asserted by
 * endpoint-registration.lifecycle.test.ts. `{vpce}` is the interface endpoint's ID; a GET
 * repeated while Atlas changes status (polled every 10 s) is written once with "(retried)".
 */
export const ENDPOINT_REGISTRATION_LIFECYCLE: LifecycleBlock = {
  resource: 'Custom::MongoDbAtlasEndpoint',
  construct: 'MongoDbAtlasPrivateLink',
  rows: [
    {
      event: 'create',
      calls: [TOKEN, GET, POST, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'physical ID `mongodb-atlas:endpoint:{projectId}:{serviceId}:{vpce}`, attribute `ConnectionStatus` (`AVAILABLE`): ' +
        'Atlas does not know the endpoint (404), so it is registered, then read until Atlas reports it AVAILABLE',
    },
    {
      event: 'create delivered twice',
      calls: [TOKEN, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'the same physical ID; Atlas already knows the endpoint and reports it AVAILABLE, so nothing is registered twice',
    },
    {
      event: 'update that changes nothing',
      calls: [TOKEN, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'the same physical ID; the endpoint is registered and AVAILABLE, so nothing is written',
    },
    {
      event: 'update that changes something',
      calls: [TOKEN, GET, POST, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'the same physical ID: another form of the API URL (a trailing slash) is an in-place update; a registration ' +
        'removed by hand is registered again',
    },
    {
      event: 'replacement',
      calls: [TOKEN, GET, POST, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'another VPC endpoint, endpoint service or project is a new physical ID: the new endpoint is registered; the Delete of ' +
        'the old resource that follows deregisters the old endpoint, and the service stays while the new endpoint is registered with it',
    },
    {
      event: 'delete',
      calls: [TOKEN, GET_SERVICE, DELETE, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'the endpoint is deregistered and read until Atlas answers 404 (Atlas must let go of it before EC2 deletes the interface ' +
        'endpoint); when it was the service\'s last endpoint, the Reason says that Atlas removes the endpoint service too',
    },
    {
      event: 'delete delivered twice',
      calls: [TOKEN, GET_SERVICE, DELETE],
      status: 'SUCCESS',
      told: 'the DELETE answers 404: Reason: the endpoint was not registered with Atlas (already deregistered)',
    },
    {
      event: 'delete with a revoked token',
      calls: [TOKEN],
      status: 'SUCCESS',
      told: 'the token request is refused (HTTP 401 `invalid_client`); a 401 or 403 from the API answers the same: Reason: the ' +
        'endpoint left registered, why, and how to deregister it by hand (the DELETE call, or Atlas > Network Access > Private Endpoint)',
    },
    {
      event: 'vendor down during delete',
      calls: [TOKEN, GET_SERVICE, `${DELETE} (retried)`],
      status: 'FAILED',
      told: 'Reason: the DELETE call and its last answer (HTTP 503) after 6 attempts, before the Lambda timeout; the physical ID ' +
        'is kept, so a retried delete tries again',
    },
    {
      event: 'vendor never answering',
      calls: [TOKEN, `${GET} (retried)`],
      status: 'FAILED',
      told: 'each attempt times out; FAILED, naming the call that got no answer, is sent before the Lambda timeout; nothing was ' +
        'registered, so the physical ID is `create-failed:…` and the rollback\'s Delete calls nothing',
    },
    {
      event: 'update rolled back after an in-place update',
      calls: [TOKEN, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'the Update back to the old properties finds the endpoint registered and AVAILABLE: the same physical ID, nothing written',
    },
    {
      event: 'update rolled back after a replacement',
      calls: [TOKEN, GET_SERVICE, DELETE, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'the Delete of the new physical ID deregisters the new endpoint only; the old endpoint, current again, stays registered ' +
        'and AVAILABLE, and nothing is sent for it',
    },
    {
      event: 'create cancelled',
      calls: [TOKEN, GET_SERVICE, DELETE, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'a Delete with a physical ID the handler never gave deregisters the endpoint its properties name (project, service, ' +
        'VPC endpoint ID), so what the cancelled create registered is not left behind; the made-up physical ID is answered back',
    },
    {
      event: 'delete when the vendor\'s host does not resolve',
      calls: [],
      status: 'SUCCESS',
      told: 'the token request fails with ENOTFOUND at each of the bounded attempts: Reason: the endpoint left registered, why, ' +
        'and how to deregister it by hand; the stack is not stranded',
    },
    {
      event: 'delete when the credential secret is deleted, pending deletion, or its key refuses',
      calls: [],
      status: 'SUCCESS',
      told: 'the credential cannot be read (ResourceNotFoundException, marked for deletion, DecryptionFailure or KMS access denied), ' +
        'so nothing is called: Reason: why, the endpoint left registered, and how to deregister it by hand',
    },
  ],
};
