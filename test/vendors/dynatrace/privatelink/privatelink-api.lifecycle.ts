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
  ],
};
