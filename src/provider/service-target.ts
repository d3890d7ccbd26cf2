import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';

/**
 * Options for an IP address target.
 */
export interface IpAddressTargetOptions {
  /**
   * The Availability Zone of the IP address.
   *
   * Use `all` for an address outside the load balancer's VPC (a peered VPC or
   * an on-premises network); leave it unset for an address inside the VPC.
   *
   * @default - the load balancer finds the zone from the VPC's subnets
   */
  readonly availabilityZone?: string;
}

/**
 * What a `PrivateLinkService` port forwards to: IP addresses, EC2 instances,
 * an Application Load Balancer, or any Network Load Balancer target.
 *
 * @example
 * declare const tunnel: ec2.IInstance;
 * const targets = [
 *   ServiceTarget.ipAddress('10.0.3.25'),
 *   ServiceTarget.instance(tunnel),
 * ];
 */
export class ServiceTarget {
  /**
   * An IPv4 address, inside the VPC or (with `availabilityZone: 'all'`) outside it.
   */
  public static ipAddress(ipAddress: string, options: IpAddressTargetOptions = {}): ServiceTarget {
    return new ServiceTarget(
      elbv2.TargetType.IP,
      `IP address ${JSON.stringify(ipAddress)}`,
      (port) => new targets.IpTarget(ipAddress, port, options.availabilityZone),
      undefined,
      ipAddress,
    );
  }

  /**
   * An EC2 instance, such as an SSH tunnel host.
   *
   * The instance's security groups are opened to the load balancer on the target port.
   */
  public static instance(instance: ec2.IInstance): ServiceTarget {
    return new ServiceTarget(
      elbv2.TargetType.INSTANCE,
      `instance ${instance.node.path}`,
      (port) => new targets.InstanceIdTarget(instance.instanceId, port),
      instance,
    );
  }

  /**
   * An Application Load Balancer. The ALB must have a listener on the exposed target port.
   *
   * The health check defaults to HTTP on the traffic port, as ALB targets require.
   */
  public static applicationLoadBalancer(loadBalancer: elbv2.IApplicationLoadBalancer): ServiceTarget {
    return new ServiceTarget(
      elbv2.TargetType.ALB,
      `application load balancer ${loadBalancer.node.path}`,
      (port) => new targets.AlbArnTarget(loadBalancer.loadBalancerArn, port),
    );
  }

  /**
   * Any Network Load Balancer target, for what the other factories do not cover.
   *
   * @param target the target
   * @param targetType the target type the target registers as (all targets of a port must share one)
   */
  public static of(target: elbv2.INetworkLoadBalancerTarget, targetType: elbv2.TargetType): ServiceTarget {
    return new ServiceTarget(targetType, `custom ${targetType} target`, () => target);
  }

  /**
   * The target type this target registers as.
   */
  public readonly targetType: elbv2.TargetType;

  /** @internal */
  public readonly _description: string;

  /** @internal */
  public readonly _connectable?: ec2.IConnectable;

  /** @internal */
  public readonly _ipAddress?: string;

  private readonly bindTo: (port: number) => elbv2.INetworkLoadBalancerTarget;

  private constructor(
    targetType: elbv2.TargetType,
    description: string,
    bindTo: (port: number) => elbv2.INetworkLoadBalancerTarget,
    connectable?: ec2.IConnectable,
    ipAddress?: string,
  ) {
    this.targetType = targetType;
    this._description = description;
    this.bindTo = bindTo;
    this._connectable = connectable;
    this._ipAddress = ipAddress;
  }

  /**
   * The Network Load Balancer target for the given target port.
   *
   * @internal
   */
  public _toNetworkTarget(port: number): elbv2.INetworkLoadBalancerTarget {
    return this.bindTo(port);
  }
}
