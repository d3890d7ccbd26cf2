import type * as rds from 'aws-cdk-lib/aws-rds';

/**
 * The DNS name a `HostnameTargetSync` follows, and the RDS events that make it run at once.
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
   */
  public static of(hostname: string): SyncedHostname {
    return new SyncedHostname(hostname);
  }

  /**
   * The writer (cluster) endpoint of an Aurora or Multi-AZ DB cluster; the sync also runs
   * on the cluster's failover and maintenance events.
   */
  public static databaseClusterWriter(cluster: rds.IDatabaseCluster): SyncedHostname {
    return new SyncedHostname(cluster.clusterEndpoint.hostname, 'RDS DB Cluster Event', cluster.clusterIdentifier);
  }

  /**
   * The reader endpoint of an Aurora cluster. It answers one reader address per lookup
   * (round robin), so each run unites several lookups; the sync also runs on the cluster's
   * failover and maintenance events.
   */
  public static databaseClusterReaders(cluster: rds.IDatabaseCluster): SyncedHostname {
    return new SyncedHostname(cluster.clusterReadEndpoint.hostname, 'RDS DB Cluster Event', cluster.clusterIdentifier);
  }

  /**
   * The endpoint of an RDS DB instance; the sync also runs on the instance's failover and
   * maintenance events (a Multi-AZ failover moves the address).
   */
  public static databaseInstance(instance: rds.IDatabaseInstance): SyncedHostname {
    return new SyncedHostname(instance.dbInstanceEndpointAddress, 'RDS DB Instance Event', instance.instanceIdentifier);
  }

  /**
   * The default endpoint of an RDS Proxy, followed on the schedule only.
   */
  public static databaseProxy(proxy: rds.IDatabaseProxy): SyncedHostname {
    return new SyncedHostname(proxy.endpoint);
  }

  /** The DNS name. */
  public readonly hostname: string;

  /** @internal */
  public readonly _rdsDetailType?: string;

  /** @internal */
  public readonly _rdsSourceIdentifier?: string;

  private constructor(hostname: string, rdsDetailType?: string, rdsSourceIdentifier?: string) {
    this.hostname = hostname;
    this._rdsDetailType = rdsDetailType;
    this._rdsSourceIdentifier = rdsSourceIdentifier;
  }
}
