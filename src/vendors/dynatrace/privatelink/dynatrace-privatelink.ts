import { CustomResource, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IDependable } from 'constructs';
import { API_HANDLER_TIMEOUT, dynatraceApiHandler } from '../api-handler';
import type { DynatraceEnvironment } from '../dynatrace-environment';
import { PrivatelinkApiFunction } from './privatelink-api-function';
import { DnsTarget, PrivateDnsOverride } from '../../../consumer/private-dns-override';
import { PrivateLinkEndpoint } from '../../../consumer/privatelink-endpoint';
import { routeTableIds } from '../../../consumer/spoke-layout';
import { SpokePeering } from '../../../consumer/spoke-peering';
import { TransitGatewaySpoke } from '../../../consumer/transit-gateway-spoke';
import { stateOf } from '../../../internal/construct-state';
import { serviceTimeoutFor } from '../../../internal/handler-function';
import { addOutputs } from '../../../internal/outputs';
import { literalCidr } from '../../../internal/subnets';
import { invalid, isAccountId, isLiteral, show } from '../../../internal/validation';
import { linkProbe } from '../../../probe/link-probe';
import type { PrivateLinkProbe } from '../../../probe/privatelink-probe';
import type { LinkProbeOptions } from '../../../probe/privatelink-probe-props';

/**
 * Properties of a `DynatracePrivateLink`.
 */
export interface DynatracePrivateLinkProps {
  /** The Dynatrace environment. */
  readonly environment: DynatraceEnvironment;

  /**
   * A Secrets Manager secret holding a Dynatrace API token with the scopes `ReadConfig` and
   * `WriteConfig`. The token is read at deploy time by the handler; it never enters the template.
   */
  readonly apiToken: secretsmanager.ISecret;

  /**
   * The JSON field of the secret that holds the token.
   *
   * @default - the whole secret string is the token
   */
  readonly apiTokenField?: string;

  /**
   * The VPC of the endpoint. It must be in the Dynatrace environment's AWS region.
   */
  readonly vpc: ec2.IVpc;

  /**
   * Candidate subnets of the endpoint (kept only in AZs the service supports). EC2 creates
   * an interface endpoint in at most one subnet per AZ: a selection with two subnets in one AZ
   * is refused (name one subnet group, such as `{ subnetGroupName: 'app' }`, or add
   * `onePerAz: true`).
   *
   * @default - the VPC's private subnets (with egress, else isolated), one per AZ: in a VPC
   * with several private subnet groups, the first group's
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * AWS accounts to allowlist with Dynatrace (12 digits each).
   *
   * @default - the stack's account
   */
  readonly allowlistAccounts?: string[];

  /**
   * Keep the accounts allowlisted when this construct is deleted. The allowlist belongs to
   * the Dynatrace environment, not to this stack: other stacks and VPCs of the same accounts
   * may rely on it. Set `false` to remove the accounts on delete (and accounts dropped from
   * `allowlistAccounts` on update) when nothing else uses them.
   *
   * @default true
   */
  readonly retainAllowlistOnDelete?: boolean;

  /**
   * Enable PrivateLink for the environment once the DNS override exists. Enabling makes
   * OneAgents and ActiveGates use only the environment's own domain.
   *
   * @default true
   */
  readonly enablePrivateLink?: boolean;

  /**
   * Disable PrivateLink for the environment when this construct is deleted. Off by default,
   * because VPCs outside this stack may rely on it.
   *
   * @default false
   */
  readonly disablePrivateLinkOnDelete?: boolean;

  /**
   * Check from inside the hub VPC, and from each spoke, that `{environmentId}.live.dynatrace.com`
   * resolves to the endpoint's addresses and answers TLS on 443, as the guide's `nslookup` step
   * does by hand: a `PrivateLinkProbe` with a deploy-time check after enable and a canary with
   * an alarm per VPC.
   *
   * @default - on: the deploy-time check reports without failing the deploy, the canary runs every 5 minutes
   */
  readonly probe?: LinkProbeOptions;

  /**
   * Add stack outputs, with logical IDs of this construct's ID and the output's name (see
   * the README, "Stack outputs"): `EndpointId`, `EndpointServiceName` and `Hostname`.
   *
   * @default false
   */
  readonly outputs?: boolean;
}

/**
 * How a spoke joins through a transit gateway (`DynatracePrivateLink.addSpokeVpcThroughTransitGateway`).
 */
export interface DynatraceTransitGatewayOptions {
  /**
   * The transit gateway of the hub's region: existing (`tgw-…`) or new
   * (`TransitGatewaySpoke.newTransitGateway(...).ref`).
   */
  readonly transitGatewayId: string;

  /**
   * Your network's transit gateway in the spoke's region, peered with `transitGatewayId` (routes
   * between the two VPCs in both), for a spoke in another region.
   *
   * @default - `transitGatewayId` (a spoke in the hub's region)
   */
  readonly spokeTransitGatewayId?: string;

  /**
   * The hub VPC's subnets for its attachment, one per AZ.
   *
   * @default - the hub VPC's private subnets (with egress, else isolated), one per AZ
   */
  readonly hubSubnets?: ec2.SubnetSelection;

  /**
   * The spoke VPC's subnets for its attachment, one per AZ.
   *
   * @default - the spoke VPC's private subnets (with egress, else isolated), one per AZ
   */
  readonly spokeSubnets?: ec2.SubnetSelection;

  /**
   * The hub VPC's existing attachment to `transitGatewayId` (`tgw-attach-…`); the same for every
   * spoke on that transit gateway.
   *
   * @default - the hub VPC is attached in the hub's stack, once for all its spokes
   */
  readonly hubAttachmentId?: string;

  /**
   * The spoke VPC's existing attachment to its transit gateway (`tgw-attach-…`).
   *
   * @default - the spoke VPC is attached in its own stack
   */
  readonly spokeAttachmentId?: string;

  /**
   * Create routes to the other VPC through the transit gateway in every route table of both VPCs;
   * false where your network already routes between them.
   *
   * @default true
   */
  readonly createRoutes?: boolean;
}

/**
 * Dynatrace over AWS PrivateLink, end to end, in the order Dynatrace's guide gives: allowlists
 * the AWS account and reads the endpoint service name through Dynatrace's API (a custom
 * resource), creates the interface endpoint in supported AZs, overrides DNS for
 * `{environmentId}.live.dynatrace.com` in a private hosted zone (an apex `A` alias, as
 * Dynatrace's own template does), then enables PrivateLink. More VPCs, in this region or
 * others, join with `addSpokeVpc`.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * declare const token: secretsmanager.ISecret;
 * new DynatracePrivateLink(this, 'Dynatrace', {
 *   environment: DynatraceEnvironment.saas('abc12345'),
 *   apiToken: token,
 *   vpc,
 * });
 */
export class DynatracePrivateLink extends Construct implements ec2.IConnectable {
  /** The interface endpoint. */
  public readonly endpoint: PrivateLinkEndpoint;
  /** The private hosted zone for the environment's hostname. */
  public readonly dnsOverride: PrivateDnsOverride;
  /** The endpoint service name read from Dynatrace (resolved at deploy time). */
  public readonly endpointServiceName: string;
  /** The hostname that now resolves to the endpoint. */
  public readonly hostname: string;
  /**
   * Network access to the endpoint (its security group, port 443): allow more clients with
   * `connections.allowDefaultPortFrom(peer)`.
   */
  public readonly connections: ec2.Connections;
  /** The hub VPC's probe (unless `probe.enabled` is false). */
  public readonly probe?: PrivateLinkProbe;

  private readonly probeOptions?: LinkProbeOptions;

  constructor(scope: Construct, id: string, props: DynatracePrivateLinkProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const accounts = props.allowlistAccounts ?? [stack.account];
    this.validate(props, accounts);
    this.hostname = props.environment.hostname;

    // The handler answers CloudFormation and checks the region (EC2); with a VPC placement its
    // worker in the VPC makes the Dynatrace calls.
    const { fn: handler, roles: handlerRoles, properties: common } = dynatraceApiHandler(this, {
      id: 'DynatracePrivateLinkApi',
      fnClass: PrivatelinkApiFunction,
      description: 'cdk-saas-privatelink: Dynatrace AWS PrivateLink API (allowlist, service name, enable)',
      environment: props.environment,
      apiToken: props.apiToken,
      apiTokenField: props.apiTokenField,
    });

    const allowlist = new CustomResource(this, 'Allowlist', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::DynatracePrivateLink',
      serviceTimeout: serviceTimeoutFor(API_HANDLER_TIMEOUT),
      properties: {
        ...common,
        Operation: 'Allowlist',
        Accounts: accounts,
        RetainOnDelete: String(props.retainAllowlistOnDelete ?? true),
        // The handler checks that the service is in this region, or accepts it natively.
        VpcRegion: Stack.of(props.vpc).region,
      },
    });
    stateOf(handler, 'DescribeVpcEndpointServices', () => {
      handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeVpcEndpointServices'], resources: ['*'] }));
      Validations.of(handler.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ec2:DescribeVpcEndpointServices supports no resource-level permissions; the handler asks it whether ' +
          'Dynatrace\'s endpoint service accepts endpoints from the VPC\'s region.',
      });
      return true;
    });
    // Deletes still call Dynatrace: keep the handler's permissions until then.
    allowlist.node.addDependency(...handlerRoles);
    this.endpointServiceName = allowlist.getAttString('ServiceName');

    this.endpoint = new PrivateLinkEndpoint(this, 'Endpoint', {
      vpc: props.vpc,
      serviceName: this.endpointServiceName,
      // The VPC's own region, or the service's when it accepts this region natively.
      serviceRegion: allowlist.getAttString('ServiceRegion'),
      subnets: props.subnets,
    });
    this.connections = this.endpoint.connections;
    this.dnsOverride = new PrivateDnsOverride(this, 'Dns', {
      zoneName: this.hostname,
      vpc: props.vpc,
      target: DnsTarget.fromEndpoint(this.endpoint),
    });

    const probeAfter: IDependable[] = [this.dnsOverride, this.endpoint];
    if (props.enablePrivateLink ?? true) {
      const enable = new CustomResource(this, 'Enable', {
        serviceToken: handler.functionArn,
        resourceType: 'Custom::DynatracePrivateLink',
        serviceTimeout: serviceTimeoutFor(API_HANDLER_TIMEOUT),
        properties: {
          ...common,
          Operation: 'Enable',
          DisableOnDelete: String(props.disablePrivateLinkOnDelete ?? false),
        },
      });
      // Enabling makes agents use only the environment's domain: only once it resolves here.
      enable.node.addDependency(this.dnsOverride, this.endpoint);
      enable.node.addDependency(...handlerRoles);
      probeAfter.push(enable);
    }
    this.probeOptions = props.probe;
    this.probe = linkProbe(this, 'Probe', {
      hostname: this.hostname,
      vpc: props.vpc,
      endpoint: this.endpoint,
      endpointCidr: literalCidr(props.vpc) ?? props.vpc.vpcCidrBlock,
      after: probeAfter,
      owner: this,
    }, props.probe);

    addOutputs(this, props.outputs, {
      EndpointId: { description: 'VPC endpoint ID of the Dynatrace PrivateLink endpoint', value: this.endpoint.vpcEndpointId },
      EndpointServiceName: { description: 'Dynatrace VPC endpoint service name', value: this.endpointServiceName },
      Hostname: { description: 'Dynatrace hostname that resolves to the endpoint in the associated VPCs', value: this.hostname },
    });
  }

  /**
   * Joins another VPC of this account (this region or another) over VPC peering, in the guide's
   * order: the peering, routes on both sides and the endpoint's security group, then a DNS
   * override of its own for the spoke, then its probe. The VPC may be created in this app, in
   * any stack that names its region, or imported. The spoke's stack requests the peering. The
   * spokes of one stack in another region share two stacks the library creates: in this region
   * `<hub stack>-<spoke stack>-HubSide` (the hub's routes and the endpoint's rules), and in the
   * spoke's region `<hub stack>-<spoke stack>-SpokeDns` (the spokes' zones and their probe, whose
   * gate runs after every zone), both named with the stacks' construct IDs (`Hub-Tokyo-HubSide`
   * for spokes in the stack `Tokyo` of the hub stack `Hub`) and split into `...-HubSide2`,
   * `...-SpokeDns2` where a stack would pass 450 resources. `vpc` and the spoke VPC need the
   * route table IDs of their subnets (a route to the other in each). See `SpokePeering`.
   *
   * @param id construct ID of the peering
   * @param spokeVpc the VPC whose hosts send data to Dynatrace
   */
  public addSpokeVpc(id: string, spokeVpc: ec2.IVpc): SpokePeering {
    this.checkHubRouteTables(id);
    return new SpokePeering(this, id, {
      endpoint: this.endpoint,
      spokeVpc,
      dnsOverrides: [this.dnsOverride],
      probeHostname: this.probe ? this.hostname : undefined,
      probe: this.probeOptions,
    });
  }

  /**
   * Joins another VPC of this account through an AWS Transit Gateway instead of VPC peering (past
   * peering's 125 VPCs, or where a transit gateway is the network): attachments, routes through
   * the transit gateway, the endpoint's security group, then a DNS override and a probe of the
   * spoke's own, in the same stacks and order as `addSpokeVpc`. See `TransitGatewaySpoke`.
   *
   * @param id construct ID of the spoke
   * @param spokeVpc the VPC whose hosts send data to Dynatrace
   * @param options the transit gateway(s) and subnets
   */
  public addSpokeVpcThroughTransitGateway(id: string, spokeVpc: ec2.IVpc, options: DynatraceTransitGatewayOptions): TransitGatewaySpoke {
    if (options.createRoutes ?? true) this.checkHubRouteTables(id);
    return new TransitGatewaySpoke(this, id, {
      ...options,
      endpoint: this.endpoint,
      spokeVpc,
      dnsOverrides: [this.dnsOverride],
      probeHostname: this.probe ? this.hostname : undefined,
      probe: this.probeOptions,
    });
  }

  /** Named after this construct's prop, before the spoke's own check names the endpoint's. */
  private checkHubRouteTables(spokeId: string): void {
    if (routeTableIds(this.endpoint.vpc).length > 0) return;
    invalid(this, `\`vpc\` (the hub VPC) has no route table IDs, so spoke ${spokeId} would get no route back from the hub ` +
      'and its hosts could not reach Dynatrace; import it with the route table IDs of its subnets ' +
      `(\`Vpc.fromVpcAttributes({ ..., privateSubnetRouteTableIds })\`), got none for ${this.endpoint.vpc.node.path}`);
  }

  private validate(props: DynatracePrivateLinkProps, accounts: string[]): void {
    if (typeof (props.apiToken as unknown) === 'string' || typeof props.apiToken?.secretArn !== 'string') {
      invalid(this, '`apiToken` must be a Secrets Manager secret (ISecret) holding the token, never the token itself');
    }
    if (accounts.length === 0) {
      invalid(this, '`allowlistAccounts` must name at least one AWS account, got: []');
    }
    for (const account of accounts) {
      if (isLiteral(account) && !isAccountId(account)) {
        invalid(this, `\`allowlistAccounts\` entries must be 12-digit AWS account IDs, got: ${show(account)}`);
      }
    }
    if (props.apiTokenField !== undefined && isLiteral(props.apiTokenField) && props.apiTokenField.length === 0) {
      invalid(this, '`apiTokenField` must name a JSON field of the secret when given, got: ""');
    }
  }
}
