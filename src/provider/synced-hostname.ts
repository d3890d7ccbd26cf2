import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as rds from 'aws-cdk-lib/aws-rds';

/**
 * Options of a `SyncedHostname`.
 */
export interface SyncedHostnameOptions {
  /**
   * What the name points at, when it has security groups this app can change (a security
   * group, a database, an RDS Proxy). A `HostnameTargetSync` opens them to the load balancer
   * on its port, unless its `allowTargetAccess` is false.
   *
   * @default - for the RDS factories, the database or proxy itself; for `of()`, nothing is
   * opened (allow the load balancer yourself)
   */
  readonly target?: ec2.IConnectable;
}

/**
 * The DNS name a `HostnameTargetSync` follows, the RDS events that make it run at once, and
 * the security groups opened to the load balancer.
 *
 * @example
 * declare const cluster: rds.IDatabaseCluster;
 * const writer = SyncedHostname.databaseClusterWriter(cluster);
 * const other = SyncedHostname.of('db.internal.example.com');
 */
export class SyncedHostname {
  /**
   * Any DNS name, followed on the schedule only.
   *
   * @param hostname a DNS name, not an IP address
   * @param options what the name points at
   */
  public static of(hostname: string, options: SyncedHostnameOptions = {}): SyncedHostname {
    return new SyncedHostname(hostname, options.target);
  }

  /**
   * The writer (cluster) endpoint of an Aurora or Multi-AZ DB cluster; the sync also runs
   * on the cluster's failover and maintenance events. The cluster's security groups are
   * opened to the load balancer.
   */
  public static databaseClusterWriter(cluster: rds.IDatabaseCluster): SyncedHostname {
    return new SyncedHostname(cluster.clusterEndpoint.hostname, cluster, 'RDS DB Cluster Event', cluster.clusterIdentifier);
  }

  /**
   * The reader endpoint of an Aurora cluster. It answers one reader address per lookup
   * (round robin), so each run unites several lookups; the sync also runs on the cluster's
   * failover and maintenance events. The cluster's security groups are opened to the load balancer.
   */
  public static databaseClusterReaders(cluster: rds.IDatabaseCluster): SyncedHostname {
    return new SyncedHostname(cluster.clusterReadEndpoint.hostname, cluster, 'RDS DB Cluster Event', cluster.clusterIdentifier);
  }

  /**
   * The endpoint of an RDS DB instance; the sync also runs on the instance's failover and
   * maintenance events (a Multi-AZ failover moves the address). The instance's security
   * groups are opened to the load balancer.
   */
  public static databaseInstance(instance: rds.IDatabaseInstance): SyncedHostname {
    return new SyncedHostname(instance.dbInstanceEndpointAddress, instance, 'RDS DB Instance Event', instance.instanceIdentifier);
  }

  /**
   * The default endpoint of an RDS Proxy, followed on the schedule only. The proxy's security
   * groups are opened to the load balancer: a `DatabaseProxy` of this app opens itself; an
   * imported proxy has none this app knows, so give them in `options.target`.
   *
   * @param proxy the proxy
   * @param options the proxy's security groups, for an imported proxy
   */
  public static databaseProxy(proxy: rds.IDatabaseProxy, options: SyncedHostnameOptions = {}): SyncedHostname {
    const own = 'connections' in proxy ? (proxy as unknown as ec2.IConnectable) : undefined;
    return new SyncedHostname(proxy.endpoint, options.target ?? own);
  }

  /** The DNS name. */
  public readonly hostname: string;

  /**
   * What the name points at, opened to the load balancer by a `HostnameTargetSync`; undefined
   * when this app cannot change its security groups.
   */
  public readonly target?: ec2.IConnectable;

  /** @internal */
  public readonly _rdsDetailType?: string;

  /** @internal */
  public readonly _rdsSourceIdentifier?: string;

  private constructor(hostname: string, target?: ec2.IConnectable, rdsDetailType?: string, rdsSourceIdentifier?: string) {
    this.hostname = hostname;
    this.target = target;
    this._rdsDetailType = rdsDetailType;
    this._rdsSourceIdentifier = rdsSourceIdentifier;
  }
}
