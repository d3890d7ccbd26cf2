import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { DATADOG_SITES, IntakeKey, IntakeService, SiteServices, SITES_WITHOUT_PRIVATELINK } from './datadog-services';
import { DnsTarget, PrivateDnsOverride } from '../../consumer/private-dns-override';
import { PrivateLinkEndpoint } from '../../consumer/privatelink-endpoint';
import { SpokePeering } from '../../consumer/spoke-peering';
import { addOutputs } from '../../internal/outputs';
import { literalCidr } from '../../internal/subnets';
import { invalid, isLiteral, show } from '../../internal/validation';
import { linkProbe } from '../../probe/link-probe';
import type { PrivateLinkProbe } from '../../probe/privatelink-probe';
import type { LinkProbeOptions } from '../../probe/privatelink-probe-props';

/** Every intake listens on HTTPS. */
const HTTPS = 443;

/**
 * A Datadog site. AWS PrivateLink is offered at US1, AP1, AP2 and UK1 only; any other site is
 * refused at synth by `DatadogPrivateLink`, saying what the site offers instead.
 */
export class DatadogSite {
  /** US1, `datadoghq.com`: endpoint services in us-east-1. */
  public static readonly US1 = new DatadogSite('US1');
  /** AP1, `ap1.datadoghq.com`: endpoint services in ap-northeast-1. */
  public static readonly AP1 = new DatadogSite('AP1');
  /** AP2, `ap2.datadoghq.com`: endpoint services in ap-southeast-2. */
  public static readonly AP2 = new DatadogSite('AP2');
  /** UK1, `uk1.datadoghq.com`: endpoint services in eu-west-2. */
  public static readonly UK1 = new DatadogSite('UK1');

  /**
   * A site by the name Datadog gives it (`US1`, `AP1`, `AP2`, `UK1`; `US3`, `US5`, `EU1` and the
   * government sites have no AWS PrivateLink and are refused by `DatadogPrivateLink`).
   *
   * @param name the site's name, such as "US1"
   */
  public static of(name: string): DatadogSite {
    return new DatadogSite(name);
  }

  private constructor(
    /** The site's name, such as `US1`. */
    public readonly name: string,
  ) {}
}

/** A Datadog intake: one kind of data an Agent or library sends, with its own endpoint service. */
export class DatadogIntake {
  /** The API (`api.<site>`): the Agent's metadata, checks and key validation. */
  public static readonly API = new DatadogIntake('api');
  /** Metrics (`metrics.agent.<site>` and the Agent's versioned hosts). */
  public static readonly METRICS = new DatadogIntake('metrics');
  /** Logs sent by the Agent over HTTP (`agent-http-intake.logs.<site>`). */
  public static readonly LOGS_AGENT = new DatadogIntake('logsAgent');
  /** Logs sent over HTTP by other senders (`http-intake.logs.<site>`). */
  public static readonly LOGS_USER = new DatadogIntake('logsUser');
  /** APM traces (`trace.agent.<site>`). */
  public static readonly TRACES = new DatadogIntake('traces');
  /** Live processes (`process.<site>`). */
  public static readonly PROCESS = new DatadogIntake('process');
  /** Containers and the orchestrator explorer (`orchestrator.<site>`). */
  public static readonly CONTAINERS = new DatadogIntake('containers');
  /** Continuous profiler (`intake.profile.<site>`). */
  public static readonly PROFILING = new DatadogIntake('profiling');
  /** Database Monitoring (`dbm-metrics-intake.<site>`). */
  public static readonly DATABASE_MONITORING = new DatadogIntake('databaseMonitoring');
  /** Remote Configuration (`config.<site>`). */
  public static readonly REMOTE_CONFIGURATION = new DatadogIntake('remoteConfiguration');

  private constructor(
    /** The intake's key, such as `logsAgent`. */
    public readonly key: string,
  ) {}
}

/** What an Agent with its defaults sends: the API, metrics, its logs, traces and remote configuration. */
const AGENT_INTAKES = [DatadogIntake.API, DatadogIntake.METRICS, DatadogIntake.LOGS_AGENT, DatadogIntake.TRACES, DatadogIntake.REMOTE_CONFIGURATION];

/**
 * Properties of a `DatadogPrivateLink`.
 */
export interface DatadogPrivateLinkProps {
  /** The VPC your Agents run in: the endpoints are created in it. */
  readonly vpc: ec2.IVpc;

  /** Your Datadog site: US1, AP1, AP2 or UK1 (the others offer no AWS PrivateLink). */
  readonly site: DatadogSite;

  /**
   * The intakes to reach privately, one interface endpoint per endpoint service (at AP2 and UK1
   * the two logs intakes share one service, so one endpoint). Data for an intake left out keeps
   * going to Datadog over the internet, if the VPC has a way there.
   *
   * @default - what an Agent with its defaults sends: API, METRICS, LOGS_AGENT, TRACES, REMOTE_CONFIGURATION
   */
  readonly intakes?: DatadogIntake[];

  /**
   * The subnets for the endpoints, one per Availability Zone; each endpoint goes into those the
   * service supports (found at deploy time).
   *
   * @default - the VPC's private subnets (with egress, else isolated), one per AZ
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * Spokes will join over VPC peering (`addSpokeVpc`). Datadog's peering path turns the
   * endpoints' private DNS off and gives each endpoint service a private hosted zone of its own,
   * named after the service's private DNS name, with an alias to the endpoint; each spoke gets the
   * same zones. Without it each endpoint's own private DNS serves this VPC, which is what
   * Datadog recommends for one VPC, and for VPCs in other regions (a `DatadogPrivateLink` of their
   * own: a native cross-region endpoint).
   *
   * @default false
   */
  readonly peeredSpokes?: boolean;

  /**
   * Check from inside the VPC (and each spoke) that the first intake's host resolves to its
   * endpoint and answers TLS on 443.
   *
   * @default - on: a deploy-time check that reports without failing, and a canary every 5 minutes
   */
  readonly probe?: LinkProbeOptions;

  /**
   * Add stack outputs, with logical IDs of this construct's ID and the output's name (see the
   * README, "Stack outputs"): `Site` (the Agent's `DD_SITE`) and `EndpointIds`.
   *
   * @default false
   */
  readonly outputs?: boolean;
}

/**
 * Datadog over AWS PrivateLink, as Datadog's guide sets it up: an interface endpoint to each
 * chosen intake's endpoint service of your site (natively cross-region when the stack is in
 * another region than the site's), in Availability Zones the service supports, behind one
 * security group that opens 443 to the VPC only. Private DNS is the services' own (the Agent's
 * configuration does not change: the public host names resolve privately in the VPC), or, with
 * `peeredSpokes`, a private hosted zone per service that peered spokes get too. Datadog has no
 * registration step: the endpoints are available within minutes of the deploy.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * new DatadogPrivateLink(this, 'Datadog', { vpc, site: DatadogSite.US1 });
 */
export class DatadogPrivateLink extends Construct implements ec2.IConnectable {
  /** The site's domain, the Agent's `DD_SITE`, such as `datadoghq.com`. */
  public readonly site: string;
  /** The interface endpoints, one per endpoint service, in the order of `intakes`. */
  public readonly endpoints: PrivateLinkEndpoint[];
  /** With `peeredSpokes`: the private hosted zones, one per endpoint. */
  public readonly dnsOverrides: PrivateDnsOverride[];
  /** The hosts the probe and your Agents reach privately, one per intake, in the order of `intakes`. */
  public readonly hosts: string[];
  /** Network access to the endpoints (port 443): one security group for all of them. */
  public readonly connections: ec2.Connections;
  /** The VPC's probe (unless `probe.enabled` is false). */
  public readonly probe?: PrivateLinkProbe;

  private readonly peeredSpokes: boolean;
  private readonly probeOptions?: LinkProbeOptions;

  constructor(scope: Construct, id: string, props: DatadogPrivateLinkProps) {
    super(scope, id);
    const site = this.siteServices(props.site);
    const intakes = this.intakeServices(site, props.intakes ?? AGENT_INTAKES);
    const stackRegion = Stack.of(this).region;
    const serviceRegion = isLiteral(stackRegion) && stackRegion === site.region ? undefined : site.region;
    this.peeredSpokes = props.peeredSpokes ?? false;
    this.probeOptions = props.probe;
    this.site = site.domain;
    this.hosts = intakes.map(([, s]) => s.host);

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: `Datadog PrivateLink endpoints ${this.node.path}: 443 from allowed peers only`,
    });
    const cidr = literalCidr(props.vpc) ?? props.vpc.vpcCidrBlock;
    securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(HTTPS), 'Datadog intakes over PrivateLink from the endpoints\' VPC');
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(HTTPS) });

    // One endpoint per service: at AP2 and UK1 both logs intakes are one service.
    const services = new Map<string, { key: IntakeKey; service: IntakeService }>();
    for (const [key, service] of intakes) if (!services.has(service.serviceId)) services.set(service.serviceId, { key, service });
    this.endpoints = [];
    this.dnsOverrides = [];
    for (const { key, service } of services.values()) {
      const name = key.charAt(0).toUpperCase() + key.slice(1);
      const endpoint = new PrivateLinkEndpoint(this, name, {
        vpc: props.vpc,
        serviceName: `com.amazonaws.vpce.${site.region}.${service.serviceId}`,
        serviceRegion,
        subnets: props.subnets,
        ports: [HTTPS],
        privateDnsEnabled: !this.peeredSpokes,
        securityGroup,
        allowFromVpc: false,
      });
      this.endpoints.push(endpoint);
      if (this.peeredSpokes) {
        this.dnsOverrides.push(new PrivateDnsOverride(this, `${name}Dns`, {
          zoneName: service.privateDnsName,
          vpc: props.vpc,
          target: DnsTarget.fromEndpoint(endpoint),
        }));
      }
    }

    this.probe = linkProbe(this, 'Probe', {
      hostname: this.hosts[0],
      vpc: props.vpc,
      endpoint: this.endpoints[0],
      endpointCidr: cidr,
      after: [...this.endpoints, ...this.dnsOverrides],
      owner: this,
    }, props.probe);

    addOutputs(this, props.outputs, {
      Site: { description: 'The Datadog site for the Agent\'s DD_SITE: its hosts resolve to the endpoints in the VPC', value: this.site },
      EndpointIds: { description: 'The VPC endpoint IDs of the Datadog intakes', value: this.endpoints.map((e) => e.vpcEndpointId).join(',') },
    });
  }

  /**
   * Joins another VPC of this account over VPC peering, Datadog's peering path: the peering,
   * routes on both sides and 443 opened to the spoke's CIDR block, then the same private hosted
   * zones for the spoke, then its probe, in the stacks `SpokePeering` describes. Needs
   * `peeredSpokes: true`. A VPC in another region can instead have a `DatadogPrivateLink` of its
   * own, with native cross-region endpoints (Datadog's recommendation).
   *
   * @param id construct ID of the peering
   * @param spokeVpc the VPC whose hosts send data to Datadog
   */
  public addSpokeVpc(id: string, spokeVpc: ec2.IVpc): SpokePeering {
    if (!this.peeredSpokes) {
      invalid(this, `\`peeredSpokes\` must be true for spoke ${id} to join over peering: the endpoints' own private DNS ` +
        'serves only their VPC; set `peeredSpokes: true` (a private zone per service, which spokes share), or give the ' +
        'spoke VPC a DatadogPrivateLink of its own (native cross-region endpoints, Datadog\'s recommendation), got: false');
    }
    // The endpoints share one security group: the spoke's rule opens 443 on every one of them.
    return new SpokePeering(this, id, {
      endpoint: this.endpoints[0],
      spokeVpc,
      dnsOverrides: this.dnsOverrides,
      probeHostname: this.probe ? this.hosts[0] : undefined,
      probe: this.probeOptions,
    });
  }

  private siteServices(site: DatadogSite): SiteServices {
    const found = DATADOG_SITES[site.name];
    if (found) return found;
    const instead = SITES_WITHOUT_PRIVATELINK[site.name];
    invalid(this, '`site` must be a Datadog site that offers AWS PrivateLink (US1, AP1, AP2 or UK1), got: ' +
      `${show(site.name)}${instead ? `, where Datadog offers no AWS PrivateLink (${instead})` : ''}`);
  }

  private intakeServices(site: SiteServices, intakes: DatadogIntake[]): [IntakeKey, IntakeService][] {
    if (intakes.length === 0) invalid(this, '`intakes` must name at least one intake, got: []');
    const keys = intakes.map((i) => i.key);
    const repeated = keys.find((k, i) => keys.indexOf(k) !== i);
    if (repeated) invalid(this, `\`intakes\` must not repeat an intake, got ${show(repeated)} twice`);
    return keys.map((key) => {
      if (Token.isUnresolved(key) || !(key in site.intakes)) invalid(this, `\`intakes\` entries must be DatadogIntake constants, got: ${show(key)}`);
      return [key as IntakeKey, site.intakes[key as IntakeKey]];
    });
  }
}
