import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { RiveryTarget } from './rivery-target';
import { addOutputs } from '../../internal/outputs';
import { invalid, isPort } from '../../internal/validation';
import { HostnameTargetSync } from '../../provider/hostname-target-sync';
import { PrivateLinkService } from '../../provider/privatelink-service';
import type { AutoAcceptOptions } from '../../provider/privatelink-service-props';

/** Rivery's AWS principal, from Rivery's PrivateLink set-up guide. */
const RIVERY_PRINCIPAL = 'arn:aws:iam::012922587834:root';

/**
 * Properties of a `RiveryPrivateLink`.
 */
export interface RiveryPrivateLinkProps {
  /**
   * The VPC of the database or SSH tunnel.
   */
  readonly vpc: ec2.IVpc;

  /**
   * What Rivery connects to.
   */
  readonly target: RiveryTarget;

  /**
   * The port Rivery connects to, which is also the port the target listens on.
   *
   * @default - the target's port when it is known at synth (22 for an SSH tunnel; a database's
   * port when it is a literal); required otherwise
   */
  readonly port?: number;

  /**
   * The principals allowed to connect.
   *
   * @default - Rivery's principal, `arn:aws:iam::012922587834:root`
   */
  readonly allowedPrincipals?: string[];

  /**
   * Regions from which Rivery may connect natively (cross-region PrivateLink), such as the
   * region of your Rivery console when it differs from the database's.
   *
   * @default - this region only
   */
  readonly allowedRegions?: string[];

  /**
   * The subnets of the load balancer.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The subnets of the hostname sync function (database targets only). They need a route to
   * the Elastic Load Balancing API: a NAT gateway or an interface endpoint.
   *
   * @default - the VPC's private subnets
   */
  readonly syncSubnets?: ec2.SubnetSelection;

  /**
   * Accept Rivery's connection request automatically.
   *
   * @default - you accept the request in the VPC console (Endpoint services, Endpoint connections)
   */
  readonly autoAccept?: AutoAcceptOptions;

  /**
   * An SNS topic told when the hostname sync fails.
   *
   * @default - the sync's errors alarm has no action
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Add stack outputs, with logical IDs of this construct's ID and the output's name (see
   * the README, "Stack outputs"): `EndpointServiceName` (send it to Rivery) and `NextSteps`.
   *
   * @default false
   */
  readonly outputs?: boolean;
}

/**
 * Connects Rivery to a database in your VPC over AWS PrivateLink, as Rivery's set-up guide
 * asks: an internal Network Load Balancer with cross-zone load balancing, a TCP target group
 * with proxy protocol v2, client-IP preservation and stickiness off, and an endpoint service
 * that allows Rivery's principal and requires acceptance.
 *
 * A database target (RDS instance, Aurora cluster, RDS Proxy) gets an IP target group kept in
 * sync with its DNS name by a `HostnameTargetSync`, so failovers need no change; an SSH tunnel
 * is an instance target. The database's security group is opened only to the load balancer's
 * subnets. The outputs say what to send Rivery and what to do next.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * declare const cluster: rds.IDatabaseCluster;
 *
 * new RiveryPrivateLink(this, 'Rivery', {
 *   vpc,
 *   target: RiveryTarget.auroraCluster(cluster),
 *   port: 5432,
 * });
 */
export class RiveryPrivateLink extends Construct implements ec2.IConnectable {
  /** Rivery's AWS principal, from Rivery's PrivateLink set-up guide (the default `allowedPrincipals`). */
  public static readonly PRINCIPAL = RIVERY_PRINCIPAL;

  /** The endpoint service name: send it to Rivery. */
  public readonly endpointServiceName: string;

  /** The load balancer and endpoint service. */
  public readonly service: PrivateLinkService;

  /** The hostname sync of a database target; undefined for an SSH tunnel. */
  public readonly sync?: HostnameTargetSync;

  /** Network access of the load balancer toward the target. */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: RiveryPrivateLinkProps) {
    super(scope, id);

    const port = this.resolvePort(props);
    const target = props.target;
    const hostname = target._hostname;

    this.service = new PrivateLinkService(this, 'Service', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      allowedPrincipals: props.allowedPrincipals ?? [RIVERY_PRINCIPAL],
      allowedRegions: props.allowedRegions,
      crossZoneEnabled: true,
      acceptanceRequired: true,
      autoAccept: props.autoAccept,
      ports: [{
        port,
        targets: target._serviceTargets(),
        ipTargetsSyncedExternally: hostname !== undefined,
        proxyProtocolV2: false,
        preserveClientIp: false,
        stickiness: false,
      }],
    });
    this.endpointServiceName = this.service.endpointServiceName;
    this.connections = this.service.connections;

    if (hostname) {
      this.sync = new HostnameTargetSync(this, 'Sync', {
        vpc: props.vpc,
        vpcSubnets: props.syncSubnets,
        hostname,
        targetGroup: this.service.targetGroupFor(port),
        port,
        alarmTopic: props.alarmTopic,
      });
    }
    if (target._connectable) {
      this.service.allowTargetAccess(target._connectable, ec2.Port.tcp(port));
    } else if (hostname) {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:openTargetYourself',
        `${target._description} has no security group this app can change: allow TCP ${port} from the load balancer's subnets yourself.`);
    }

    const serviceNameOutput = `${this.node.id.replace(/[^A-Za-z0-9]/g, '')}EndpointServiceName`;
    addOutputs(this, props.outputs, {
      EndpointServiceName: { description: 'VPC endpoint service name: send it to Rivery support', value: this.endpointServiceName },
      NextSteps: {
        description: 'What to do after the deploy',
        value: `1. Send the endpoint service name (output ${serviceNameOutput}) to Rivery support. ` +
        `2. Rivery sends a connection request: ${props.autoAccept
          ? 'it is accepted automatically.'
          : 'accept it in the VPC console (Endpoint services > this service > Endpoint connections > Accept).'} ` +
        `3. Rivery sends the hostname to use in your Rivery connection (port ${port}` +
        `${hostname ? '' : ', as the SSH tunnel host'}).`,
      },
    });
  }

  private resolvePort(props: RiveryPrivateLinkProps): number {
    if (props.port !== undefined && Token.isUnresolved(props.port)) {
      invalid(this, '`port` must be a number known at synth (the listener and target group are built from it), ' +
        'got: a deploy-time value');
    }
    const port = props.port ?? props.target._port;
    if (port === undefined || Token.isUnresolved(port)) {
      invalid(this, `\`port\` is required for ${props.target._description}: its port is not known at synth, ` +
        `got: ${port === undefined ? 'undefined' : 'a deploy-time value'}; give the port the database listens on, such as 5432`);
    }
    if (!isPort(port)) {
      invalid(this, `\`port\` must be an integer from 1 to 65535, got: ${port}`);
    }
    return port;
  }
}
