import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { ServiceTarget } from '../../provider/service-target';
import { SyncedHostname } from '../../provider/synced-hostname';

/** Rivery's SSH tunnel connections go to port 22 of the tunnel instance. */
const SSH_PORT = 22;

/**
 * Options of a `RiveryTarget`.
 */
export interface RiveryTargetOptions {
  /**
   * The port Rivery connects to, which is also the port the target listens on. Each target
   * of a `RiveryPrivateLink` needs its own port.
   *
   * @default - the target's port when it is known at synth (22 for an SSH tunnel; a DB cluster's
   * or instance's port when it is a literal); required otherwise, always for an RDS Proxy
   */
  readonly port?: number;
}

/**
 * Options of an RDS Proxy target.
 */
export interface RiveryProxyTargetOptions extends RiveryTargetOptions {
  /**
   * The proxy's security groups, opened to the load balancer on the port.
   *
   * @default - a `DatabaseProxy` of this app opens its own; an imported proxy is not opened
   * (a warning says so)
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * What a `RiveryPrivateLink` exposes to Rivery: an RDS database or Aurora cluster (its
 * addresses kept in sync with its DNS name), an RDS Proxy, or an EC2 SSH tunnel instance.
 *
 * @example
 * declare const cluster: rds.IDatabaseCluster;
 * declare const tunnel: ec2.IInstance;
 * const aurora = RiveryTarget.auroraCluster(cluster);
 * const ssh = RiveryTarget.sshTunnel(tunnel);
 */
export class RiveryTarget {
  /**
   * The writer endpoint of an Aurora (or Multi-AZ DB) cluster, followed through failovers by a
   * `HostnameTargetSync`. The cluster's security groups are opened to the load balancer.
   */
  public static auroraCluster(cluster: rds.IDatabaseCluster, options: RiveryTargetOptions = {}): RiveryTarget {
    return new RiveryTarget(`Aurora cluster ${cluster.node.path}`, options.port ?? cluster.clusterEndpoint.port,
      SyncedHostname.databaseClusterWriter(cluster), undefined);
  }

  /**
   * The reader endpoint of an Aurora cluster (every reader, kept in sync), for read-only
   * replication from the readers. The cluster's security groups are opened to the load balancer.
   */
  public static auroraClusterReaders(cluster: rds.IDatabaseCluster, options: RiveryTargetOptions = {}): RiveryTarget {
    return new RiveryTarget(`Aurora cluster readers ${cluster.node.path}`, options.port ?? cluster.clusterReadEndpoint.port,
      SyncedHostname.databaseClusterReaders(cluster), undefined);
  }

  /**
   * An RDS DB instance, followed through Multi-AZ failovers by a `HostnameTargetSync`. The
   * instance's security groups are opened to the load balancer.
   */
  public static databaseInstance(instance: rds.IDatabaseInstance, options: RiveryTargetOptions = {}): RiveryTarget {
    return new RiveryTarget(`DB instance ${instance.node.path}`, options.port ?? instance.instanceEndpoint.port,
      SyncedHostname.databaseInstance(instance), undefined);
  }

  /**
   * An RDS Proxy (Rivery's "proxy instance" option), its endpoint followed by a
   * `HostnameTargetSync`. Its security groups are opened to the load balancer: a `DatabaseProxy`
   * of this app's own, or those given in `options.securityGroups` for an imported proxy.
   */
  public static databaseProxy(proxy: rds.IDatabaseProxy, options: RiveryProxyTargetOptions = {}): RiveryTarget {
    const groups = options.securityGroups;
    const target = groups && groups.length > 0 ? new ec2.Connections({ securityGroups: groups }) : undefined;
    return new RiveryTarget(`RDS Proxy ${proxy.node.path}`, options.port, SyncedHostname.databaseProxy(proxy, { target }), undefined);
  }

  /**
   * An EC2 instance Rivery reaches over SSH (port 22) to tunnel to the database. The
   * instance's security group is opened on the port to the load balancer's subnets.
   */
  public static sshTunnel(instance: ec2.IInstance, options: RiveryTargetOptions = {}): RiveryTarget {
    return new RiveryTarget(`SSH tunnel ${instance.node.path}`, options.port ?? SSH_PORT, undefined, instance);
  }

  /** @internal */
  public readonly _description: string;

  /** The port the target listens on, when known (it may be a deploy-time value). @internal */
  public readonly _port?: number;

  /** The DNS name to keep the target group in sync with; undefined for an instance target. @internal */
  public readonly _hostname?: SyncedHostname;

  private readonly instance?: ec2.IInstance;

  private constructor(
    description: string,
    port: number | undefined,
    hostname: SyncedHostname | undefined,
    instance: ec2.IInstance | undefined,
  ) {
    this._description = description;
    this._port = port;
    this._hostname = hostname;
    this.instance = instance;
  }

  /**
   * The fixed targets of the port; none for a database, whose addresses a sync registers.
   *
   * @internal
   */
  public _serviceTargets(): ServiceTarget[] {
    return this.instance ? [ServiceTarget.instance(this.instance)] : [];
  }
}
