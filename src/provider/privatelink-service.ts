import { Annotations, Duration, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ConnectionAutoAccept } from './auto-accept';
import { loadBalancerSource, prefixListPeer } from './load-balancer-peer';
import {
  validateAutoAccept, validateGivenLoadBalancer, validateOneSubnetPerAz, validatePorts, validatePrincipals, validateRegions,
} from './privatelink-service-checks';
import {
  ConnectionEvent, ExposedPort, IPrivateLinkService, PrivateLinkServiceAttributes, PrivateLinkServiceProps, UnlistedConnectionAction,
} from './privatelink-service-props';
import type { PrivateLinkServiceAlarmOptions } from './service-alarm-options';
import { healthyHostCount, serviceAlarms, ServiceMetricSource, serviceMetric, unhealthyHostCount } from './service-metrics';
import { addOutputs } from '../internal/outputs';
import { selectPrivateSubnets } from '../internal/subnets';
import { invalid, isPort, show } from '../internal/validation';

export * from './service-alarm-options';


/**
 * Exposes one or more ports of something inside a VPC (a database, an SSH tunnel,
 * an internal service) to named AWS principals through AWS PrivateLink.
 *
 * Creates an internal Network Load Balancer with cross-zone load balancing, one listener
 * and target group per port with proxy protocol v2, client-IP preservation and stickiness
 * all off unless a port turns them on, and a VPC endpoint service that requires acceptance
 * and allows only the named principals. Send the service name (`endpointServiceName`) to the
 * vendor; with `outputs: true` it is also a stack output.
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
      public readonly connections = new ec2.Connections({
        securityGroups: attrs.securityGroups ?? [],
        peer: attrs.subnetPrefixList && prefixListPeer(attrs.subnetPrefixList),
      });
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
   * `allowTargetAccess(target, port)`: opening the same target on the same port again, by either
   * way, adds no second rule.
   */
  public readonly connections: ec2.Connections;

  /**
   * A managed prefix list of the load balancer's subnets' CIDR blocks, where its traffic comes
   * from; the peer of `connections` when the load balancer has no security group.
   *
   * @default - undefined when the load balancer has security groups, or was given
   */
  public readonly subnetPrefixList?: ec2.IPrefixList;

  /** The exposed listener ports, in the order of `ports`. */
  public get ports(): number[] {
    return [...this.listenerPorts];
  }

  private readonly vpc: ec2.IVpc;
  private readonly listenerPorts: number[] = [];
  private readonly metricSource: ServiceMetricSource;

  constructor(scope: Construct, id: string, props: PrivateLinkServiceProps) {
    super(scope, id);

    const vpc = props.vpc ?? props.loadBalancer?.vpc;
    if (!vpc) {
      invalid(this, '`vpc` is required when `loadBalancer` is not given or has no VPC, got: undefined');
    }
    this.vpc = vpc;
    const principalArns = validatePrincipals(this, props.allowedPrincipals);
    validatePorts(this, props.ports);
    validateRegions(this, props.allowedRegions);
    const subnets = props.loadBalancer ? undefined : this.selectSubnets(vpc, props.vpcSubnets);
    if (props.loadBalancer) {
      validateGivenLoadBalancer(this, props);
    }
    if (props.notificationEvents && props.notificationEvents.length === 0) {
      invalid(this, '`notificationEvents` must name at least one event when given, got: []');
    }
    if (props.autoAccept) {
      validateAutoAccept(this, props);
    }
    // Without a security group, the load balancer's traffic is known by its subnets' CIDR blocks.
    const subnetCidrs = subnets && (props.securityGroups ?? []).length === 0
      ? subnets.subnets.map((subnet) => this.subnetCidr(subnet))
      : undefined;

    this.loadBalancer = props.loadBalancer ?? this.createLoadBalancer(vpc, subnets!, props);
    const source = loadBalancerSource(this, this.loadBalancer, vpc, subnetCidrs);
    this.connections = source.connections;
    this.subnetPrefixList = source.subnetPrefixList;

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

    this.metricSource = {
      scope: this,
      endpointServiceId: this.endpointServiceId,
      ports: props.ports.map((p) => ({ port: p.port, targetPort: p.targetPort ?? p.port })),
      targetGroupFor: (port) => this.targetGroupFor(port),
    };

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

  /**
   * A metric of this endpoint service in `AWS/PrivateLinkServices`, by name, with the
   * `Service Id` dimension (all consumers, all zones). Prefer the typed methods.
   *
   * @param metricName the metric's name, such as `RstPacketsSent`
   * @param props options such as the period, statistic or dimensions
   * @default - Sum (Average for `ActiveConnections`, `EndpointsCount` and unknown names) over 5 minutes
   * @see https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-cloudwatch-metrics.html
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serviceMetric(this.metricSource, metricName, props);
  }

  /** Concurrent connections from consumers to the targets (`ActiveConnections`). @default - Average over 5 minutes */
  public metricActiveConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serviceMetric(this.metricSource, 'ActiveConnections', props);
  }

  /** Connections opened by consumers (`NewConnections`). @default - Sum over 5 minutes */
  public metricNewConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serviceMetric(this.metricSource, 'NewConnections', props);
  }

  /** Bytes exchanged with consumers in both directions (`BytesProcessed`). @default - Sum over 5 minutes */
  public metricBytesProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serviceMetric(this.metricSource, 'BytesProcessed', props);
  }

  /** TCP resets sent to the consumers' endpoints (`RstPacketsSent`). @default - Sum over 5 minutes */
  public metricRstPacketsSent(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serviceMetric(this.metricSource, 'RstPacketsSent', props);
  }

  /** Endpoints connected to the service (`EndpointsCount`). @default - Average over 5 minutes */
  public metricEndpointsCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serviceMetric(this.metricSource, 'EndpointsCount', props);
  }

  /**
   * The fewest healthy targets of an exposed port (`AWS/NetworkELB` `HealthyHostCount`, Minimum).
   *
   * @param port the listener port given in `ports`
   * @param props options such as the period or statistic
   * @default - Minimum over 5 minutes
   */
  public metricHealthyHostCount(port: number, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return healthyHostCount(this.metricSource, port, props);
  }

  /**
   * The most unhealthy targets of an exposed port (`AWS/NetworkELB` `UnHealthyHostCount`, Maximum).
   *
   * @param port the listener port given in `ports`
   * @param props options such as the period or statistic
   * @default - Maximum over 5 minutes
   */
  public metricUnhealthyHostCount(port: number, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return unhealthyHostCount(this.metricSource, port, props);
  }

  /**
   * Adds the recommended alarms, per exposed port: no healthy target (`HealthyHostCount` below 1)
   * and, unless `alarmOnUnhealthyTargets` is false, an unhealthy target (`UnHealthyHostCount` 1 or
   * more), each for `evaluationPeriods` (3) consecutive minutes; with `rstPacketsSentThreshold`,
   * also resets sent above it. Call it once.
   *
   * @param options the thresholds and the SNS topic to tell
   * @returns the alarms, port by port in the order of `ports`, then the reset alarm
   */
  public addRecommendedAlarms(options?: PrivateLinkServiceAlarmOptions): cloudwatch.Alarm[] {
    return serviceAlarms(this.metricSource, options);
  }

  /** Private subnets, one per Availability Zone unless the selection says otherwise (then refused). */
  private selectSubnets(vpc: ec2.IVpc, selection?: ec2.SubnetSelection): ec2.SelectedSubnets {
    const selected = selectPrivateSubnets(this, vpc, selection ?? { onePerAz: true }, 'the load balancer is internal');
    validateOneSubnetPerAz(this, selected.subnets);
    return selected;
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
}
