import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { clientIpPreservation } from './rules/client-ip-preservation';
import { dynatraceTokenInEnvironment, dynatraceTokensInEnvironment } from './rules/dynatrace-token-in-environment';
import { endpointOpenToWorld } from './rules/endpoint-open-to-world';
import { endpointServiceAcceptance } from './rules/endpoint-service-acceptance';
import { endpointServicePrincipals } from './rules/endpoint-service-principals';
import { internetFacingNlb } from './rules/internet-facing-nlb';
import { nlbSecurityGroupEnforcement } from './rules/nlb-security-group-enforcement';
import { proxyProtocol } from './rules/proxy-protocol';
import { zoneNotAssociated } from './rules/zone-not-associated';

/**
 * A cdk-nag rule pack for AWS PrivateLink set-ups, whether or not they use this library's
 * constructs: endpoint services, the Network Load Balancers and target groups behind them,
 * interface endpoints, the private hosted zones that point vendor hostnames at them, and
 * Dynatrace tokens in ECS task definitions.
 *
 * Rule IDs are `PrivateLink-<Rule>`; acknowledge a finding you accept with
 * `Validations.of(construct).acknowledge({ id: 'PrivateLink-<Rule>', reason })`.
 * Resources are related within one stack only, and a rule whose answer depends on a value
 * known only at deploy time stays quiet.
 *
 * @example
 * declare const app: App;
 * Validations.of(app).addPlugins(new PrivateLinkChecks(app));
 */
export class PrivateLinkChecks extends NagPack {
  /** The name of the pack, which prefixes its rule IDs. */
  public readonly name = 'PrivateLink';

  /**
   * @param scope the app or stack the pack writes acknowledgements to, when
   *   `writeSuppressionsToCloudFormation` is set
   * @param props cdk-nag pack options
   */
  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'PrivateLink';
  }

  /**
   * Applies every rule of the pack to one resource.
   *
   * @param node the resource to check
   */
  protected checkResource(node: CfnResource): void {
    this.applyRule({
      ruleSuffixOverride: 'EndpointServiceAcceptance',
      info: 'The VPC endpoint service does not require acceptance: any allowed principal connects without review.',
      explanation: 'With AcceptanceRequired false (CloudFormation\'s default), every endpoint an allowed principal creates '
        + 'is connected at once, including ones created by mistake or by the wrong team of the vendor. '
        + 'Set AcceptanceRequired to true and accept requests yourself or with an automation that checks the requester.',
      level: NagMessageLevel.WARN,
      rule: endpointServiceAcceptance,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'EndpointServicePrincipals',
      info: 'The VPC endpoint service allows the principal "*": every AWS account can create an endpoint to it.',
      explanation: 'AllowedPrincipals "*" exposes the service behind it to anyone who learns its name. '
        + 'List the vendor\'s account or IAM principal instead.',
      level: NagMessageLevel.ERROR,
      rule: endpointServicePrincipals,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'InternetFacingNlb',
      info: 'The Network Load Balancer behind a VPC endpoint service is internet-facing (Scheme absent means internet-facing).',
      explanation: 'A load balancer that exists to be reached over PrivateLink needs no public address; an internet-facing one '
        + 'also exposes the service to the internet. Set Scheme to "internal" (a new load balancer: the scheme cannot change).',
      level: NagMessageLevel.ERROR,
      rule: internetFacingNlb,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'ProxyProtocol',
      info: 'A target group of the Network Load Balancer behind a VPC endpoint service has proxy protocol v2 on.',
      explanation: 'With proxy_protocol_v2.enabled, every connection starts with a binary header that databases and SSH servers '
        + 'do not understand, so the vendor\'s connections fail. Turn it off unless the target parses the header.',
      level: NagMessageLevel.WARN,
      rule: proxyProtocol,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'ClientIpPreservation',
      info: 'A target group of the Network Load Balancer behind a VPC endpoint service preserves client IP addresses '
        + '(the default for instance targets).',
      explanation: 'PrivateLink traffic always arrives from the load balancer\'s private addresses, so preservation gains nothing '
        + 'for it, and for other traffic it makes targets see (and security groups need to allow) addresses they do not expect. '
        + 'Vendors such as Rivery ask for it off. Set preserve_client_ip.enabled to false.',
      level: NagMessageLevel.WARN,
      rule: clientIpPreservation,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'NlbSecurityGroupEnforcement',
      info: 'The Network Load Balancer behind a VPC endpoint service has security groups whose inbound rules also filter '
        + 'PrivateLink traffic.',
      explanation: 'With EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic on (the default when there are security groups), '
        + 'PrivateLink connections that the inbound rules do not allow are dropped without an error anyone sees. '
        + 'Set it to "off", or acknowledge the finding when the rules do allow the consumers.',
      level: NagMessageLevel.ERROR,
      rule: nlbSecurityGroupEnforcement,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'EndpointOpenToWorld',
      info: 'A security group of the interface VPC endpoint allows inbound traffic from 0.0.0.0/0 or ::/0.',
      explanation: 'An interface endpoint should be reachable from the networks that use it only; 0.0.0.0/0 also admits every '
        + 'peered VPC, VPN and on-premises network. Allow the VPC\'s CIDR block, the peers\' CIDR blocks or their security groups.',
      level: NagMessageLevel.ERROR,
      rule: endpointOpenToWorld,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'ZoneNotAssociated',
      info: 'The private hosted zone points a hostname at an interface endpoint, but neither it nor another zone of its name '
        + 'pointing there is associated with the endpoint\'s VPC.',
      explanation: 'In the endpoint\'s own VPC the hostname still resolves to the vendor\'s public address, so that traffic leaves '
        + 'over the internet (or fails once the vendor expects PrivateLink). Add the endpoint\'s VPC to the zone\'s VPCs. '
        + 'A VPC holds one private zone of a name, so a spoke\'s zone of the hub\'s name is judged by the hub\'s zone.',
      level: NagMessageLevel.ERROR,
      rule: zoneNotAssociated,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'DynatraceTokenInEnvironment',
      info: tokenInfo(node),
      explanation: 'Plain environment variables are stored in the task definition, readable by anyone allowed to describe it, '
        + 'and in the template. Keep the token in Secrets Manager or SSM Parameter Store and pass it as an ECS secret '
        + '(ecs.Secret.fromSecretsManager).',
      level: NagMessageLevel.ERROR,
      rule: dynatraceTokenInEnvironment,
      node,
    });
  }
}

/** The token rule's message: which variables hold which kind of token, never a secret part. */
function tokenInfo(node: CfnResource): string {
  const findings = dynatraceTokensInEnvironment(node);
  const where = findings.map((f) => `${f.container}.${f.variable} (${f.description})`).join(', ');
  return 'The task definition holds Dynatrace tokens in plain container environment variables'
    + (where ? `: ${where}.` : '.');
}
