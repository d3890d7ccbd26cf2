import type { LifecycleBlock } from '../../lifecycle/lifecycle';

const SERVICES = '/api/atlas/v2/groups/{projectId}/privateEndpoint/AWS/endpointService';
const TOKEN = 'POST /api/oauth/token';
const LIST = `GET ${SERVICES}`;
const POST = 'POST /api/atlas/v2/groups/{projectId}/privateEndpoint/endpointService';
const GET = `GET ${SERVICES}/{serviceId}`;
const DELETE = `DELETE ${SERVICES}/{serviceId}`;

/**
 * Custom::MongoDbAtlasEndpointService (the project's Atlas endpoint service for the VPC's region)
 * through every lifecycle event, with a service account, in a project that has no service for
 * the region before the stack; asserted by endpoint-service.lifecycle.test.ts. `{serviceId}` is
 * Atlas's 24-hex ID of the service; a GET repeated while Atlas builds the service (polled every
 * 10 s) is written once with "(retried)".
 */
export const ENDPOINT_SERVICE_LIFECYCLE: LifecycleBlock = {
  resource: 'Custom::MongoDbAtlasEndpointService',
  construct: 'MongoDbAtlasPrivateLink',
  rows: [
    {
      event: 'create',
      calls: [TOKEN, LIST, POST, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'the project has no service for the region, so one is created and read until Atlas reports it WAITING_FOR_USER with ' +
        'a service name: physical ID `mongodb-atlas:endpoint-service:{projectId}:{REGION}:created:{serviceId}`, attributes ' +
        '`ServiceId`, `ServiceName`, `ServiceRegion`, `Created` (`true`). A service that exists for the region is adopted ' +
        'instead (no POST): physical ID `mongodb-atlas:endpoint-service:{projectId}:{REGION}`, `Created` `false`',
    },
    {
      event: 'create delivered twice',
      calls: [TOKEN, LIST, GET],
      status: 'SUCCESS',
      told: 'the second delivery finds the service the first created and adopts it: no second service, but the physical ID has ' +
        'no `:created:`, so a Delete under that ID keeps the service (Atlas removes it with its last endpoint)',
    },
    {
      event: 'update that changes nothing',
      calls: [TOKEN, LIST, GET],
      status: 'SUCCESS',
      told: 'the same physical ID; the service is there and ready, so nothing is written',
    },
    {
      event: 'update that changes something',
      calls: [`${LIST} (retried)`, GET],
      status: 'SUCCESS',
      told: 'another credential (`credentials`: an API key\'s secret instead of a service account\'s) is an in-place update under ' +
        'the same physical ID; the first call is answered with Atlas\'s Digest challenge and sent again with its answer; the ' +
        'service is there and ready, so nothing is written (a service deleted by hand would be created again)',
    },
    {
      event: 'replacement',
      calls: [TOKEN, LIST, POST, `${GET} (retried)`],
      status: 'SUCCESS',
      told: 'another project or region is a new physical ID: that region\'s service is adopted or created; the Delete of the old ' +
        'resource that follows deletes the old service only if this stack created it and no endpoint uses it',
    },
    {
      event: 'delete',
      calls: [TOKEN, GET, DELETE],
      status: 'SUCCESS',
      told: 'a service this stack created is read, and deleted when no endpoint uses it (Reason: deleted); one that endpoints ' +
        'still use is kept (Reason: which endpoints; Atlas removes it with the last). An adopted service is kept with no call ' +
        'and no credential read (Reason: it was there before this stack)',
    },
    {
      event: 'delete delivered twice',
      calls: [TOKEN, GET],
      status: 'SUCCESS',
      told: 'the GET answers 404: Reason: the service was already gone (as it usually is: Atlas removes a service with its ' +
        'last endpoint)',
    },
    {
      event: 'delete with a revoked token',
      calls: [TOKEN],
      status: 'SUCCESS',
      told: 'the token request is refused (HTTP 401 `invalid_client`); a 401 or 403 from the API answers the same: Reason: the ' +
        'service left behind, why, and how to delete it by hand (the DELETE call, or Atlas > Network Access > Private Endpoint)',
    },
    {
      event: 'vendor down during delete',
      calls: [TOKEN, `${GET} (retried)`],
      status: 'FAILED',
      told: 'Reason: the GET call and its last answer (HTTP 503) after 6 attempts, before the Lambda timeout; the physical ID is ' +
        'kept, so a retried delete tries again',
    },
    {
      event: 'vendor never answering',
      calls: [TOKEN, `${LIST} (retried)`],
      status: 'FAILED',
      told: 'each attempt times out; FAILED, naming the call that got no answer, is sent before the Lambda timeout; no POST was ' +
        'sent, so the physical ID is `create-failed:…` and the rollback\'s Delete calls nothing',
    },
    {
      event: 'update rolled back after an in-place update',
      calls: [TOKEN, LIST, GET],
      status: 'SUCCESS',
      told: 'the Update back to the old credential keeps the physical ID, reads the service with it and writes nothing',
    },
    {
      event: 'update rolled back after a replacement',
      calls: [TOKEN, GET, DELETE],
      status: 'SUCCESS',
      told: 'the Delete of the new physical ID deletes the service the replacement created (no endpoint uses it yet); the old ' +
        'service, current again, is untouched and nothing is sent for it',
    },
    {
      event: 'create cancelled',
      calls: [],
      status: 'SUCCESS',
      told: 'a Delete with a physical ID the handler never gave calls nothing: Atlas has no name or tag that tells a service the ' +
        'cancelled create made from one made by hand, so Reason: the region\'s service is kept, and how to delete it by hand if ' +
        'nothing uses it (Atlas removes it by itself with its last endpoint)',
    },
    {
      event: 'delete when the vendor\'s host does not resolve',
      calls: [],
      status: 'SUCCESS',
      told: 'the token request fails with ENOTFOUND at each of the bounded attempts: Reason: the service left behind, why, and ' +
        'how to delete it by hand; the stack is not stranded',
    },
    {
      event: 'delete when the credential secret is deleted, pending deletion, or its key refuses',
      calls: [],
      status: 'SUCCESS',
      told: 'the credential cannot be read (ResourceNotFoundException, marked for deletion, DecryptionFailure or KMS access denied), ' +
        'so nothing is called: Reason: why, the service left behind, and how to delete it by hand',
    },
  ],
};
