import type { LifecycleBlock } from '../../../lifecycle/lifecycle';

const ALLOWLIST = '/api/config/v1/aws/privateLink/allowlistedAccounts';
const PL = '/api/config/v1/aws/privateLink';

/** The Allowlist operation with its defaults (accounts retained on delete). */
export const ALLOWLIST_LIFECYCLE: LifecycleBlock = {
  resource: 'Custom::DynatracePrivateLink (Allowlist)',
  construct: 'DynatracePrivateLink',
  rows: [
    {
      event: 'create',
      calls: [`GET ${ALLOWLIST}`, `PUT ${ALLOWLIST}/{id}`, `GET ${PL}`],
      status: 'SUCCESS',
      told: 'physical ID `dynatrace-privatelink:allowlist:{environmentId}`, attribute `ServiceName`',
    },
    {
      event: 'create delivered twice',
      calls: [`GET ${ALLOWLIST}`, `GET ${PL}`],
      status: 'SUCCESS',
      told: 'the same physical ID; the account is already there, so nothing is written',
    },
    {
      event: 'update that changes nothing',
      calls: [`GET ${ALLOWLIST}`, `GET ${PL}`],
      status: 'SUCCESS',
      told: 'the same physical ID; no write call',
    },
    {
      event: 'update that changes something',
      calls: [`GET ${ALLOWLIST}`, `PUT ${ALLOWLIST}/{id}`, `GET ${PL}`],
      status: 'SUCCESS',
      told: 'the same physical ID: another URL for the same environment (SaaS to ActiveGate) and a new account are an in-place update; an account removed by hand is restored',
    },
    {
      event: 'replacement',
      calls: [`GET ${ALLOWLIST}`, `PUT ${ALLOWLIST}/{id}`, `GET ${PL}`],
      status: 'SUCCESS',
      told: 'another environment ID: a new physical ID; the Delete of the old resource that follows calls nothing and keeps the old environment\'s allowlist',
    },
    {
      event: 'delete',
      calls: [],
      status: 'SUCCESS',
      told: 'no token read, no call: the reason says which accounts stay allowlisted and how to remove them by hand (`retainAllowlistOnDelete: false` removes them)',
    },
    { event: 'delete delivered twice', calls: [], status: 'SUCCESS', told: 'the same, twice' },
    {
      event: 'delete with a revoked token',
      calls: [],
      status: 'SUCCESS',
      told: 'the token is never read on a retaining delete; with removal opted in, a 401/403 also answers SUCCESS, naming what was left',
    },
    {
      event: 'vendor down during delete',
      calls: [],
      status: 'SUCCESS',
      told: 'nothing to call; with removal opted in, FAILED after bounded retries, naming the call',
    },
    {
      event: 'vendor never answering',
      calls: [`GET ${ALLOWLIST} (retried)`],
      status: 'FAILED',
      told: 'each attempt times out; the work is cancelled at its deadline and FAILED is sent before the Lambda timeout',
    },
    {
      event: 'update rolled back after an in-place update',
      calls: [`GET ${ALLOWLIST}`, `GET ${PL}`],
      status: 'SUCCESS',
      told: 'the Update back to the old accounts finds them all allowlisted and writes nothing, under the same physical ID; an ' +
        'account the failed update added stays allowlisted (retained by default; with `retainAllowlistOnDelete: false` it is removed)',
    },
    {
      event: 'update rolled back after a replacement',
      calls: [],
      status: 'SUCCESS',
      told: 'the Delete of the new physical ID (the new environment) calls nothing and keeps the accounts allowlisted there ' +
        '(with removal opted in, it removes them from the new environment only); nothing is sent to the old environment',
    },
    {
      event: 'create cancelled',
      calls: [],
      status: 'SUCCESS',
      told: 'a Delete with a physical ID the handler never gave is a Delete like any other: the create\'s accounts are found by the ' +
        'environment and accounts in its properties and kept by default; with removal opted in, they are removed',
    },
    {
      event: 'delete when the vendor\'s host does not resolve',
      calls: [],
      status: 'SUCCESS',
      told: 'a retaining delete calls nothing; with removal opted in, ENOTFOUND answers SUCCESS, naming the accounts left allowlisted',
    },
    {
      event: 'delete when the credential secret is deleted, pending deletion, or its key refuses',
      calls: [],
      status: 'SUCCESS',
      told: 'the token is never read on a retaining delete; with removal opted in, the unreadable secret answers SUCCESS, naming ' +
        'the accounts left allowlisted and why; throttling, 5xx and time-outs still answer FAILED after the bounded retries',
    },
  ],
};

/** The Enable operation with its defaults (PrivateLink left enabled on delete). */
export const ENABLE_LIFECYCLE: LifecycleBlock = {
  resource: 'Custom::DynatracePrivateLink (Enable)',
  construct: 'DynatracePrivateLink',
  rows: [
    {
      event: 'create',
      calls: [`GET ${PL}`, `PUT ${PL}`],
      status: 'SUCCESS',
      told: 'physical ID `dynatrace-privatelink:enable:{environmentId}`; PrivateLink enabled (created after the DNS override)',
    },
    { event: 'create delivered twice', calls: [`GET ${PL}`], status: 'SUCCESS', told: 'already enabled: nothing written' },
    { event: 'update that changes nothing', calls: [`GET ${PL}`], status: 'SUCCESS', told: 'the same physical ID; no write call' },
    {
      event: 'update that changes something',
      calls: [`GET ${PL}`, `PUT ${PL}`],
      status: 'SUCCESS',
      told: 'another URL for the same environment keeps the physical ID; PrivateLink disabled by hand is enabled again',
    },
    {
      event: 'replacement',
      calls: [`GET ${PL}`, `PUT ${PL}`],
      status: 'SUCCESS',
      told: 'another environment ID: a new physical ID; the Delete of the old resource calls nothing and leaves the old environment enabled',
    },
    {
      event: 'delete',
      calls: [],
      status: 'SUCCESS',
      told: 'no token read, no call: PrivateLink stays enabled, environment-wide (`disablePrivateLinkOnDelete: true` disables it)',
    },
    { event: 'delete delivered twice', calls: [], status: 'SUCCESS', told: 'the same, twice' },
    {
      event: 'delete with a revoked token',
      calls: [],
      status: 'SUCCESS',
      told: 'the token is never read; with disabling opted in, a 401/403 answers SUCCESS and says PrivateLink stays enabled',
    },
    { event: 'vendor down during delete', calls: [], status: 'SUCCESS', told: 'nothing to call' },
    {
      event: 'vendor never answering',
      calls: [`GET ${PL} (retried)`],
      status: 'FAILED',
      told: 'each attempt times out; FAILED before the Lambda timeout',
    },
    {
      event: 'update rolled back after an in-place update',
      calls: [`GET ${PL}`],
      status: 'SUCCESS',
      told: 'the Update back to the old properties finds PrivateLink enabled and writes nothing, under the same physical ID',
    },
    {
      event: 'update rolled back after a replacement',
      calls: [],
      status: 'SUCCESS',
      told: 'the Delete of the new physical ID (the new environment) calls nothing and leaves it enabled (with disabling opted ' +
        'in, it disables the new environment only); nothing is sent to the old environment',
    },
    {
      event: 'create cancelled',
      calls: [],
      status: 'SUCCESS',
      told: 'a Delete with a physical ID the handler never gave is a Delete like any other, for the environment in its ' +
        'properties: PrivateLink stays enabled by default; with disabling opted in, it is disabled',
    },
    {
      event: 'delete when the vendor\'s host does not resolve',
      calls: [],
      status: 'SUCCESS',
      told: 'nothing to call by default; with disabling opted in, ENOTFOUND answers SUCCESS and says PrivateLink stays enabled',
    },
    {
      event: 'delete when the credential secret is deleted, pending deletion, or its key refuses',
      calls: [],
      status: 'SUCCESS',
      told: 'the token is never read by default; with disabling opted in, the unreadable secret answers SUCCESS and says ' +
        'PrivateLink stays enabled and why',
    },
  ],
};
