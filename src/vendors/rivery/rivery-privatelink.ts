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
   * What Rivery connects to. Give either `target` or `targets`.
   *
   * @default - none; `targets` is required instead
   */
  readonly target?: RiveryTarget;

  /**
   * Several things Rivery connects to behind one endpoint service (one connection request),
   * such as an RDS Proxy and an SSH tunnel, each on its own port (set with the factories'
   * `port` option where the target's own is not known or is shared). Give either `target` or `targets`.
   *
   * @default - none; `target` is required instead
   */
  readonly targets?: RiveryTarget[];

  /**
   * The port Rivery connects to on `target`, which is also the port it listens on. With
   * `targets`, give each target's port with the factories' `port` option instead.
   *
   * @default - the target's port when it is known at synth (22 for an SSH tunnel; a DB cluster's
   * or instance's port when it is a literal); required otherwise, always for an RDS Proxy
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
   * The subnets of the load balancer: private, at most one per Availability Zone.
   *
   * @default - one private subnet per Availability Zone (with egress, else isolated), from the
   * first such subnet group of the VPC
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The subnets of the hostname sync function (database targets only). They need a route to
   * the Elastic Load Balancing API: a NAT gateway or an interface endpoint.
   *
   * @default - the VPC's private subnets (with egress, else isolated)
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
 * with proxy protocol v2, client-IP preservation and stickiness all off, and an endpoint service
 * that allows Rivery's principal and requires acceptance.
 *
 * A database target (RDS instance, Aurora cluster, RDS Proxy) gets an IP target group kept in
 * sync with its DNS name by a `HostnameTargetSync`, so failovers need no change; an SSH tunnel
 * is an instance target. The database's security group is opened only to the load balancer's
 * subnets. Send the endpoint service name (`endpointServiceName`) to Rivery; with
 * `outputs: true`, stack outputs say what to send Rivery and what to do next.
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

  /** The hostname sync of the first database target; undefined when there is none. */
  public readonly sync?: HostnameTargetSync;

  /** The hostname syncs of the database targets, in the order of the targets. */
  public readonly syncs: HostnameTargetSync[] = [];

  /** Network access of the load balancer toward the targets. */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: RiveryPrivateLinkProps) {
    super(scope, id);

    const listeners = this.resolveListeners(props);
    this.service = new PrivateLinkService(this, 'Service', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      allowedPrincipals: props.allowedPrincipals ?? [RIVERY_PRINCIPAL],
      allowedRegions: props.allowedRegions,
      crossZoneEnabled: true,
      acceptanceRequired: true,
      autoAccept: props.autoAccept,
      ports: listeners.map(({ target, port }) => ({
        port,
        targets: target._serviceTargets(),
        ipTargetsSyncedExternally: target._hostname !== undefined,
        proxyProtocolV2: false,
        preserveClientIp: false,
        stickiness: false,
      })),
    });
    this.endpointServiceName = this.service.endpointServiceName;
    this.connections = this.service.connections;

    for (const { target, port } of listeners) {
      const hostname = target._hostname;
      if (!hostname) continue;
      // The sync opens the database or proxy to the load balancer (HostnameTargetSync's allowTargetAccess).
      this.syncs.push(new HostnameTargetSync(this, this.syncs.length === 0 ? 'Sync' : `Sync${port}`, {
        vpc: props.vpc,
        vpcSubnets: props.syncSubnets,
        hostname,
        targetGroup: this.service.targetGroupFor(port),
        port,
        alarmTopic: props.alarmTopic,
      }));
      if (!hostname.target) {
        Annotations.of(this).addWarningV2('cdk-saas-privatelink:openTargetYourself',
          `${target._description} has no security group this app can change: allow TCP ${port} from the load balancer's subnets yourself.`);
      }
    }
    this.sync = this.syncs[0];

    const serviceNameOutput = `${this.node.id.replace(/[^A-Za-z0-9]/g, '')}EndpointServiceName`;
    const ports = listeners.map(({ target, port }) => `${port}${target._hostname ? '' : ' as the SSH tunnel host'}`).join(', ');
    addOutputs(this, props.outputs, {
      EndpointServiceName: { description: 'VPC endpoint service name: send it to Rivery support', value: this.endpointServiceName },
      NextSteps: {
        description: 'What to do after the deploy',
        value: `1. Send the endpoint service name (output ${serviceNameOutput}) to Rivery support. ` +
        `2. Rivery sends a connection request: ${props.autoAccept
          ? 'it is accepted automatically.'
          : 'accept it in the VPC console (Endpoint services > this service > Endpoint connections > Accept).'} ` +
        `3. Rivery sends the hostname to use in your Rivery connection (port ${ports}).`,
      },
    });
  }

  private resolveListeners(props: RiveryPrivateLinkProps): { target: RiveryTarget; port: number }[] {
    if ((props.target === undefined) === (props.targets === undefined)) {
      invalid(this, `Give exactly one of \`target\` and \`targets\`, got: ${props.target ? 'both' : 'neither'}`);
    }
    if (props.targets) {
      if (props.targets.length === 0) {
        invalid(this, '`targets` must name at least one target, got: []');
      }
      if (props.port !== undefined) {
        invalid(this, '`port` applies to `target` only; with `targets`, give each target its port ' +
          `with the factory's \`port\` option, such as RiveryTarget.databaseProxy(proxy, { port: 5432 }), got: ${props.port}`);
      }
    }
    const listeners = (props.targets ?? [props.target!]).map((target) => ({ target, port: this.resolvePort(target, props.port) }));
    const seen = new Map<number, RiveryTarget>();
    for (const { target, port } of listeners) {
      const other = seen.get(port);
      if (other) {
        invalid(this, `\`targets\` must each have their own port (one listener per port), got port ${port} for ` +
          `${other._description} and ${target._description}; set another with the factory's \`port\` option`);
      }
      seen.set(port, target);
    }
    return listeners;
  }

  private resolvePort(target: RiveryTarget, given?: number): number {
    if (given !== undefined && Token.isUnresolved(given)) {
      invalid(this, '`port` must be a number known at synth (the listener and target group are built from it), ' +
        'got: a deploy-time value');
    }
    const port = given ?? target._port;
    if (port === undefined || Token.isUnresolved(port)) {
      invalid(this, `\`port\` is required for ${target._description}: its port is not known at synth, ` +
        `got: ${port === undefined ? 'undefined' : 'a deploy-time value'}; give the port the database listens on, such as 5432 (\`port\`, or with \`targets\` the factory's \`port\` option)`);
    }
    if (!isPort(port)) {
      invalid(this, `\`port\` must be an integer from 1 to 65535, got: ${port}`);
    }
    return port;
  }
}
