import { Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { DnsTarget, PrivateDnsOverride } from '../../consumer/private-dns-override';
import { PrivateLinkEndpoint } from '../../consumer/privatelink-endpoint';
import { isZoneName } from '../../internal/dns-names';
import { addOutputs } from '../../internal/outputs';
import { literalCidr } from '../../internal/subnets';
import { invalid, isLiteral, isRegionName, show } from '../../internal/validation';
import { linkProbe } from '../../probe/link-probe';
import type { PrivateLinkProbe } from '../../probe/privatelink-probe';
import type { LinkProbeOptions } from '../../probe/privatelink-probe-props';

/** The private hosted zone every Monte Carlo Agent Service PrivateLink hostname lives in. */
const MONTE_CARLO_PRIVATELINK_ZONE = 'privatelink.getmontecarlo.com';

/** The Agent Service hostname Monte Carlo's set-up guide uses. */
const MONTE_CARLO_DEFAULT_HOSTNAME = `artemis.${MONTE_CARLO_PRIVATELINK_ZONE}`;

/** The Agent Service listens on HTTPS only. */
const HTTPS = 443;

/** A vendor endpoint service name: com.amazonaws.vpce.<region>.vpce-svc-<8 or 17 hex digits>. */
const SERVICE_NAME = /^com\.amazonaws\.vpce\.([a-z]{2}(?:-[a-z]+)+-\d)\.vpce-svc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * Properties of a `MonteCarloPrivateLink`.
 */
export interface MonteCarloPrivateLinkProps {
  /**
   * The VPC your Monte Carlo agent runs in. The endpoint is created in it and the private
   * hosted zone is associated with it.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The VPC endpoint service name from the Agent Service section of the Account Information
   * page in Monte Carlo, such as `com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0`.
   * Monte Carlo must have allowlisted your AWS account first, or the deploy fails with
   * "endpoint service … was not found".
   */
  readonly serviceName: string;

  /**
   * The Region from the Agent Service section of your Monte Carlo account page. When it differs
   * from the stack's region, the endpoint is a native cross-region endpoint (AWS PrivateLink
   * cross-region connectivity, same partition). When the stack is environment-agnostic the
   * two cannot be compared at synth, so the value is passed to the endpoint as given.
   *
   * @default - the stack's region: a same-region endpoint
   */
  readonly serviceRegion?: string;

  /**
   * The Agent Service PrivateLink hostname from your Monte Carlo account page: a name directly
   * inside `privatelink.getmontecarlo.com`. The private hosted zone is
   * `privatelink.getmontecarlo.com`, with a CNAME for the hostname's first label.
   *
   * @default "artemis.privatelink.getmontecarlo.com"
   */
  readonly hostname?: string;

  /**
   * The subnets your agent runs in. The endpoint is created in those of them whose
   * Availability Zone the service supports (found at deploy time). EC2 creates an interface
   * endpoint in at most one subnet per AZ: a selection with two subnets in one AZ is refused
   * (name one subnet group, such as `{ subnetGroupName: 'app' }`, or add `onePerAz: true`).
   *
   * @default - the VPC's private subnets (with egress, else isolated), one per AZ: in a VPC
   * with several private subnet groups, the first group's
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * An existing private hosted zone named `privatelink.getmontecarlo.com`, already associated
   * with the VPC, to add the record to (for when the zone exists: Route 53's
   * ConflictingDomainExists, or a second Monte Carlo hostname).
   *
   * @default - a new private hosted zone associated with `vpc`
   */
  readonly existingZone?: route53.IPrivateHostedZone;

  /**
   * Check from inside the VPC that the Agent Service hostname resolves to the endpoint and
   * answers TLS on 443 (Monte Carlo's "Verify Connectivity" step): a `PrivateLinkProbe` with a
   * deploy-time check after the DNS override and a canary with an alarm. Until Monte Carlo
   * approves the endpoint, the diagnosis says the endpoint is pending acceptance.
   *
   * @default - on: the deploy-time check reports without failing the deploy, the canary runs every 5 minutes
   */
  readonly probe?: LinkProbeOptions;

  /**
   * Add stack outputs, with logical IDs of this construct's ID and the output's name (see
   * the README, "Stack outputs"): `EndpointId` (send it to Monte Carlo) and `BackendServiceUrl`.
   *
   * @default false
   */
  readonly outputs?: boolean;
}

/**
 * Connects your Monte Carlo agent to the Monte Carlo Agent Service over AWS PrivateLink, as
 * Monte Carlo's set-up guide asks: an interface endpoint to the service name from your Monte
 * Carlo account page (in Availability Zones the service supports, natively cross-region when
 * the service is in another region), a security group that opens 443 to the agent's VPC only,
 * and a private hosted zone `privatelink.getmontecarlo.com` whose CNAME makes the Agent
 * Service hostname resolve to the endpoint.
 *
 * Send the endpoint ID (`vpcEndpointId`) to Monte Carlo to approve the connection, and put the
 * `backendServiceUrl` in the agent's configuration; with `outputs: true` both are also stack
 * outputs.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 *
 * const monteCarlo = new MonteCarloPrivateLink(this, 'MonteCarlo', {
 *   vpc,
 *   serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
 *   serviceRegion: 'us-east-1',
 * });
 * // monteCarlo.backendServiceUrl is "https://artemis.privatelink.getmontecarlo.com"
 */
export class MonteCarloPrivateLink extends Construct implements ec2.IConnectable {
  /** The private hosted zone every Monte Carlo Agent Service PrivateLink hostname lives in. */
  public static readonly PRIVATELINK_ZONE = MONTE_CARLO_PRIVATELINK_ZONE;

  /** The Agent Service hostname Monte Carlo's set-up guide uses (the default `hostname`). */
  public static readonly DEFAULT_HOSTNAME = MONTE_CARLO_DEFAULT_HOSTNAME;

  /** The interface endpoint to the Agent Service. */
  public readonly endpoint: PrivateLinkEndpoint;

  /** The private hosted zone and the hostname's CNAME. */
  public readonly dnsOverride: PrivateDnsOverride;

  /** The endpoint ID, such as `vpce-0123456789abcdef0`: send it to Monte Carlo for approval. */
  public readonly vpcEndpointId: string;

  /** The Agent Service PrivateLink hostname, such as `artemis.privatelink.getmontecarlo.com`. */
  public readonly hostname: string;

  /** The agent's `backendServiceUrl`: `https://` and the hostname. */
  public readonly backendServiceUrl: string;

  /** Network access to the endpoint (port 443). */
  public readonly connections: ec2.Connections;

  /** The VPC's probe (unless `probe.enabled` is false). */
  public readonly probe?: PrivateLinkProbe;

  constructor(scope: Construct, id: string, props: MonteCarloPrivateLinkProps) {
    super(scope, id);
    const hostname = props.hostname ?? MONTE_CARLO_DEFAULT_HOSTNAME;
    this.validateHostname(hostname);
    this.validateExistingZone(props.existingZone);
    const serviceRegion = this.endpointServiceRegion(props);
    const record = hostname.slice(0, hostname.indexOf('.'));

    this.endpoint = new PrivateLinkEndpoint(this, 'Endpoint', {
      vpc: props.vpc,
      serviceName: props.serviceName,
      serviceRegion,
      subnets: props.subnets,
      ports: [HTTPS],
      allowFromVpc: true,
    });
    this.dnsOverride = new PrivateDnsOverride(this, 'Dns', {
      zoneName: MONTE_CARLO_PRIVATELINK_ZONE,
      vpc: props.vpc,
      target: DnsTarget.fromEndpoint(this.endpoint),
      records: [record],
      existingZone: props.existingZone,
    });

    this.vpcEndpointId = this.endpoint.vpcEndpointId;
    this.connections = this.endpoint.connections;
    this.hostname = hostname;
    this.backendServiceUrl = `https://${hostname}`;
    this.probe = linkProbe(this, 'Probe', {
      hostname,
      vpc: props.vpc,
      endpoint: this.endpoint,
      endpointCidr: literalCidr(props.vpc) ?? props.vpc.vpcCidrBlock,
      after: [this.dnsOverride, this.endpoint],
      owner: this,
    }, props.probe);

    addOutputs(this, props.outputs, {
      EndpointId: {
        description: 'VPC endpoint ID: send it to Monte Carlo support to approve the connection to the Agent Service',
        value: this.vpcEndpointId,
      },
      BackendServiceUrl: {
        description: 'backendServiceUrl for the Monte Carlo agent\'s configuration, once Monte Carlo has approved the endpoint',
        value: this.backendServiceUrl,
      },
    });
  }

  /**
   * Opens 443 on the endpoint to a peer beyond the agent's VPC, such as a peered VPC where
   * another agent runs.
   *
   * @param peer who may connect
   * @param description why, for the security group rule
   */
  public allowFrom(peer: ec2.IPeer, description: string): void {
    this.endpoint.allowFrom(peer, description);
  }

  private validateHostname(hostname: string): void {
    if (Token.isUnresolved(hostname)) {
      invalid(this, '`hostname` must be known at synth (the private zone\'s record is built from it), got: a deploy-time value');
    }
    const label = hostname.slice(0, hostname.indexOf('.'));
    if (!isZoneName(hostname) || hostname !== `${label}.${MONTE_CARLO_PRIVATELINK_ZONE}`) {
      invalid(this, '`hostname` must be the Agent Service PrivateLink hostname from your Monte Carlo account page, one ' +
        `lowercase label directly inside "${MONTE_CARLO_PRIVATELINK_ZONE}" without "https://" or a trailing dot ` +
        `(such as "${MONTE_CARLO_DEFAULT_HOSTNAME}"), got: ${show(hostname)}`);
    }
  }

  private validateExistingZone(zone?: route53.IPrivateHostedZone): void {
    if (!zone) return;
    let zoneName: string | undefined;
    try {
      zoneName = zone.zoneName;
    } catch {
      // Imported by ID only: the name is unknown, and Route 53 refuses a record outside it at deploy.
      return;
    }
    const name = zoneName?.replace(/\.$/, '');
    if (isLiteral(name) && name !== MONTE_CARLO_PRIVATELINK_ZONE) {
      invalid(this, `\`existingZone\` must be the private hosted zone "${MONTE_CARLO_PRIVATELINK_ZONE}", got: ${show(zoneName)}`);
    }
  }

  /**
   * The endpoint's `serviceRegion`: undefined for a same-region endpoint, the given region for a
   * cross-region one or when the stack's region is unknown at synth.
   */
  private endpointServiceRegion(props: MonteCarloPrivateLinkProps): string | undefined {
    const nameRegion = isLiteral(props.serviceName) ? SERVICE_NAME.exec(props.serviceName)?.[1] : undefined;
    if (isLiteral(props.serviceName) && !nameRegion) {
      invalid(this, '`serviceName` must be the VPC endpoint service name from the Agent Service section of your Monte Carlo ' +
        'account page, "com.amazonaws.vpce.<region>.vpce-svc-<hex ID>" such as ' +
        `"com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0", got: ${show(props.serviceName)}`);
    }
    const given = props.serviceRegion;
    const stackRegion = Stack.of(this).region;
    if (given === undefined) {
      if (nameRegion && isLiteral(stackRegion) && nameRegion !== stackRegion) {
        invalid(this, `\`serviceRegion\` is required: \`serviceName\` is a service in "${nameRegion}" but the stack is in ` +
          `"${stackRegion}"; set \`serviceRegion: "${nameRegion}"\` (the Region on your Monte Carlo account page) ` +
          'for a cross-region endpoint, or deploy the stack to that region');
      }
      return undefined;
    }
    if (!isLiteral(given)) {
      return given;
    }
    if (!isRegionName(given)) {
      invalid(this, `\`serviceRegion\` must be an AWS region name such as "us-east-1", got: ${show(given)}`);
    }
    if (nameRegion && given !== nameRegion) {
      invalid(this, `\`serviceRegion\` must be the region of \`serviceName\` ("${nameRegion}"), got: ${show(given)}`);
    }
    return isLiteral(stackRegion) && stackRegion === given ? undefined : given;
  }
}
