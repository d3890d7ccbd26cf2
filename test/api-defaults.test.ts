/*
 * Every `@default` of a public props interface (API.md is generated from them) that names a value
 * must be the value the code uses: a construct built without the prop and one built with the prop
 * set to its documented default synthesize the same templates (or are refused with the same
 * message). Each such prop is also set to another value, which must change the outcome, so that
 * the factory is known to reach the prop and the comparison can fail.
 *
 * The defaults are read from src with the TypeScript compiler (the TSDoc API.md is made from),
 * not from API.md or .jsii, so they are current while src is edited.
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ts from 'typescript';
import * as lib from '../src';

const ROOT = path.join(__dirname, '..');
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const SERVICE_NAME = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';
const CLIENT_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:edgeconnect-client-AbCdEf';

/** One `@default` tag of a member of an interface exported from src/index.ts. */
interface DocumentedDefault {
  readonly iface: string;
  readonly prop: string;
  readonly text: string;
  readonly where: string;
}

/** Every `@default` of the exported interfaces' own members, from the TSDoc in src. */
function documentedDefaults(): DocumentedDefault[] {
  const index = path.join(ROOT, 'src', 'index.ts');
  const program = ts.createProgram([index], { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, noEmit: true });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  const found: DocumentedDefault[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    // eslint-disable-next-line no-bitwise
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const declaration of symbol.declarations ?? []) {
      if (!ts.isInterfaceDeclaration(declaration)) continue;
      const source = declaration.getSourceFile();
      for (const member of declaration.members) {
        for (const tag of ts.getJSDocTags(member).filter((t) => t.tagName.text === 'default')) {
          const text = (typeof tag.comment === 'string' ? tag.comment : ts.getTextOfJSDocComment(tag.comment) ?? '').replace(/\s+/g, ' ').trim();
          const line = source.getLineAndCharacterOfPosition(member.getStart()).line + 1;
          found.push({ iface: symbol.name, prop: member.name!.getText(), text, where: `${path.relative(ROOT, source.fileName)}:${line}` });
        }
      }
    }
  }
  return found;
}

/**
 * A default that names a value (jsii's convention: a description starts with `- `), as an
 * expression over the library's exports, `Duration`, `elbv2` and `logs`.
 */
function valueOf(text: string): unknown {
  const scope: Record<string, unknown> = { ...lib, Duration, elbv2, logs };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...Object.keys(scope), `return (${text});`)(...Object.values(scope));
}

/** Builds an app with one object of the props interface patched; returns it for synthesis. */
type Factory = (patch: Record<string, unknown>) => App;

function newStack(app: App, id = 'Stack'): Stack {
  return new Stack(app, id, { env: { account: ACCOUNT, region: REGION } });
}

function newVpc(stack: Stack, id = 'Vpc', cidr = '10.0.0.0/16'): ec2.Vpc {
  return new ec2.Vpc(stack, id, { ipAddresses: ec2.IpAddresses.cidr(cidr), availabilityZones: [`${REGION}a`, `${REGION}b`], natGateways: 1 });
}

/** An app with a stack, a VPC and whatever `build` adds. */
function appWith(build: (stack: Stack, vpc: ec2.Vpc) => void): App {
  const result = new App();
  const stack = newStack(result);
  build(stack, newVpc(stack));
  return result;
}

function endpointIn(stack: Stack, vpc: ec2.IVpc): lib.PrivateLinkEndpoint {
  return new lib.PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE_NAME });
}

const SERVICE_PORT: lib.ExposedPort = { port: 5432, targets: [lib.ServiceTarget.ipAddress('10.0.3.25')] };

function service(stack: Stack, vpc: ec2.IVpc, props: Partial<lib.PrivateLinkServiceProps> = {}): lib.PrivateLinkService {
  return new lib.PrivateLinkService(stack, 'Service', { vpc, allowedPrincipals: ['arn:aws:iam::222222222222:root'], ports: [SERVICE_PORT], ...props });
}

function edgeConnect(
  stack: Stack, vpc: ec2.IVpc, props: Partial<lib.EdgeConnectProps> = {}, config: Partial<lib.EdgeConnectConfigProps> = {},
): lib.EdgeConnect {
  return new lib.EdgeConnect(stack, 'EdgeConnect', {
    vpc,
    config: new lib.EdgeConnectConfig({ name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com', ...config }),
    oauthClient: lib.EdgeConnectOAuthClient.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Client', CLIENT_ARN)),
    ...props,
  });
}

function dynatrace(stack: Stack, vpc: ec2.IVpc, props: Partial<lib.DynatracePrivateLinkProps> = {}): lib.DynatracePrivateLink {
  return new lib.DynatracePrivateLink(stack, 'Dynatrace', {
    environment: lib.DynatraceEnvironment.saas('abc12345'), apiToken: new secretsmanager.Secret(stack, 'ApiToken'), vpc, ...props,
  });
}

/** The factory of each props interface, by name. */
const FACTORIES: Record<string, Factory> = {
  PrivateLinkEndpointProps: (patch) => appWith((stack, vpc) => {
    new lib.PrivateLinkEndpoint(stack, 'Endpoint', { vpc, serviceName: SERVICE_NAME, ...patch });
  }),
  // An import's ports are what its `connections` open by default.
  PrivateLinkEndpointAttributes: (patch) => appWith((stack, vpc) => {
    const imported = lib.PrivateLinkEndpoint.fromPrivateLinkEndpointAttributes(stack, 'Imported', {
      vpcEndpointId: 'vpce-0123456789abcdef0',
      regionalDnsName: 'vpce-0123456789abcdef0.vpce-svc-0123456789abcdef0.eu-west-1.vpce.amazonaws.com',
      regionalHostedZoneId: 'Z0123456789ABCDEFGHIJ',
      vpc,
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0')],
      ...patch,
    });
    imported.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.9.0.0/16'));
  }),
  PrivateLinkEndpointAlarmOptions: (patch) => appWith((stack, vpc) => {
    endpointIn(stack, vpc).addRecommendedAlarms(patch);
  }),
  PrivateDnsOverrideProps: (patch) => appWith((stack, vpc) => {
    new lib.PrivateDnsOverride(stack, 'Dns', {
      zoneName: 'privatelink.getmontecarlo.com', vpc, target: lib.DnsTarget.fromEndpoint(endpointIn(stack, vpc)), records: ['artemis'], ...patch,
    });
  }),
  PrivateLinkServiceProps: (patch) => appWith((stack, vpc) => {
    service(stack, vpc, patch);
  }),
  ExposedPort: (patch) => appWith((stack, vpc) => {
    service(stack, vpc, { ports: [{ ...SERVICE_PORT, ...patch }] });
  }),
  AutoAcceptOptions: (patch) => appWith((stack, vpc) => {
    service(stack, vpc, { autoAccept: patch });
  }),
  PrivateLinkServiceAlarmOptions: (patch) => appWith((stack, vpc) => {
    service(stack, vpc).addRecommendedAlarms(patch);
  }),
  HostnameTargetSyncProps: (patch) => appWith((stack, vpc) => {
    const owner = service(stack, vpc, { ports: [{ port: 5432, ipTargetsSyncedExternally: true }] });
    const database = new ec2.SecurityGroup(stack, 'Database', { vpc });
    new lib.HostnameTargetSync(stack, 'Sync', {
      vpc, targetGroup: owner.targetGroupFor(5432), port: 5432, hostname: lib.SyncedHostname.of('db.internal.example.com', { target: database }), ...patch,
    });
  }),
  PrivateLinkProbeProps: (patch) => appWith((stack, vpc) => {
    new lib.PrivateLinkProbe(stack, 'Probe', { hostname: 'api.example.com', vpcs: [vpc], ...patch });
  }),
  // A preset's probe, and spokes' shared probe: a spoke that states a default shares the probe
  // of a spoke that leaves it out.
  LinkProbeOptions: (patch) => appWith((stack, vpc) => {
    const monteCarlo = new lib.MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE_NAME, probe: patch });
    new lib.SpokePeering(stack, 'SpokeA', {
      endpoint: monteCarlo.endpoint, spokeVpc: newVpc(stack, 'SpokeVpcA', '10.1.0.0/16'), probeHostname: 'api.example.com',
    });
    new lib.SpokePeering(stack, 'SpokeB', {
      endpoint: monteCarlo.endpoint, spokeVpc: newVpc(stack, 'SpokeVpcB', '10.2.0.0/16'), probeHostname: 'api.example.com', probe: patch,
    });
  }),
  MonteCarloPrivateLinkProps: (patch) => appWith((stack, vpc) => {
    new lib.MonteCarloPrivateLink(stack, 'MonteCarlo', { vpc, serviceName: SERVICE_NAME, ...patch });
  }),
  DatadogPrivateLinkProps: (patch) => appWith((stack, vpc) => {
    new lib.DatadogPrivateLink(stack, 'Datadog', { vpc, site: lib.DatadogSite.UK1, ...patch });
  }),
  MongoDbAtlasPrivateLinkProps: (patch) => appWith((stack, vpc) => {
    const credentials = secretsmanager.Secret.fromSecretNameV2(stack, 'AtlasCredentials', 'mongodb-atlas/service-account');
    new lib.MongoDbAtlasPrivateLink(stack, 'Atlas', {
      vpc, projectId: '0123456789abcdef01234567', credentials, probeHostname: 'pl-0-eu-west-1.ab1cd.mongodb.net', ...patch,
    });
  }),
  RiveryPrivateLinkProps: (patch) => appWith((stack, vpc) => {
    const tunnel = new ec2.Instance(stack, 'Tunnel', {
      vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.genericLinux({ [REGION]: 'ami-0123456789abcdef0' }),
    });
    new lib.RiveryPrivateLink(stack, 'Rivery', { vpc, target: lib.RiveryTarget.sshTunnel(tunnel), ...patch });
  }),
  DynatracePrivateLinkProps: (patch) => appWith((stack, vpc) => {
    dynatrace(stack, vpc, patch);
  }),
  DynatraceTransitGatewayOptions: (patch) => appWith((stack, vpc) => {
    dynatrace(stack, vpc).addSpokeVpcThroughTransitGateway('Spoke', newVpc(stack, 'SpokeVpc', '10.1.0.0/16'), {
      transitGatewayId: 'tgw-0123456789abcdef0', ...patch,
    });
  }),
  SpokePeeringProps: (patch) => appWith((stack, vpc) => {
    new lib.SpokePeering(stack, 'Spoke', {
      endpoint: endpointIn(stack, vpc), spokeVpc: newVpc(stack, 'SpokeVpc', '10.1.0.0/16'), probeHostname: 'api.example.com', ...patch,
    });
  }),
  TransitGatewaySpokeProps: (patch) => appWith((stack, vpc) => {
    new lib.TransitGatewaySpoke(stack, 'Spoke', {
      endpoint: endpointIn(stack, vpc),
      spokeVpc: newVpc(stack, 'SpokeVpc', '10.1.0.0/16'),
      transitGatewayId: 'tgw-0123456789abcdef0',
      probeHostname: 'api.example.com',
      ...patch,
    });
  }),
  NewTransitGatewayOptions: (patch) => appWith((stack) => {
    lib.TransitGatewaySpoke.newTransitGateway(stack, 'Tgw', patch);
  }),
  EdgeConnectProps: (patch) => appWith((stack, vpc) => {
    edgeConnect(stack, vpc, patch);
  }),
  EdgeConnectAutoScaling: (patch) => appWith((stack, vpc) => {
    edgeConnect(stack, vpc, { autoScaling: { minCapacity: 2, maxCapacity: 4, ...patch } });
  }),
  EdgeConnectHealthAlarms: (patch) => appWith((stack, vpc) => {
    edgeConnect(stack, vpc, { healthAlarms: patch });
  }),
  EdgeConnectHealthProps: (patch) => appWith((stack, vpc) => {
    const construct = edgeConnect(stack, vpc, { healthAlarms: { enabled: false } });
    new lib.EdgeConnectHealth(stack, 'Health', { service: construct.service, logGroup: construct.logGroup, ...patch });
  }),
  EdgeConnectConfigProps: (patch) => appWith((stack, vpc) => {
    edgeConnect(stack, vpc, {}, patch);
  }),
  OAuthClientSecretFields: (patch) => appWith((stack, vpc) => {
    edgeConnect(stack, vpc, {
      oauthClient: lib.EdgeConnectOAuthClient.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'FieldsClient', CLIENT_ARN), patch),
    });
  }),
  DynatraceActiveGateTokenProps: (patch) => appWith((stack) => {
    new lib.DynatraceActiveGateToken(stack, 'Token', {
      environment: lib.DynatraceEnvironment.saas('abc12345'), apiToken: new secretsmanager.Secret(stack, 'ApiToken'), ...patch,
    });
  }),
  PrivateLinkDashboardProps: (patch) => appWith((stack, vpc) => {
    const probe = new lib.PrivateLinkProbe(stack, 'Probe', { hostname: 'api.example.com', vpcs: [vpc] });
    new lib.PrivateLinkDashboard(stack, 'Dashboard', { endpoint: endpointIn(stack, vpc), probeMetrics: [probe.metricReachable(vpc)], ...patch });
  }),
};

/** Factories for a prop that needs more around it than its interface's factory has. */
const PROP_FACTORIES: Record<string, Factory> = {
  // Only meaningful with security groups.
  'PrivateLinkServiceProps.enforceSecurityGroupRulesOnPrivateLinkTraffic': (patch) => appWith((stack, vpc) => {
    service(stack, vpc, { securityGroups: [new ec2.SecurityGroup(stack, 'LoadBalancerSg', { vpc })], ...patch });
  }),
  // What it changes is whether a port without targets is taken.
  'ExposedPort.ipTargetsSyncedExternally': (patch) => appWith((stack, vpc) => {
    service(stack, vpc, { ports: [{ port: 5432, ...patch }] });
  }),
  // What it changes is whether a zone for a vendor's shared domain is taken.
  'PrivateDnsOverrideProps.allowSharedVendorDomain': (patch) => appWith((stack, vpc) => {
    new lib.PrivateDnsOverride(stack, 'Dns', {
      zoneName: 'live.dynatrace.com', vpc, target: lib.DnsTarget.fromEndpoint(endpointIn(stack, vpc)), ...patch,
    });
  }),
};

/**
 * Another valid value of each prop, which must change the outcome. Booleans are flipped and
 * numbers raised by one unless named here.
 */
const OTHER_VALUES: Record<string, unknown> = {
  'PrivateLinkEndpointProps.ports': [8443],
  'PrivateLinkEndpointAttributes.ports': [8443],
  'PrivateDnsOverrideProps.ttl': Duration.minutes(1),
  'AutoAcceptOptions.unlistedConnections': lib.UnlistedConnectionAction.REJECT,
  'AutoAcceptOptions.sweepInterval': Duration.minutes(10),
  'HostnameTargetSyncProps.interval': Duration.minutes(2),
  'HostnameTargetSyncProps.missingTimeBeforeDeregistration': Duration.minutes(4),
  'HostnameTargetSyncProps.ipAddressType': elbv2.TargetGroupIpAddressType.IPV6,
  'PrivateLinkProbeProps.interval': Duration.minutes(10),
  'PrivateLinkProbeProps.timeout': Duration.seconds(10),
  'LinkProbeOptions.interval': Duration.minutes(10),
  'MonteCarloPrivateLinkProps.hostname': 'other.privatelink.getmontecarlo.com',
  'NewTransitGatewayOptions.description': 'Another hub',
  'EdgeConnectProps.cpu': 2048,
  'EdgeConnectProps.memoryLimitMiB': 4096,
  'EdgeConnectProps.logRetention': logs.RetentionDays.ONE_MONTH,
  'EdgeConnectProps.initUser': '0:0',
  'EdgeConnectAutoScaling.cpuTargetUtilizationPercent': 70,
  'EdgeConnectHealthAlarms.errorLogPattern': '?"ERROR"',
  'EdgeConnectHealthAlarms.errorLogPeriod': Duration.minutes(10),
  'EdgeConnectConfigProps.oauthEndpoint': 'https://sso-sprint.dynatracelabs.com/sso/oauth2/token',
  'OAuthClientSecretFields.clientIdField': 'id',
  'OAuthClientSecretFields.clientSecretField': 'secret',
  'DynatraceActiveGateTokenProps.activeGateType': lib.ActiveGateType.CLUSTER,
  'DynatraceActiveGateTokenProps.expiry': lib.ActiveGateTokenExpiry.months(3),
  'DynatraceActiveGateTokenProps.rotateBefore': Duration.days(20),
  'DynatraceActiveGateTokenProps.alarmBeforeExpiry': Duration.days(7),
  'PrivateLinkDashboardProps.probeTitle': 'Vendor API probe',
  'PrivateLinkDashboardProps.period': Duration.minutes(1),
};

/**
 * Value defaults this test does not synthesize, each with the reason. Empty today: a new value
 * default needs a factory above, or an entry here that says why it cannot have one.
 */
const UNCHECKED: Record<string, string> = {};

function otherValue(key: string, documented: unknown): unknown {
  if (key in OTHER_VALUES) return OTHER_VALUES[key];
  if (typeof documented === 'boolean') return !documented;
  if (typeof documented === 'number') return documented + 1;
  throw new Error(`${key}: name another value in OTHER_VALUES`);
}

/** The templates of every stack of the app the factory builds, or the message it was refused with. */
function outcome(factory: Factory, patch: Record<string, unknown>): unknown {
  let built: App;
  try {
    built = factory(patch);
  } catch (error) {
    return { refused: (error as Error).message };
  }
  return Object.fromEntries(built.synth().stacks.map((s) => [s.stackName, s.template]));
}

const DEFAULTS = documentedDefaults();
const VALUE_DEFAULTS = DEFAULTS.filter((d) => !d.text.startsWith('- '));
const DESCRIBED = DEFAULTS.filter((d) => d.text.startsWith('- '));
const keyOf = (d: DocumentedDefault) => `${d.iface}.${d.prop}`;
const factoryOf = (d: DocumentedDefault): Factory | undefined => PROP_FACTORIES[keyOf(d)] ?? FACTORIES[d.iface];
const CHECKED = VALUE_DEFAULTS.filter((d) => !(keyOf(d) in UNCHECKED));

describe('the @default tags of the public props interfaces', () => {
  test('are read from src: value defaults and described defaults both exist', () => {
    // A parser that found nothing would make every other test here pass vacuously.
    expect(VALUE_DEFAULTS.length).toBeGreaterThan(50);
    expect(DESCRIBED.length).toBeGreaterThan(50);
    expect(VALUE_DEFAULTS.map(keyOf)).toEqual(expect.arrayContaining(['PrivateLinkEndpointProps.ports', 'PrivateLinkProbeProps.interval']));
  });

  test('a described default describes: it is not a bare value behind "- "', () => {
    const bare = DESCRIBED.filter((d) => /^- *(true|false|-?\d+(\.\d+)?|"[^"]*"|\[[^\]]*\])$/.test(d.text)).map((d) => `${keyOf(d)} (${d.where}): ${d.text}`);
    expect(bare).toEqual([]);
  });

  test('every value default is an expression of the library\'s API, with a factory that synthesizes it (or a reason in UNCHECKED)', () => {
    const problems: string[] = [];
    for (const d of VALUE_DEFAULTS) {
      try {
        valueOf(d.text);
      } catch (error) {
        problems.push(`${keyOf(d)} (${d.where}): @default ${d.text} is not a value (${(error as Error).message}); describe it with "- "`);
      }
      if (!(keyOf(d) in UNCHECKED) && !factoryOf(d)) problems.push(`${keyOf(d)} (${d.where}): no factory for ${d.iface}`);
    }
    for (const key of Object.keys(UNCHECKED)) {
      if (!VALUE_DEFAULTS.some((d) => keyOf(d) === key)) problems.push(`UNCHECKED names ${key}, which has no value default`);
    }
    for (const key of [...Object.keys(OTHER_VALUES), ...Object.keys(PROP_FACTORIES)]) {
      if (!CHECKED.some((d) => keyOf(d) === key)) problems.push(`${key} is named in this test but has no value default`);
    }
    expect(problems).toEqual([]);
  });

  describe.each(CHECKED.map((d) => [keyOf(d), d] as const))('%s', (_key, d) => {
    const factory = factoryOf(d)!;
    const documented = valueOf(d.text);
    let without: unknown;
    const left = () => (without ??= outcome(factory, {}));

    test(`@default ${d.text}: the same outcome as leaving it out`, () => {
      // Only a prop whose effect is a refusal (PROP_FACTORIES) may compare two refusals.
      if (!(keyOf(d) in PROP_FACTORIES)) expect(left()).not.toHaveProperty('refused');
      expect(outcome(factory, { [d.prop]: documented })).toEqual(left());
    });

    test('another value changes the outcome (the factory reaches the prop)', () => {
      const other = outcome(factory, { [d.prop]: otherValue(keyOf(d), documented) });
      expect(other).not.toEqual(left());
      // Two refusals would prove nothing about the prop: at least one of the two builds synthesizes.
      expect([left(), other].filter((o) => !(o as { refused?: string }).refused)).not.toHaveLength(0);
    });
  });
});
