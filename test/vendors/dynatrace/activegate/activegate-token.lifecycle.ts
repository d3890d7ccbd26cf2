import type { LifecycleBlock } from '../../../lifecycle/lifecycle';

const LIST = 'GET /api/v2/activeGateTokens';
const POST = 'POST /api/v2/activeGateTokens';
const DELETE = 'DELETE /api/v2/activeGateTokens/{id}';

/**
 * Custom::DynatraceActiveGateToken through every lifecycle event; asserted by
 * activegate-token.lifecycle.test.ts. `{id}` is the token's ID (`dt0g02.XXXXXXXX`), which is
 * also the physical ID. The list call pages with `pageSize=100`, then `nextPageKey` alone.
 */
export const ACTIVEGATE_TOKEN_LIFECYCLE: LifecycleBlock = {
  resource: 'Custom::DynatraceActiveGateToken',
  construct: 'DynatraceActiveGateToken',
  rows: [
    {
      event: 'create',
      calls: [LIST, POST],
      status: 'SUCCESS',
      told: 'physical ID = the new token\'s ID; its value goes into the construct\'s secret, never to CloudFormation; ' +
        'Data: TokenId, ExpirationDate. The list looks for a token with this resource\'s unique name first',
    },
    {
      event: 'create delivered twice',
      calls: [LIST],
      status: 'SUCCESS',
      told: 'the token with this resource\'s name is the one the secret holds: adopted, same physical ID, no second token',
    },
    {
      event: 'update that changes nothing',
      calls: [LIST],
      status: 'SUCCESS',
      told: 'same physical ID, no write: the token still exists and the secret still holds it ' +
        '(if not, a new token is made under a new physical ID)',
    },
    {
      event: 'update that changes something',
      calls: [LIST],
      status: 'SUCCESS',
      told: 'a change of how the environment is reached (URL form, API token secret, certificates) is in place: same physical ID, no write',
    },
    {
      event: 'replacement',
      calls: [LIST, POST],
      status: 'SUCCESS',
      told: 'a change of name, type, expiry, environment or target secret makes a new token (its name carries the request, so the old ' +
        'one is never adopted) under a new physical ID; CloudFormation then deletes the old token',
    },
    {
      event: 'delete',
      calls: [DELETE],
      status: 'SUCCESS',
      told: 'the token is deleted; when the secret held it and its previous version holds no live token, the secret is then given a ' +
        'value that holds no token and says which was deleted, so it never holds a deleted token',
    },
    {
      event: 'delete delivered twice',
      calls: [DELETE],
      status: 'SUCCESS',
      told: 'Reason: the token was already gone (404)',
    },
    {
      event: 'delete with a revoked token',
      calls: [DELETE],
      status: 'SUCCESS',
      told: 'Reason: the token dt0g02.XXXXXXXX was left behind, and how to delete it by hand (Access tokens page, ' +
        'or DELETE /api/v2/activeGateTokens/{id})',
    },
    {
      event: 'vendor down during delete',
      calls: [`${DELETE} (retried)`],
      status: 'FAILED',
      told: 'Reason: the DELETE call and its last answer (HTTP 503), before the Lambda timeout; the physical ID is kept, so a retried delete tries again',
    },
    {
      event: 'vendor never answering',
      calls: [`${LIST} (retried)`],
      status: 'FAILED',
      told: 'Reason: the call that got no answer, before the Lambda timeout; no POST was sent, so no token exists',
    },
    {
      event: 'update rolled back after an in-place update',
      calls: [LIST],
      status: 'SUCCESS',
      told: 'the Update back to the old properties is in place too: same physical ID, no write; the secret still holds the token, which exists',
    },
    {
      event: 'update rolled back after a replacement',
      calls: [LIST, DELETE],
      status: 'SUCCESS',
      told: 'the Delete of the new token finds it in the secret: the secret\'s previous version (AWSPREVIOUS), the old token, is live (the list), ' +
        'so it is put back before the new token is deleted; Reason: the secret holds the old token again. The secret ends holding the ' +
        'token of the surviving resource, which exists',
    },
    {
      event: 'create cancelled',
      calls: [LIST, DELETE],
      status: 'SUCCESS',
      told: 'the physical ID CloudFormation made up is not a token ID: the tokens with the name the create gave (stack and logical ID) ' +
        'are looked up and deleted; Reason: which tokens, and that a cancelled create made them. The secret, which held the deleted ' +
        'token, is then given a value that holds no token (a cancelled replacing create would otherwise leave it holding a dead one)',
    },
    {
      event: 'delete when the vendor\'s host does not resolve',
      calls: [`${DELETE} (retried)`],
      status: 'SUCCESS',
      told: 'the host name does not resolve (ENOTFOUND, a deleted tenant) at any of the bounded attempts: Reason: the token left behind, ' +
        'and how to delete it by hand; the stack is not stranded',
    },
    {
      event: 'delete when the credential secret is deleted, pending deletion, or its key refuses',
      calls: [],
      status: 'SUCCESS',
      told: 'the API token cannot be read (ResourceNotFoundException, marked for deletion, DecryptionFailure or KMS access denied), ' +
        'so nothing is called: Reason: why, the token left behind and how to delete it by hand',
    },
  ],
};
