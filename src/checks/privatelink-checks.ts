import { Validations, type CfnResource, type IPolicyValidationContext, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { IApplyRule, NagMessageLevel, NagPack, NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { refuse, show } from '../internal/validation';
import { atlasEndpointPortRange } from './rules/atlas-endpoint-port-range';
import { clientIpPreservation } from './rules/client-ip-preservation';
import { dynatraceTokenInEnvironment, dynatraceTokensInEnvironment } from './rules/dynatrace-token-in-environment';
import { endpointOpenToWorld } from './rules/endpoint-open-to-world';
import { endpointServiceAcceptance } from './rules/endpoint-service-acceptance';
import { endpointServicePrincipals } from './rules/endpoint-service-principals';
import { internetFacingNlb } from './rules/internet-facing-nlb';
import { nlbSecurityGroupEnforcement } from './rules/nlb-security-group-enforcement';
import { privateDnsNeedsVpcDns } from './rules/private-dns-needs-vpc-dns';
import { proxyProtocol } from './rules/proxy-protocol';
import { zoneNotAssociated } from './rules/zone-not-associated';

const PACK = 'PrivateLink';

/** Every rule of the pack, by the suffix of its ID. */
const RULES = [
  'EndpointServiceAcceptance', 'EndpointServicePrincipals', 'InternetFacingNlb', 'ProxyProtocol', 'ClientIpPreservation',
  'NlbSecurityGroupEnforcement', 'EndpointOpenToWorld', 'AtlasEndpointPortRange', 'PrivateDnsNeedsVpcDns', 'ZoneNotAssociated',
  'DynatraceTokenInEnvironment',
].map((suffix) => `${PACK}-${suffix}`);

/** Options of the PrivateLink rule pack. */
export interface PrivateLinkChecksProps extends NagPackProps {
  /**
   * Rules whose findings are errors, which fail the synth and make the report's `success` false.
   * Each is a rule ID, with or without the `PrivateLink::` prefix that the report prints
   * (`PrivateLink-EndpointServiceAcceptance` or `PrivateLink::PrivateLink-EndpointServiceAcceptance`).
   *
   * @default - each rule's own level (README.md lists them)
   */
  readonly errors?: string[];

  /**
   * Rules whose findings are warnings: printed in the report and listed in `violations`, but
   * they fail neither the synth nor the report's `success`. Same ID forms as `errors`.
   *
   * @default - each rule's own level (README.md lists them)
   */
  readonly warnings?: string[];
}

/**
 * A cdk-nag rule pack for AWS PrivateLink set-ups, whether or not they use this library's
 * constructs: endpoint services, the Network Load Balancers and target groups behind them,
 * interface endpoints (and the ports of those to MongoDB Atlas), the private hosted zones
 * that point vendor hostnames at them, and Dynatrace tokens in ECS task definitions.
 *
 * Add it to the app with `Validations.of(app).addPlugins(...)` and the synth checks every
 * stack; call `validateScope` to check a construct tree in a unit test. Both answer the same:
 * an error-level finding fails (the synth throws, `success` is false), a warning-level finding
 * is reported and fails neither. `errors` and `warnings` change a rule's level.
 *
 * Acknowledge a finding you accept with the ID the report prints after "Acknowledge with":
 * `Validations.of(construct).acknowledge({ id: 'PrivateLink::PrivateLink-<Rule>', reason })`
 * covers the findings of that rule on the construct and everything under it, in the synth
 * and in `validateScope`.
 *
 * Resources are related within one stack only, and a rule whose answer depends on a value
 * known only at deploy time stays quiet.
 *
 * @example
 * declare const app: App;
 * Validations.of(app).addPlugins(new PrivateLinkChecks(app));
 */
export class PrivateLinkChecks extends NagPack {
  /** The name of the pack: the report prints it before the rule ID (`PrivateLink::PrivateLink-<Rule>`). */
  public readonly name = PACK;

  /** The IDs of the pack's rules (`PrivateLink-<Rule>`), which README.md lists with their levels. */
  public readonly ruleIds?: string[] = [...RULES];

  private readonly levels = new Map<string, NagMessageLevel>();

  /** True while aws-cdk-lib runs the pack at synth time. */
  private inSynth = false;

  /**
   * @param scope the app or stack the pack writes acknowledgements to, when
   *   `writeSuppressionsToCloudFormation` is set
   * @param props pack options
   */
  constructor(scope?: IConstruct, props?: PrivateLinkChecksProps) {
    super(scope, props);
    this.packName = PACK;
    for (const [prop, level] of [['errors', NagMessageLevel.ERROR], ['warnings', NagMessageLevel.WARN]] as const) {
      for (const id of props?.[prop] ?? []) {
        const ruleId = id.startsWith(`${PACK}::`) ? id.slice(PACK.length + 2) : id;
        if (!RULES.includes(ruleId)) {
          refuse(`\`${prop}\` entries must be rule IDs of PrivateLinkChecks (${RULES.join(', ')}), got: ${show(id)}`);
        }
        if (this.levels.has(ruleId)) refuse(`\`errors\` and \`warnings\` must not both name a rule, got: ${show(ruleId)} in both`);
        this.levels.set(ruleId, level);
      }
    }
  }

  /**
   * Checks the app at synth time, as aws-cdk-lib's validation plugin.
   *
   * @param context what aws-cdk-lib hands its plugins: the app's construct tree
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    // At synth time aws-cdk-lib matches the acknowledgements of the form it prints itself, and
    // lists them with their reasons in the cloud assembly's validation-report.json.
    this.inSynth = true;
    try {
      return super.validate(context);
    } finally {
      this.inSynth = false;
    }
  }

  /**
   * Checks every resource of a construct tree: what the synth runs on the app, and what a unit
   * test calls directly.
   *
   * @param scope the app, stage or stack to check
   * @returns the findings that are not acknowledged; `success` is false when one is an error
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const report = super.validateScope(scope);
    // cdk-nag fails on any finding; a warning that fails the synth is no warning.
    return { ...report, success: report.violations.every((v) => v.severity !== 'error') };
  }

  /**
   * Applies every rule of the pack to one resource.
   *
   * @param node the resource to check
   */
  protected checkResource(node: CfnResource): void {
    this.check({
      ruleSuffixOverride: 'EndpointServiceAcceptance',
      info: 'The VPC endpoint service does not require acceptance: any allowed principal connects without review.',
      explanation: 'With AcceptanceRequired false (CloudFormation\'s default), every endpoint an allowed principal creates '
        + 'is connected at once, including ones created by mistake or by the wrong team of the vendor. '
        + 'Set AcceptanceRequired to true and accept requests yourself or with an automation that checks the requester.',
      level: NagMessageLevel.WARN,
      rule: endpointServiceAcceptance,
      node,
    });
    this.check({
      ruleSuffixOverride: 'EndpointServicePrincipals',
      info: 'The VPC endpoint service allows the principal "*": every AWS account can create an endpoint to it.',
      explanation: 'AllowedPrincipals "*" exposes the service behind it to anyone who learns its name. '
        + 'List the vendor\'s account or IAM principal instead.',
      level: NagMessageLevel.ERROR,
      rule: endpointServicePrincipals,
      node,
    });
    this.check({
      ruleSuffixOverride: 'InternetFacingNlb',
      info: 'The Network Load Balancer behind a VPC endpoint service is internet-facing (Scheme absent means internet-facing).',
      explanation: 'A load balancer that exists to be reached over PrivateLink needs no public address; an internet-facing one '
        + 'also exposes the service to the internet. Set Scheme to "internal" (a new load balancer: the scheme cannot change).',
      level: NagMessageLevel.ERROR,
      rule: internetFacingNlb,
      node,
    });
    this.check({
      ruleSuffixOverride: 'ProxyProtocol',
      info: 'A target group of the Network Load Balancer behind a VPC endpoint service has proxy protocol v2 on.',
      explanation: 'With proxy_protocol_v2.enabled, every connection starts with a binary header that databases and SSH servers '
        + 'do not understand, so the vendor\'s connections fail. Turn it off unless the target parses the header.',
      level: NagMessageLevel.WARN,
      rule: proxyProtocol,
      node,
    });
    this.check({
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
    this.check({
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
    this.check({
      ruleSuffixOverride: 'EndpointOpenToWorld',
      info: 'A security group of the interface VPC endpoint allows inbound traffic from 0.0.0.0/0 or ::/0.',
      explanation: 'An interface endpoint should be reachable from the networks that use it only; 0.0.0.0/0 also admits every '
        + 'peered VPC, VPN and on-premises network. Allow the VPC\'s CIDR block, the peers\' CIDR blocks or their security groups.',
      level: NagMessageLevel.ERROR,
      rule: endpointOpenToWorld,
      node,
    });
    this.check({
      ruleSuffixOverride: 'AtlasEndpointPortRange',
      info: 'The interface VPC endpoint to a MongoDB Atlas endpoint service has no security group rule that opens TCP ports '
        + '1024-65535.',
      explanation: 'Atlas\'s PrivateLink gives each node of a cluster its own port from 1024-65535, and changes them when it '
        + 'wishes, so clients connect through the endpoint to ports a rule for 27017 or a few ports does not open, and the '
        + 'connection fails. Open the whole range to the clients: `portRange: { fromPort: 1024, toPort: 65535 }` on '
        + 'PrivateLinkEndpoint, or MongoDbAtlasPrivateLink, which does.',
      level: NagMessageLevel.ERROR,
      rule: atlasEndpointPortRange,
      node,
    });
    this.check({
      ruleSuffixOverride: 'PrivateDnsNeedsVpcDns',
      info: 'The interface VPC endpoint has private DNS on, but its VPC has DNS support or DNS host names off '
        + '(EnableDnsHostnames is off unless set).',
      explanation: 'EC2 refuses to create an endpoint with private DNS in such a VPC, so the deploy fails at the endpoint; and '
        + 'without them the service\'s name (Datadog\'s intakes, for instance) would not resolve to the endpoint. Set '
        + 'EnableDnsSupport and EnableDnsHostnames to true on the VPC (ec2.Vpc does), or turn private DNS off and override '
        + 'DNS with a private hosted zone.',
      level: NagMessageLevel.ERROR,
      rule: privateDnsNeedsVpcDns,
      node,
    });
    this.check({
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
    this.check({
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

  /** Applies one rule, unless its finding is acknowledged in the form the report prints; at the level asked for. */
  private check(params: IApplyRule): void {
    const ruleId = `${PACK}-${params.ruleSuffixOverride}`;
    if (!this.inSynth && acknowledged(params.node, `${PACK}::${ruleId}`)) return;
    this.applyRule({ ...params, level: this.levels.get(ruleId) ?? params.level });
  }
}

/**
 * True when `id` is acknowledged on the construct or one of its ancestors. cdk-nag matches only
 * the bare rule ID, so without this the form the report prints passed the synth (aws-cdk-lib
 * matches it) while `validateScope` still reported the finding.
 */
function acknowledged(construct: IConstruct, id: string): boolean {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    const acknowledgedHere = c.node.metadata.some((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY
      && typeof entry.data === 'object' && entry.data !== null && id in entry.data);
    if (acknowledgedHere) return true;
  }
  return false;
}

/** The token rule's message: which variables hold which kind of token, never a secret part. */
function tokenInfo(node: CfnResource): string {
  const findings = dynatraceTokensInEnvironment(node);
  const where = findings.map((f) => `${f.container}.${f.variable} (${f.description})`).join(', ');
  return 'The task definition holds Dynatrace tokens in plain container environment variables'
    + (where ? `: ${where}.` : '.');
}
