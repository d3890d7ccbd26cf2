import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { ServiceTarget } from '../../provider/service-target';
import { SyncedHostname } from '../../provider/synced-hostname';

/** Rivery's SSH tunnel connections go to port 22 of the tunnel instance. */
const SSH_PORT = 22;

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
   * `HostnameTargetSync`. The cluster's security group is opened to the load balancer's subnets.
   */
  public static auroraCluster(cluster: rds.IDatabaseCluster): RiveryTarget {
    return new RiveryTarget(`Aurora cluster ${cluster.node.path}`, cluster.clusterEndpoint.port,
      SyncedHostname.databaseClusterWriter(cluster), undefined, cluster);
  }

  /**
   * The reader endpoint of an Aurora cluster (every reader, kept in sync), for read-only
   * replication from the readers. The cluster's security group is opened to the load balancer's subnets.
   */
  public static auroraClusterReaders(cluster: rds.IDatabaseCluster): RiveryTarget {
    return new RiveryTarget(`Aurora cluster readers ${cluster.node.path}`, cluster.clusterReadEndpoint.port,
      SyncedHostname.databaseClusterReaders(cluster), undefined, cluster);
  }

  /**
   * An RDS DB instance, followed through Multi-AZ failovers by a `HostnameTargetSync`. The
   * instance's security group is opened to the load balancer's subnets.
   */
  public static databaseInstance(instance: rds.IDatabaseInstance): RiveryTarget {
    return new RiveryTarget(`DB instance ${instance.node.path}`, instance.instanceEndpoint.port,
      SyncedHostname.databaseInstance(instance), undefined, instance);
  }

  /**
   * An RDS Proxy (Rivery's "proxy instance" option), its endpoint followed by a
   * `HostnameTargetSync`. Its security group is opened when the proxy is a `DatabaseProxy`
   * of this app; for an imported proxy, open it to the load balancer yourself.
   */
  public static databaseProxy(proxy: rds.IDatabaseProxy): RiveryTarget {
    const connectable = 'connections' in proxy ? (proxy as unknown as ec2.IConnectable) : undefined;
    return new RiveryTarget(`RDS Proxy ${proxy.node.path}`, undefined, SyncedHostname.databaseProxy(proxy), undefined, connectable);
  }

  /**
   * An EC2 instance Rivery reaches over SSH (port 22) to tunnel to the database. The
   * instance's security group is opened on the port to the load balancer's subnets.
   */
  public static sshTunnel(instance: ec2.IInstance): RiveryTarget {
    return new RiveryTarget(`SSH tunnel ${instance.node.path}`, SSH_PORT, undefined, instance, undefined);
  }

  /** @internal */
  public readonly _description: string;

  /** The port the target listens on, when known (it may be a deploy-time value). @internal */
  public readonly _port?: number;

  /** The DNS name to keep the target group in sync with; undefined for an instance target. @internal */
  public readonly _hostname?: SyncedHostname;

  /** @internal */
  public readonly _connectable?: ec2.IConnectable;

  private readonly instance?: ec2.IInstance;

  private constructor(
    description: string,
    port: number | undefined,
    hostname: SyncedHostname | undefined,
    instance: ec2.IInstance | undefined,
    connectable: ec2.IConnectable | undefined,
  ) {
    this._description = description;
    this._port = port;
    this._hostname = hostname;
    this.instance = instance;
    this._connectable = connectable;
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
