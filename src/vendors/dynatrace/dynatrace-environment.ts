import { Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { RootCertificate } from './root-certificate';
import { isHostWithPort } from '../../internal/dns-names';
import { refuse } from '../../internal/validation';

const SAAS_ID = /^[a-z0-9]{8}$/;
const ENV_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * How the Dynatrace API handlers reach an API on a private network: an Environment
 * ActiveGate, or a Dynatrace Managed cluster behind a corporate CA.
 */
export interface DynatraceApiAccess {
  /**
   * The VPC the API handler runs in, so it can reach the ActiveGate or cluster. Its subnets
   * need a route to Secrets Manager (a NAT gateway or an interface endpoint): the handler
   * reads the API token there.
   *
   * @default - the handler runs outside any VPC and reaches the API over the internet
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The handler's subnets in `vpc`.
   *
   * @default - the VPC's private subnets (with egress, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The handler's security groups in `vpc`.
   *
   * @default - a new security group that allows HTTPS out to anywhere and the API's port out to the VPC
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Certificates the handler trusts besides the public CAs: the ActiveGate's own certificate
   * (self-signed unless you replaced it) or the CA of the Managed cluster. `fromFile` puts
   * the PEM into the template (certificates are public); `fromSecret` is read at deploy time.
   * Host names are still checked against the certificate.
   *
   * @default - the public CAs only
   */
  readonly trustedCertificates?: RootCertificate[];
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
    return new DynatraceEnvironment(environmentId, `https://${environmentId}.live.dynatrace.com`, `${environmentId}.live.dynatrace.com`, {});
  }

  /**
   * A Dynatrace Managed environment, by its URL `https://{domain}/e/{environmentId}`. The DNS
   * override is for the cluster's domain.
   *
   * @param environmentUrl such as `https://dynatrace.example.com/e/0a1b2c3d-4e5f-6789`
   * @param access how the API handlers reach the cluster (VPC, trusted CA)
   */
  public static managed(environmentUrl: string, access: DynatraceApiAccess = {}): DynatraceEnvironment {
    const match = /^https:\/\/([^/]+)\/e\/([^/]+)\/?$/.exec(environmentUrl);
    if (!match || !(isHostWithPort(match[1]) && match[1].includes('.')) || !ENV_ID.test(match[2])) {
      refuse('`environmentUrl` must be a Managed environment URL such as "https://dynatrace.example.com/e/0a1b2c3d-4e5f", ' +
        `got: ${JSON.stringify(environmentUrl)}`);
    }
    return new DynatraceEnvironment(match[2], `https://${match[1]}/e/${match[2]}`, match[1].replace(/:\d+$/, ''), access);
  }

  /**
   * A SaaS environment whose API is called through an Environment ActiveGate
   * (`https://{activeGateHost}:9999/e/{environmentId}`).
   *
   * @param activeGateHost the ActiveGate's host name, optionally with a port (default 9999)
   * @param environmentId the 8-character SaaS environment ID
   * @param access how the API handlers reach the ActiveGate: usually its VPC, and its certificate
   */
  public static throughActiveGate(activeGateHost: string, environmentId: string, access: DynatraceApiAccess = {}): DynatraceEnvironment {
    if (!isHostWithPort(activeGateHost)) {
      refuse(`\`activeGateHost\` must be a host name with an optional port, such as "activegate.internal:9999", got: ${JSON.stringify(activeGateHost)}`);
    }
    const saas = DynatraceEnvironment.saas(environmentId);
    const host = activeGateHost.includes(':') ? activeGateHost : `${activeGateHost}:9999`;
    return new DynatraceEnvironment(environmentId, `https://${host}/e/${environmentId}`, saas.hostname, access);
  }

  private constructor(
    /** The environment ID. */
    public readonly environmentId: string,
    /** The API root, without `/api` (such as `https://abc12345.live.dynatrace.com`). */
    public readonly apiUrl: string,
    /** The hostname OneAgents and ActiveGates connect to, overridden to the endpoint. */
    public readonly hostname: string,
    /** @internal */
    public readonly _access: DynatraceApiAccess,
  ) {}
}
