import { CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AtlasPrivatelinkFunction } from './atlas-privatelink-function';
import { PrivateLinkEndpoint } from '../../consumer/privatelink-endpoint';
import { SpokePeering } from '../../consumer/spoke-peering';
import { serviceTimeoutFor, singletonHandler } from '../../internal/handler-function';
import { addOutputs } from '../../internal/outputs';
import { literalCidr } from '../../internal/subnets';
import { invalid, isLiteral, isPort, show } from '../../internal/validation';
import { linkProbe } from '../../probe/link-probe';
import type { PrivateLinkProbe } from '../../probe/privatelink-probe';
import type { LinkProbeOptions } from '../../probe/privatelink-probe-props';

/** Atlas assigns each node a port from this range, and may change it: the whole range is opened. */
const ATLAS_PORTS = { fromPort: 1024, toPort: 65535 };
/** Atlas usually gives the first node this port. */
const FIRST_ATLAS_PORT = 1024;
/** Atlas builds its service in 3 to 5 minutes and accepts an endpoint in a few: the Lambda's most. */
const HANDLER_TIMEOUT = Duration.minutes(15);
const ATLAS_API = 'https://cloud.mongodb.com';
const HOSTNAME = /^pl-\d+-[a-z0-9-]+\.[a-z0-9]+\.mongodb\.net$/;

/**
 * Properties of a `MongoDbAtlasPrivateLink`.
 */
export interface MongoDbAtlasPrivateLinkProps {
  /**
   * The VPC of the interface endpoint. It must be in the AWS region of the cluster's nodes: Atlas
   * builds its endpoint service there. VPCs in other regions join with `addSpokeVpc`.
   */
  readonly vpc: ec2.IVpc;

  /** The Atlas project ID (24 hexadecimal characters), from Project Settings. */
  readonly projectId: string;

  /**
   * A Secrets Manager secret with an Atlas credential that has the Project Owner role on the
   * project: JSON `{"clientId": "...", "clientSecret": "..."}` for a service account
   * (recommended), or `{"publicKey": "...", "privateKey": "..."}` for an API key. Read at deploy
   * time by the handler; it never enters the template.
   */
  readonly credentials: secretsmanager.ISecret;

  /**
   * Candidate subnets of the endpoint (kept only in AZs the service supports). Atlas advises
   * subnets in several AZs. EC2 creates an interface endpoint in at most one subnet per AZ.
   *
   * @default - the VPC's private subnets (with egress, else isolated), one per AZ
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * The private-endpoint host of your cluster, from Atlas's private connection string, such as
   * `pl-0-us-east-1.ab1cd.mongodb.net`: with it, a `PrivateLinkProbe` checks from inside the VPC
   * (and each spoke) that the host resolves to the endpoint and answers TLS on `probePort`.
   *
   * @default - no probe: the host is known only once a cluster uses the endpoint
   */
  readonly probeHostname?: string;

  /**
   * The port the probe connects to: one of the cluster's nodes.
   *
   * @default 1024
   */
  readonly probePort?: number;

  /**
   * How the probe behaves (with `probeHostname`).
   *
   * @default - a deploy-time check that reports without failing, and a canary every 5 minutes
   */
  readonly probe?: LinkProbeOptions;

  /**
   * Add stack outputs, with logical IDs of this construct's ID and the output's name (see the
   * README, "Stack outputs"): `EndpointId`, `EndpointServiceName` and `EndpointServiceId`.
   *
   * @default false
   */
  readonly outputs?: boolean;
}

/**
 * MongoDB Atlas over AWS PrivateLink, with Atlas's handshake in both directions: asks Atlas for
 * the project's endpoint service in the VPC's region (adopting the one that exists) and waits
 * until it is built, creates the interface endpoint to it (private DNS off: Atlas publishes the
 * `-pl-` hostnames in public DNS as CNAMEs to the endpoint), registers the endpoint's ID with
 * Atlas and waits until Atlas reports it AVAILABLE.
 *
 * The endpoint's security group opens TCP 1024–65535 (Atlas gives each node a port from that
 * range and may change it) to no one until you name the clients:
 * `atlas.connections.allowDefaultPortFrom(appSecurityGroup)` or `allowFrom(peer, why)`.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * declare const credentials: secretsmanager.ISecret;
 * declare const app: ec2.ISecurityGroup;
 * const atlas = new MongoDbAtlasPrivateLink(this, 'Atlas', {
 *   vpc,
 *   projectId: '0123456789abcdef01234567',
 *   credentials,
 * });
 * atlas.connections.allowDefaultPortFrom(app);
 */
export class MongoDbAtlasPrivateLink extends Construct implements ec2.IConnectable {
  /** The TCP ports Atlas's endpoint service uses: 1024 to 65535. */
  public static readonly PORT_RANGE_START = ATLAS_PORTS.fromPort;
  /** The last port of Atlas's range. */
  public static readonly PORT_RANGE_END = ATLAS_PORTS.toPort;

  /** The interface endpoint. */
  public readonly endpoint: PrivateLinkEndpoint;
  /** The endpoint's ID (`vpce-…`), registered with Atlas. */
  public readonly vpcEndpointId: string;
  /** Atlas's endpoint service name, read at deploy time. */
  public readonly endpointServiceName: string;
  /** Atlas's ID of its endpoint service (24 hex), read at deploy time. */
  public readonly endpointServiceId: string;
  /** Network access to the endpoint: the default port is the whole range 1024–65535. */
  public readonly connections: ec2.Connections;
  /** The VPC's probe (with `probeHostname`, unless `probe.enabled` is false). */
  public readonly probe?: PrivateLinkProbe;

  private readonly probeHostname?: string;
  private readonly probePort: number;
  private readonly probeOptions?: LinkProbeOptions;

  constructor(scope: Construct, id: string, props: MongoDbAtlasPrivateLinkProps) {
    super(scope, id);
    this.validate(props);
    this.probeHostname = props.probeHostname;
    this.probePort = props.probePort ?? FIRST_ATLAS_PORT;
    this.probeOptions = props.probe;

    const handler = singletonHandler(this, 'MongoDbAtlasPrivateLinkApi', AtlasPrivatelinkFunction, {
      description: 'cdk-saas-privatelink: MongoDB Atlas private endpoints (endpoint service, endpoint registration)',
      timeout: HANDLER_TIMEOUT,
    });
    props.credentials.grantRead(handler);
    const common = { ApiUrl: ATLAS_API, ProjectId: props.projectId, CredentialSecretArn: props.credentials.secretArn };

    const service = new CustomResource(this, 'EndpointService', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::MongoDbAtlasEndpointService',
      serviceTimeout: serviceTimeoutFor(HANDLER_TIMEOUT),
      // The VPC's region in AWS's spelling; the handler writes it the Atlas way (US_EAST_1).
      properties: { ...common, Region: Stack.of(props.vpc).region },
    });
    // Deletes still call Atlas: keep the handler's permissions until then.
    if (handler.role) service.node.addDependency(handler.role);
    this.endpointServiceName = service.getAttString('ServiceName');
    this.endpointServiceId = service.getAttString('ServiceId');

    this.endpoint = new PrivateLinkEndpoint(this, 'Endpoint', {
      vpc: props.vpc,
      serviceName: this.endpointServiceName,
      subnets: props.subnets,
      portRange: ATLAS_PORTS,
      // Only the peers the user names: nothing is open by default.
      allowFromVpc: false,
      privateDnsEnabled: false,
    });
    this.vpcEndpointId = this.endpoint.vpcEndpointId;
    this.connections = this.endpoint.connections;

    const registration = new CustomResource(this, 'Registration', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::MongoDbAtlasEndpoint',
      serviceTimeout: serviceTimeoutFor(HANDLER_TIMEOUT),
      properties: { ...common, ServiceId: this.endpointServiceId, EndpointId: this.vpcEndpointId },
    });
    if (handler.role) registration.node.addDependency(handler.role);

    if (props.probeHostname) {
      this.probe = linkProbe(this, 'Probe', {
        hostname: props.probeHostname,
        port: this.probePort,
        vpc: props.vpc,
        endpoint: this.endpoint,
        endpointCidr: literalCidr(props.vpc) ?? props.vpc.vpcCidrBlock,
        after: [registration],
        owner: this,
      }, props.probe);
      if (this.probe) {
        this.endpoint.connections.allowFrom(this.probe.connectionsFor(props.vpc), ec2.Port.tcp(this.probePort),
          `The PrivateLink probe of ${this.node.path}, to one Atlas node`);
      }
    }

    addOutputs(this, props.outputs, {
      EndpointId: { description: 'VPC endpoint ID registered with MongoDB Atlas', value: this.vpcEndpointId },
      EndpointServiceName: { description: 'MongoDB Atlas endpoint service name', value: this.endpointServiceName },
      EndpointServiceId: { description: 'MongoDB Atlas endpoint service ID (Network Access > Private Endpoint)', value: this.endpointServiceId },
    });
  }

  /**
   * Opens Atlas's port range (1024–65535) on the endpoint to a client, such as an application's
   * security group or a CIDR block.
   *
   * @param peer who may connect
   * @param description why, for the security group rule
   */
  public allowFrom(peer: ec2.IPeer, description: string): void {
    this.endpoint.allowFrom(peer, description);
  }

  /**
   * Joins another VPC of this account (this region or another) over VPC peering, the way Atlas's
   * guide describes for VPCs outside the endpoint's region: the peering, routes both ways and
   * the endpoint's rule for the spoke's CIDR block (the port range). No DNS is needed: Atlas's
   * `-pl-` hostnames resolve in public DNS to the endpoint's addresses. With `probeHostname`, the
   * spoke gets a probe too. Stacks and names as `SpokePeering` describes.
   *
   * @param id construct ID of the peering
   * @param spokeVpc the VPC whose applications connect to Atlas
   */
  public addSpokeVpc(id: string, spokeVpc: ec2.IVpc): SpokePeering {
    return new SpokePeering(this, id, {
      endpoint: this.endpoint,
      spokeVpc,
      probeHostname: this.probe ? this.probeHostname : undefined,
      probePort: this.probePort,
      probe: this.probeOptions,
    });
  }

  private validate(props: MongoDbAtlasPrivateLinkProps): void {
    if (isLiteral(props.projectId) && !/^[0-9a-f]{24}$/.test(props.projectId)) {
      invalid(this, '`projectId` must be the Atlas project ID, 24 lowercase hexadecimal characters from Project Settings, ' +
        `got: ${show(props.projectId)}`);
    }
    if (typeof (props.credentials as unknown) === 'string' || typeof props.credentials?.secretArn !== 'string') {
      invalid(this, '`credentials` must be a Secrets Manager secret (ISecret) holding the service account or API key, never the value itself');
    }
    if (props.probeHostname !== undefined) {
      if (Token.isUnresolved(props.probeHostname) || !HOSTNAME.test(props.probeHostname)) {
        invalid(this, '`probeHostname` must be the cluster\'s private-endpoint host from its private connection string, ' +
          `"pl-<n>-<region>.<id>.mongodb.net" such as "pl-0-us-east-1.ab1cd.mongodb.net", got: ${show(props.probeHostname)}`);
      }
    }
    if (props.probeHostname === undefined && props.probe?.outputs) {
      invalid(this, '`probe.outputs` needs the probe, which needs `probeHostname` (the cluster\'s pl-… host), got none');
    }
    if (props.probePort !== undefined && !Token.isUnresolved(props.probePort) &&
      (!isPort(props.probePort) || props.probePort < ATLAS_PORTS.fromPort)) {
      invalid(this, `\`probePort\` must be one of Atlas's ports, an integer from ${ATLAS_PORTS.fromPort} to ${ATLAS_PORTS.toPort}, got: ${props.probePort}`);
    }
  }
}
