import { Token, UnscopedValidationError } from 'aws-cdk-lib';

type ErrorName = ConstructorParameters<typeof UnscopedValidationError>[0];

const SAAS_ID = /^[a-z0-9]{8}$/;
const ENV_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/;

function refuse(message: string): never {
  throw new UnscopedValidationError('DynatraceEnvironmentInvalid' as ErrorName, message);
}

/**
 * A Dynatrace environment: where its API is reached, and the hostname its OneAgents and
 * ActiveGates connect to (the name the DNS override makes resolve to the endpoint).
 *
 * @example
 * const env = DynatraceEnvironment.saas('abc12345');
 */
export class DynatraceEnvironment {
  /**
   * A SaaS environment: API at `https://{environmentId}.live.dynatrace.com`.
   *
   * @param environmentId the 8-character environment ID, such as `abc12345`
   */
  public static saas(environmentId: string): DynatraceEnvironment {
    if (!Token.isUnresolved(environmentId) && !SAAS_ID.test(environmentId)) {
      refuse(`\`environmentId\` must be 8 lowercase letters or digits (a SaaS environment ID), got: ${JSON.stringify(environmentId)}`);
    }
    return new DynatraceEnvironment(environmentId, `https://${environmentId}.live.dynatrace.com`, `${environmentId}.live.dynatrace.com`);
  }

  /**
   * A Dynatrace Managed environment, by its URL `https://{domain}/e/{environmentId}`. The DNS
   * override is for the cluster's domain.
   *
   * @param environmentUrl such as `https://dynatrace.example.com/e/0a1b2c3d-4e5f-6789`
   */
  public static managed(environmentUrl: string): DynatraceEnvironment {
    const match = /^https:\/\/([^/]+)\/e\/([^/]+)\/?$/.exec(environmentUrl);
    if (!match || !HOST.test(match[1]) || !ENV_ID.test(match[2])) {
      refuse('`environmentUrl` must be a Managed environment URL such as "https://dynatrace.example.com/e/0a1b2c3d-4e5f", ' +
        `got: ${JSON.stringify(environmentUrl)}`);
    }
    return new DynatraceEnvironment(match[2], `https://${match[1]}/e/${match[2]}`, match[1].replace(/:\d+$/, ''));
  }

  /**
   * A SaaS environment whose API is called through an Environment ActiveGate
   * (`https://{activeGateHost}:9999/e/{environmentId}`).
   *
   * @param activeGateHost the ActiveGate's host name, optionally with a port (default 9999)
   * @param environmentId the 8-character SaaS environment ID
   */
  public static throughActiveGate(activeGateHost: string, environmentId: string): DynatraceEnvironment {
    if (!HOST.test(activeGateHost) && !/^[a-z0-9-]+(:\d{1,5})?$/.test(activeGateHost)) {
      refuse(`\`activeGateHost\` must be a host name with an optional port, such as "activegate.internal:9999", got: ${JSON.stringify(activeGateHost)}`);
    }
    const saas = DynatraceEnvironment.saas(environmentId);
    const host = activeGateHost.includes(':') ? activeGateHost : `${activeGateHost}:9999`;
    return new DynatraceEnvironment(environmentId, `https://${host}/e/${environmentId}`, saas.hostname);
  }

  private constructor(
    /** The environment ID. */
    public readonly environmentId: string,
    /** The API root, without `/api` (such as `https://abc12345.live.dynatrace.com`). */
    public readonly apiUrl: string,
    /** The hostname OneAgents and ActiveGates connect to, overridden to the endpoint. */
    public readonly hostname: string,
  ) {}
}
