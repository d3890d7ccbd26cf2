import type { Duration, IResource } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { ServiceTarget } from './service-target';

/**
 * A connection event that an endpoint service can notify about.
 */
export enum ConnectionEvent {
  /** A consumer's connection request was accepted. */
  ACCEPT = 'Accept',
  /** A consumer asked to connect (the request is pending when acceptance is required). */
  CONNECT = 'Connect',
  /** A consumer deleted its endpoint. */
  DELETE = 'Delete',
  /** A consumer's connection request was rejected. */
  REJECT = 'Reject',
}

/**
 * What auto-accept does with a pending connection whose endpoint owner is not an allowed account.
 */
export enum UnlistedConnectionAction {
  /** Leave it pending, for a person to accept or reject. */
  LEAVE_PENDING = 'leave',
  /** Reject it. */
  REJECT = 'reject',
}

/**
 * Options for accepting endpoint connections automatically.
 */
export interface AutoAcceptOptions {
  /**
   * What to do with a pending connection from an account that is not one of `allowedPrincipals`'
   * accounts (possible when the allowlist was extended outside this app).
   *
   * @default UnlistedConnectionAction.LEAVE_PENDING
   */
  readonly unlistedConnections?: UnlistedConnectionAction;

  /**
   * How often pending connections are swept as well, in case a notification was missed.
   *
   * @default Duration.minutes(5)
   */
  readonly sweepInterval?: Duration;
}

/**
 * One port that a `PrivateLinkService` exposes: a listener and its target group.
 */
export interface ExposedPort {
  /**
   * The port consumers connect to (the load balancer listener's port).
   */
  readonly port: number;

  /**
   * The port the targets listen on.
   *
   * @default - the same as `port`
   */
  readonly targetPort?: number;

  /**
   * What the port forwards to. All targets of one port must share a target type.
   *
   * @default - no targets; then `ipTargetsSyncedExternally` must be true
   */
  readonly targets?: ServiceTarget[];

  /**
   * Create the target group as an empty IP target group, for addresses that another
   * construct (such as `HostnameTargetSync`) registers while the stack runs.
   *
   * @default false
   */
  readonly ipTargetsSyncedExternally?: boolean;

  /**
   * Prepend a proxy protocol v2 header to each connection.
   *
   * Most databases and SSH servers do not understand it; Rivery asks for it off.
   *
   * @default false
   */
  readonly proxyProtocolV2?: boolean;

  /**
   * Preserve the client's IP address.
   *
   * PrivateLink traffic always arrives from the load balancer's private addresses;
   * Rivery asks for this off.
   *
   * @default false
   */
  readonly preserveClientIp?: boolean;

  /**
   * Route a client to the same target for the life of its source IP (source-IP stickiness).
   *
   * @default false
   */
  readonly stickiness?: boolean;

  /**
   * Cross-zone load balancing for this target group.
   *
   * @default - inherited from the load balancer (`use_load_balancer_configuration`)
   */
  readonly crossZoneEnabled?: boolean;

  /**
   * How long the load balancer waits before it deregisters a draining target.
   *
   * @default - the target group leaves the attribute unset: Elastic Load Balancing's default, 300 seconds
   */
  readonly deregistrationDelay?: Duration;

  /**
   * Health check for the targets.
   *
   * @default - TCP on the target port; HTTP on the target port for Application Load Balancer targets
   */
  readonly healthCheck?: elbv2.HealthCheck;
}

/**
 * Properties of a `PrivateLinkService`.
 */
export interface PrivateLinkServiceProps {
  /**
   * The ports to expose, each with its targets.
   */
  readonly ports: ExposedPort[];

  /**
   * The AWS principals allowed to create endpoints to the service: 12-digit account IDs,
   * or IAM ARNs of an account root, a role or a user
   * (`arn:aws:iam::123456789012:root`, `arn:aws:iam::123456789012:role/name`).
   *
   * `*` is refused: name the vendor's principal.
   */
  readonly allowedPrincipals: string[];

  /**
   * The VPC of the load balancer and the target groups.
   *
   * @default - the VPC of `loadBalancer`; one of the two is required
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of the new load balancer: private, and at most one per Availability Zone (a
   * load balancer takes one subnet in each zone); a selection that breaks either rule is refused.
   * In a VPC with several private subnet groups, add `onePerAz: true` to a selection by type, or
   * select one group by name.
   *
   * @default - one private subnet per Availability Zone (with egress, else isolated), from the
   * first such subnet group of the VPC (`{ onePerAz: true }`)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * An existing internal Network Load Balancer to add the listeners to.
   *
   * @default - a new internal Network Load Balancer
   */
  readonly loadBalancer?: elbv2.INetworkLoadBalancer;

  /**
   * Cross-zone load balancing on the new load balancer.
   *
   * @default true
   */
  readonly crossZoneEnabled?: boolean;

  /**
   * Security groups for the new load balancer. They can only be attached when the
   * load balancer is created.
   *
   * @default - no security groups, as the vendors' set-up guides ask
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Whether the load balancer's security group rules also filter PrivateLink traffic.
   *
   * When on, PrivateLink traffic that the inbound rules do not allow is dropped without
   * any error the vendor can see. Only meaningful with `securityGroups`.
   *
   * @default false
   */
  readonly enforceSecurityGroupRulesOnPrivateLinkTraffic?: boolean;

  /**
   * Whether each connection request must be accepted before traffic flows.
   *
   * @default true
   */
  readonly acceptanceRequired?: boolean;

  /**
   * Regions from which consumers may connect natively (cross-region PrivateLink).
   * Must be in the stack's partition.
   *
   * @default - consumers connect from this region only
   */
  readonly allowedRegions?: string[];

  /**
   * An SNS topic told about connection events. The topic's policy is extended so that
   * the VPC endpoint service can publish to it.
   *
   * @default - no notifications; with `autoAccept`, a new encrypted topic that auto-accept listens to
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The connection events sent to `notificationTopic`.
   *
   * @default - Accept, Connect, Delete and Reject
   */
  readonly notificationEvents?: ConnectionEvent[];

  /**
   * Accept pending connections automatically when the endpoint's owner is the account of one of
   * `allowedPrincipals`, on each Connect notification and on a periodic sweep. Without a
   * `notificationTopic`, an encrypted topic is created for the notifications.
   *
   * @default - no auto-accept: you accept each connection request
   */
  readonly autoAccept?: AutoAcceptOptions;
  /**
   * Add stack outputs, with logical IDs of this construct's ID and the output's name (see
   * the README, "Stack outputs"): `EndpointServiceName` (send it to the vendor).
   *
   * @default false
   */
  readonly outputs?: boolean;
}

/**
 * A VPC endpoint service that exposes ports of something inside a VPC to named AWS
 * principals through an internal Network Load Balancer.
 */
export interface IPrivateLinkService extends IResource, ec2.IConnectable {
  /**
   * The service name consumers create their endpoints to, such as
   * `com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0`.
   *
   * @attribute
   */
  readonly endpointServiceName: string;

  /**
   * The ID of the endpoint service, such as `vpce-svc-0123456789abcdef0`.
   *
   * @attribute
   */
  readonly endpointServiceId: string;
}

/**
 * Attributes of an existing endpoint service, for `PrivateLinkService.fromPrivateLinkServiceAttributes`.
 */
export interface PrivateLinkServiceAttributes {
  /** The service name, such as `com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0`. */
  readonly endpointServiceName: string;

  /** The service ID, such as `vpce-svc-0123456789abcdef0`. */
  readonly endpointServiceId: string;

  /**
   * Security groups of the load balancer behind the service, for `connections`.
   *
   * @default - none
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The prefix list of the load balancer's subnets (`PrivateLinkService.subnetPrefixList` of the
   * service), for `connections` when the load balancer has no security group. Import it with
   * `ec2.PrefixList.fromPrefixListId`.
   *
   * @default - none; without `securityGroups` either, `connections` opens nothing
   */
  readonly subnetPrefixList?: ec2.IPrefixList;
}
