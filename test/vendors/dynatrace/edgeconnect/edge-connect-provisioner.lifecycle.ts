import type { LifecycleBlock } from '../../../lifecycle/lifecycle';

const TOKEN = 'POST /sso/oauth2/token';
const LIST = 'GET /platform/app-engine/edge-connect/v1/edge-connects';
const CREATE = 'POST /platform/app-engine/edge-connect/v1/edge-connects';
const GET = 'GET /platform/app-engine/edge-connect/v1/edge-connects/{id}';
const PUT = 'PUT /platform/app-engine/edge-connect/v1/edge-connects/{id}';
const DELETE = 'DELETE /platform/app-engine/edge-connect/v1/edge-connects/{id}';

/** What the EdgeConnect provisioner does for each CloudFormation event (asserted by its lifecycle test). */
export const EDGE_CONNECT_PROVISIONER_LIFECYCLE: LifecycleBlock = {
  resource: 'Custom::DynatraceEdgeConnect',
  construct: 'EdgeConnectProvisioner (and EdgeConnect in provisioner mode)',
  rows: [
    {
      event: 'create',
      calls: [TOKEN, CREATE],
      status: 'SUCCESS',
      told: 'Physical ID: the new configuration\'s ID; EdgeConnectId and OAuthClientId as attributes. ' +
        'The client secret, shown once, goes only to the target secret.',
    },
    {
      event: 'create delivered twice',
      calls: [TOKEN, CREATE, LIST, GET],
      status: 'SUCCESS',
      told: 'The POST is refused because the name is taken; the configuration found by name has its client in the ' +
        'target secret, so it is adopted: same physical ID, no second configuration.',
    },
    {
      event: 'update that changes nothing',
      calls: [TOKEN, GET],
      status: 'SUCCESS',
      told: 'Same physical ID; the configuration already matches, so nothing is written.',
    },
    {
      event: 'update that changes something',
      calls: [TOKEN, GET, PUT],
      status: 'SUCCESS',
      told: 'Host patterns and mappings are updated in place, keeping the OAuth client; same physical ID.',
    },
    {
      event: 'replacement',
      calls: [TOKEN, CREATE],
      status: 'SUCCESS',
      told: 'A new name, environment or target secret creates a new configuration: a new physical ID, so ' +
        'CloudFormation deletes the old one.',
    },
    {
      event: 'delete',
      calls: [TOKEN, DELETE],
      status: 'SUCCESS',
      told: 'The configuration and its OAuth client are deleted; the target secret, which held that client, gets its placeholder back.',
    },
    {
      event: 'delete delivered twice',
      calls: [TOKEN, DELETE],
      status: 'SUCCESS',
      told: 'The DELETE answers 404: the configuration was already gone.',
    },
    {
      event: 'delete with a revoked token',
      calls: [TOKEN],
      status: 'SUCCESS',
      told: 'The provisioner client is refused (401 invalid_client): the reason names the configuration (ID and name) ' +
        'and OAuth client left behind, and how to delete them by hand.',
    },
    {
      event: 'vendor down during delete',
      calls: [TOKEN, `${DELETE} (retried)`],
      status: 'FAILED',
      told: 'The EdgeConnect API answers 503: the DELETE is retried until the deadline, then the reason says what failed ' +
        'before the Lambda times out. The configuration still exists; retrying the stack delete removes it.',
    },
    {
      event: 'vendor never answering',
      calls: [`${TOKEN} (retried)`],
      status: 'FAILED',
      told: 'No call is answered: the work is cancelled at its deadline and the reason is sent before the Lambda times out.',
    },
    {
      event: 'update rolled back after an in-place update',
      calls: [TOKEN, GET, PUT],
      status: 'SUCCESS',
      told: 'The Update back to the old properties puts the old host patterns and mappings back on the same configuration; ' +
        'its OAuth client, the one in the target secret, is kept.',
    },
    {
      event: 'update rolled back after a replacement',
      calls: [TOKEN, GET, DELETE],
      status: 'SUCCESS',
      told: 'The Delete of the new configuration finds its client in the target secret and the old configuration\'s client ' +
        'in the secret\'s previous version (AWSPREVIOUS); the old configuration still exists with that client (GET), so that ' +
        'version is written back before the new configuration and its client are deleted. Nothing is sent to the old one.',
    },
    {
      event: 'create cancelled',
      calls: [TOKEN, LIST, GET, DELETE],
      status: 'SUCCESS',
      told: 'The physical ID is not an EdgeConnect ID (a UUID), so no call is made with it: the configuration is looked up by ' +
        'the name the create used and deleted because its client is the one in the target secret, which holds its ' +
        'placeholder again. A same-named configuration with another client is not this resource\'s and is kept.',
    },
    {
      event: 'delete when the vendor\'s host does not resolve',
      calls: [TOKEN],
      status: 'SUCCESS',
      told: 'The EdgeConnect API\'s host does not resolve (ENOTFOUND, after the bounded retries): the reason names the ' +
        'configuration and OAuth client left behind and how to delete them by hand.',
    },
    {
      event: 'delete when the credential secret is deleted, pending deletion, or its key refuses',
      calls: [],
      status: 'SUCCESS',
      told: 'The provisioner client\'s secret cannot be read (ResourceNotFoundException, marked for deletion, DecryptionFailure): ' +
        'no call is made, and the reason names why, the configuration and OAuth client left behind and how to delete them. ' +
        'Throttling, 5xx and time-outs still answer FAILED after the bounded retries.',
    },
  ],
};
