import { Annotations, Duration, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ConnectionAutoAccept } from './auto-accept';
import {
  ConnectionEvent, ExposedPort, IPrivateLinkService, PrivateLinkServiceAttributes, PrivateLinkServiceProps, UnlistedConnectionAction,
} from './privatelink-service-props';
import { addOutputs } from '../internal/outputs';
import { selectPrivateSubnets } from '../internal/subnets';
import {
  invalid, isAccountId, isIamPrincipalArn, isLiteral, isPort, isRegionName, partitionOf, show,
} from '../internal/validation';

/** Network Load Balancers accept at most this many listeners. */
const MAX_LISTENERS = 50;


/**
 * Exposes one or more ports of something inside a VPC (a database, an SSH tunnel,
 * an internal service) to named AWS principals through AWS PrivateLink.
 *
 * Creates an internal Network Load Balancer with cross-zone load balancing, one listener
 * and target group per port with proxy protocol v2, client-IP preservation and
 * stickiness off, and a VPC endpoint service that requires acceptance and allows only
 * the named principals. The service name is a stack output: send it to the vendor.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * declare const tunnel: ec2.IInstance;
 *
 * new PrivateLinkService(this, 'ToVendor', {
 *   vpc,
 *   allowedPrincipals: ['arn:aws:iam::012922587834:root'],
 *   ports: [
 *     { port: 5432, targets: [ServiceTarget.ipAddress('10.0.3.25')] },
 *     { port: 22, targets: [ServiceTarget.instance(tunnel)] },
 *   ],
 * });
 */
export class PrivateLinkService extends Resource implements IPrivateLinkService {
  /**
   * An endpoint service created elsewhere (another stack, or by hand).
   *
   * @param scope the scope of the import
   * @param id its construct ID
   * @param attrs the service's attributes
   */
  public static fromPrivateLinkServiceAttributes(scope: Construct, id: string, attrs: PrivateLinkServiceAttributes): IPrivateLinkService {
    class Import extends Resource implements IPrivateLinkService {
      public readonly endpointServiceName = attrs.endpointServiceName;
      public readonly endpointServiceId = attrs.endpointServiceId;
      public readonly connections = new ec2.Connections({ securityGroups: attrs.securityGroups ?? [] });
    }
    return new Import(scope, id);
  }

  public readonly endpointServiceName: string;
  public readonly endpointServiceId: string;

  /** The Network Load Balancer behind the endpoint service. */
  public readonly loadBalancer: elbv2.INetworkLoadBalancer;

  /** The endpoint service. */
  public readonly endpointService: ec2.VpcEndpointService;

  /** One target group per exposed port, in the order of `ports`. */
  public readonly targetGroups: elbv2.NetworkTargetGroup[] = [];

  /** One listener per exposed port, in the order of `ports`. */
  public readonly listeners: elbv2.NetworkListener[] = [];

  /**
   * Network access of the load balancer toward its targets. PrivateLink traffic reaches the
   * targets from the load balancer's private addresses, so this is the load balancer's
   * security groups when it has them, otherwise `subnetPrefixList` (its subnets' CIDR blocks).
   * Open a target with `target.connections.allowFrom(service, ec2.Port.tcp(port))` or
   * `allowTargetAccess(target, port)`.
   */
  public readonly connections: ec2.Connections;

  /**
   * A managed prefix list of the load balancer's subnets' CIDR blocks, where its traffic comes
   * from; the peer of `connections` when the load balancer has no security group.
   *
   * @default - undefined when the load balancer has security groups, or was given
   */
  public readonly subnetPrefixList?: ec2.IPrefixList;

  private readonly vpc: ec2.IVpc;
  private readonly listenerPorts: number[] = [];

  constructor(scope: Construct, id: string, props: PrivateLinkServiceProps) {
    super(scope, id);

    const vpc = props.vpc ?? props.loadBalancer?.vpc;
    if (!vpc) {
      invalid(this, '`vpc` is required when `loadBalancer` is not given or has no VPC, got: undefined');
    }
    this.vpc = vpc;
    const principalArns = this.validatePrincipals(props.allowedPrincipals);
    this.validatePorts(props.ports);
    this.validateRegions(props.allowedRegions);
    const subnets = props.loadBalancer ? undefined : selectPrivateSubnets(this, vpc, props.vpcSubnets, 'the load balancer is internal');
    if (props.loadBalancer) {
      this.validateGivenLoadBalancer(props);
    }
    if (props.notificationEvents && props.notificationEvents.length === 0) {
      invalid(this, '`notificationEvents` must name at least one event when given, got: []');
    }
    if (props.autoAccept) {
      this.validateAutoAccept(props);
    }
    // Without a security group, the load balancer's traffic is known by its subnets' CIDR blocks.
    const subnetCidrs = subnets && (props.securityGroups ?? []).length === 0
      ? subnets.subnets.map((subnet) => this.subnetCidr(subnet))
      : undefined;

    this.loadBalancer = props.loadBalancer ?? this.createLoadBalancer(vpc, subnets!, props);
    if (this.loadBalancer.connections.securityGroups.length > 0) {
      this.connections = this.loadBalancer.connections;
    } else if (subnetCidrs) {
      this.subnetPrefixList = new ec2.PrefixList(this, 'SubnetPrefixList', {
        maxEntries: subnetCidrs.length,
        entries: subnetCidrs.map((cidr) => ({
          cidr,
          description: `Subnet of the PrivateLink load balancer ${this.node.path}`.slice(0, 255),
        })),
      });
      this.connections = new ec2.Connections({ peer: this.subnetPrefixList });
    } else {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:wideTargetAccess',
        `The given load balancer (${this.loadBalancer.node.path}) has no security group, and its subnets are not known here: ` +
        '`connections` and target access use the VPC\'s CIDR block. Give the load balancer a security group to narrow them.');
      this.connections = new ec2.Connections({ peer: ec2.Peer.ipv4(vpc.vpcCidrBlock) });
    }

    for (const port of props.ports) {
      this.exposePort(port);
    }

    this.endpointService = new ec2.VpcEndpointService(this, 'EndpointService', {
      vpcEndpointServiceLoadBalancers: [this.loadBalancer],
      acceptanceRequired: props.acceptanceRequired ?? true,
      allowedPrincipals: principalArns.map((arn) => new iam.ArnPrincipal(arn)),
      allowedRegions: props.allowedRegions,
    });
    this.endpointServiceName = this.endpointService.vpcEndpointServiceName;
    this.endpointServiceId = this.endpointService.vpcEndpointServiceId;

    const topic = props.notificationTopic ?? (props.autoAccept ? this.createNotificationTopic() : undefined);
    if (topic) {
      this.notifyConnections(topic, props.notificationEvents);
    }
    if (props.autoAccept) {
      new ConnectionAutoAccept(this, 'AutoAccept', {
        serviceId: this.endpointServiceId,
        allowedPrincipals: principalArns,
        topic: topic!,
        unlistedConnections: props.autoAccept.unlistedConnections ?? UnlistedConnectionAction.LEAVE_PENDING,
        sweepInterval: props.autoAccept.sweepInterval ?? Duration.minutes(5),
      });
    }

    addOutputs(this, props.outputs, {
      EndpointServiceName: {
        description: 'VPC endpoint service name: send it to the vendor, then accept its connection request',
        value: this.endpointServiceName,
      },
    });
  }

  /**
   * The target group of an exposed port.
   *
   * @param port the listener port given in `ports`
   */
  public targetGroupFor(port: number): elbv2.NetworkTargetGroup {
    const index = this.listenerPorts.indexOf(port);
    if (index < 0) {
      invalid(this, `\`port\` must be one of the exposed ports ${show(this.listenerPorts)}, got: ${port}`);
    }
    return this.targetGroups[index];
  }

  /**
   * Opens `other` to the load balancer on TCP `port`: from the load balancer's security
   * groups when it has them, otherwise from `subnetPrefixList`, which is where PrivateLink
   * traffic and health checks come from.
   *
   * @param other what receives the traffic, such as a database or an instance
   * @param port the TCP port to open, such as a target port
   */
  public allowTargetAccess(other: ec2.IConnectable, port: number): void {
    if (!Token.isUnresolved(port) && !isPort(port)) {
      invalid(this, `\`port\` must be an integer from 1 to 65535, got: ${port}`);
    }
    other.connections.allowFrom(this, ec2.Port.tcp(port), `From the PrivateLink load balancer ${this.node.path}`);
  }

  private subnetCidr(subnet: ec2.ISubnet): string {
    try {
      return subnet.ipv4CidrBlock;
    } catch {
      return invalid(this, '`vpcSubnets` must carry their CIDR blocks (the load balancer\'s traffic comes from them), ' +
        `got subnet ${subnet.subnetId} without one: import it with ec2.Subnet.fromSubnetAttributes({ subnetId, ipv4CidrBlock }), ` +
        'or give the service `securityGroups`');
    }
  }

  private exposePort(exposed: ExposedPort): void {
    const targetPort = exposed.targetPort ?? exposed.port;
    const serviceTargets = exposed.targets ?? [];
    const targetType = serviceTargets[0]?.targetType ?? elbv2.TargetType.IP;
    const targetGroup = new elbv2.NetworkTargetGroup(this, `TargetGroup${exposed.port}`, {
      vpc: this.vpc,
      port: targetPort,
      protocol: elbv2.Protocol.TCP,
      targetType,
      preserveClientIp: exposed.preserveClientIp ?? false,
      proxyProtocolV2: exposed.proxyProtocolV2 ?? false,
      deregistrationDelay: exposed.deregistrationDelay,
      healthCheck: exposed.healthCheck ?? {
        enabled: true,
        protocol: targetType === elbv2.TargetType.ALB ? elbv2.Protocol.HTTP : elbv2.Protocol.TCP,
        port: 'traffic-port',
      },
    });
    targetGroup.setAttribute('stickiness.enabled', String(exposed.stickiness ?? false));
    if (exposed.stickiness) {
      targetGroup.setAttribute('stickiness.type', 'source_ip');
    }
    targetGroup.setAttribute(
      'load_balancing.cross_zone.enabled',
      exposed.crossZoneEnabled === undefined ? 'use_load_balancer_configuration' : String(exposed.crossZoneEnabled),
    );
    for (const target of serviceTargets) {
      targetGroup.addTarget(target._toNetworkTarget(targetPort));
      if (target._connectable) {
        this.allowTargetAccess(target._connectable, targetPort);
      }
    }

    const listener = this.loadBalancer.addListener(`Listener${exposed.port}`, {
      port: exposed.port,
      protocol: elbv2.Protocol.TCP,
      defaultTargetGroups: [targetGroup],
    });
    this.targetGroups.push(targetGroup);
    this.listeners.push(listener);
    this.listenerPorts.push(exposed.port);
  }

  private createLoadBalancer(
    vpc: ec2.IVpc,
    subnets: ec2.SelectedSubnets,
    props: PrivateLinkServiceProps,
  ): elbv2.NetworkLoadBalancer {
    const securityGroups = props.securityGroups ?? [];
    const enforce = props.enforceSecurityGroupRulesOnPrivateLinkTraffic ?? false;
    if (securityGroups.length > 0 && enforce) {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:enforcedPrivateLinkRules',
        'The load balancer\'s security group rules filter PrivateLink traffic ' +
        '(`enforceSecurityGroupRulesOnPrivateLinkTraffic` is true): connections the inbound rules do not allow are dropped silently.');
    }
    const loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc,
      vpcSubnets: { subnets: subnets.subnets },
      internetFacing: false,
      crossZoneEnabled: props.crossZoneEnabled ?? true,
      ...(securityGroups.length > 0
        ? { securityGroups, enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: enforce }
        : { disableSecurityGroups: true }),
    });
    const noAccessLogs = 'Network Load Balancer access logs only record TLS listeners; this load balancer has TCP listeners only.';
    Validations.of(loadBalancer).acknowledge({ id: 'AwsSolutions-ELB2', reason: noAccessLogs });
    (loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer).addMetadata('checkov', {
      skip: [{ id: 'CKV_AWS_91', comment: noAccessLogs }],
    });
    return loadBalancer;
  }

  private notifyConnections(topic: sns.ITopic, events?: ConnectionEvent[]): void {
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: `AllowVpceNotifications${this.node.addr.slice(0, 8)}`,
      principals: [new iam.ServicePrincipal('vpce.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    new ec2.CfnVPCEndpointConnectionNotification(this, 'ConnectionNotification', {
      serviceId: this.endpointServiceId,
      connectionNotificationArn: topic.topicArn,
      connectionEvents: events ?? [
        ConnectionEvent.ACCEPT, ConnectionEvent.CONNECT, ConnectionEvent.DELETE, ConnectionEvent.REJECT,
      ],
    });
  }

  /** An SNS topic for connection notifications, encrypted with a key the endpoint service may use. */
  private createNotificationTopic(): sns.ITopic {
    const key = new kms.Key(this, 'NotificationKey', {
      description: `Encrypts the connection notifications of ${this.node.path}`,
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('vpce.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    return new sns.Topic(this, 'Notifications', {
      displayName: 'PrivateLink connection notifications',
      masterKey: key,
      enforceSSL: true,
    });
  }

  private validateAutoAccept(props: PrivateLinkServiceProps): void {
    if (props.acceptanceRequired === false) {
      invalid(this, '`autoAccept` needs `acceptanceRequired` to be true (without acceptance there is nothing to accept), got: false');
    }
    if (props.notificationEvents && !props.notificationEvents.includes(ConnectionEvent.CONNECT)) {
      invalid(this, '`notificationEvents` must include ConnectionEvent.CONNECT when `autoAccept` is set, ' +
        `got: ${show(props.notificationEvents)}`);
    }
    const interval = props.autoAccept?.sweepInterval;
    if (interval && !interval.isUnresolved()) {
      const minutes = interval.toSeconds() / 60;
      if (!Number.isInteger(minutes) || minutes < 1) {
        invalid(this, `\`autoAccept.sweepInterval\` must be a whole number of minutes, at least 1, got: ${interval.toHumanString()}`);
      }
    }
  }

  private validatePrincipals(principals: string[]): string[] {
    if (principals.length === 0) {
      invalid(this, '`allowedPrincipals` must name at least one AWS account or IAM principal, got: []');
    }
    const stack = Stack.of(this);
    const partition = isLiteral(stack.region) ? partitionOf(stack.region) : stack.partition;
    return principals.map((principal) => {
      if (!isLiteral(principal)) return principal;
      if (isAccountId(principal)) return `arn:${partition}:iam::${principal}:root`;
      if (isIamPrincipalArn(principal)) return principal;
      return invalid(this, '`allowedPrincipals` entries must be a 12-digit AWS account ID or the IAM ARN of an account root, ' +
        `role or user (arn:aws:iam::123456789012:root), got: ${show(principal)}`);
    });
  }

  private validatePorts(ports: ExposedPort[]): void {
    if (ports.length === 0) {
      invalid(this, '`ports` must expose at least one port, got: []');
    }
    if (ports.length > MAX_LISTENERS) {
      invalid(this, `\`ports\` must expose at most ${MAX_LISTENERS} ports (a Network Load Balancer's listener limit), got: ${ports.length}`);
    }
    const seen = new Set<number>();
    for (const exposed of ports) {
      for (const [name, value] of [['port', exposed.port], ['targetPort', exposed.targetPort]] as const) {
        if (value !== undefined && !Token.isUnresolved(value) && !isPort(value)) {
          invalid(this, `\`ports[].${name}\` must be an integer from 1 to 65535, got: ${value}`);
        }
      }
      if (seen.has(exposed.port)) {
        invalid(this, `\`ports\` must not repeat a port (one listener per port), got ${exposed.port} twice`);
      }
      seen.add(exposed.port);
      this.validateTargets(exposed);
    }
  }

  private validateTargets(exposed: ExposedPort): void {
    const serviceTargets = exposed.targets ?? [];
    if (serviceTargets.length === 0 && !exposed.ipTargetsSyncedExternally) {
      invalid(this, `\`ports\` entry for port ${exposed.port} has no \`targets\`; give targets, ` +
        'or set `ipTargetsSyncedExternally: true` for addresses a sync construct registers');
    }
    const types = new Set(serviceTargets.map((t) => t.targetType));
    if (types.size > 1) {
      invalid(this, `\`ports\` entry for port ${exposed.port} mixes target types ${show([...types])}; ` +
        'a target group holds one type');
    }
    if (exposed.ipTargetsSyncedExternally && serviceTargets.some((t) => t.targetType !== elbv2.TargetType.IP)) {
      invalid(this, `\`ports\` entry for port ${exposed.port} sets \`ipTargetsSyncedExternally\`, ` +
        'so its `targets` must be IP addresses');
    }
    for (const target of serviceTargets) {
      const ip = target._ipAddress;
      if (ip !== undefined && isLiteral(ip) && !isIpv4(ip)) {
        invalid(this, `\`ServiceTarget.ipAddress\` must be an IPv4 address, got: ${show(ip)}`);
      }
    }
  }

  private validateRegions(regions?: string[]): void {
    if (!regions) return;
    const stackRegion = Stack.of(this).region;
    const expected = isLiteral(stackRegion) ? partitionOf(stackRegion) : undefined;
    for (const region of regions) {
      if (!isLiteral(region)) continue;
      if (!isRegionName(region)) {
        invalid(this, `\`allowedRegions\` entries must be AWS region names such as "eu-west-1", got: ${show(region)}`);
      }
      const partition = partitionOf(region);
      if (expected !== undefined && partition !== expected) {
        invalid(this, `\`allowedRegions\` must be in the stack's partition "${expected}" (region ${stackRegion}), ` +
          `got: ${show(region)} in partition "${partition}"`);
      }
      const first = regions.find(isLiteral)!;
      if (expected === undefined && partition !== partitionOf(first)) {
        invalid(this, `\`allowedRegions\` must all be in one partition, got: ${show(regions)}`);
      }
    }
  }


  private validateGivenLoadBalancer(props: PrivateLinkServiceProps): void {
    const loadBalancer = props.loadBalancer!;
    for (const name of ['securityGroups', 'vpcSubnets', 'crossZoneEnabled', 'enforceSecurityGroupRulesOnPrivateLinkTraffic'] as const) {
      if (props[name] !== undefined) {
        invalid(this, `\`${name}\` applies to a new load balancer only; set it on the given \`loadBalancer\` instead`);
      }
    }
    const cfn = loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer | undefined;
    if (cfn?.scheme === 'internet-facing') {
      invalid(this, `\`loadBalancer\` must be internal, got an internet-facing load balancer (${loadBalancer.node.path})`);
    }
    const hasSecurityGroups = (loadBalancer.securityGroups ?? []).length > 0;
    if (hasSecurityGroups && loadBalancer.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic !== 'off') {
      Annotations.of(this).addWarningV2('cdk-saas-privatelink:enforcedPrivateLinkRules',
        `The given load balancer (${loadBalancer.node.path}) has security groups that filter PrivateLink traffic: ` +
        'connections the inbound rules do not allow are dropped silently. ' +
        'Set enforceSecurityGroupInboundRulesOnPrivateLinkTraffic to false on it, or allow the traffic.');
    }
  }
}

function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}
