/**
 * The VPC-shape matrix: every construct that places something in a VPC, synthesized against the
 * VPC shapes real accounts have (test/vpc-shapes/shapes.ts), and for spokes with the hub and the
 * spoke in one stack, in two stacks, and in two regions. Each cell either synthesizes into
 * templates that pass the rules AWS applies at deploy time (test/vpc-shapes/deploy-rules.ts), or
 * is refused at synth with an error that names a prop, where the shape lacks what the construct
 * needs (route tables, subnet CIDR blocks). Prints the matrix's size and result.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { checkDeployRules } from './deploy-rules';
import { VPC_SHAPES, VpcShape } from './shapes';
import {
  DnsTarget, DynatraceEnvironment, DynatracePrivateLink, MonteCarloPrivateLink, PrivateDnsOverride, PrivateLinkEndpoint,
  PrivateLinkService, RiveryPrivateLink, RiveryTarget, ServiceTarget, SpokePeering, TransitGatewaySpoke,
} from '../../src';

const ACCOUNT = '111111111111';
const HUB_REGION = 'ap-southeast-2';
const SERVICE = 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0';
const TGW = 'tgw-0123456789abcdef0';

interface Cell {
  readonly name: string;
  /** shapes in the cell that may be refused */
  readonly shapes: VpcShape[];
  /** builds the app; returns every VPC in it */
  readonly build: (app: App) => ec2.IVpc[];
}

const hubStack = (app: App) => new Stack(app, 'Hub', { env: { account: ACCOUNT, region: HUB_REGION } });

// ---- One VPC ----------------------------------------------------------------------------------

const singles: Record<string, (scope: Construct, vpc: ec2.IVpc) => void> = {
  'PrivateLinkEndpoint + PrivateDnsOverride': (scope, vpc) => {
    const endpoint = new PrivateLinkEndpoint(scope, 'Endpoint', { vpc, serviceName: SERVICE });
    new PrivateDnsOverride(scope, 'Dns', { zoneName: 'vendor.example.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
  },
  'PrivateLinkEndpoint without AZ filter': (scope, vpc) => {
    new PrivateLinkEndpoint(scope, 'Endpoint', { vpc, serviceName: SERVICE, filterSupportedAzs: false });
  },
  'DynatracePrivateLink': (scope, vpc) => {
    new DynatracePrivateLink(scope, 'Dynatrace', {
      environment: DynatraceEnvironment.saas('abc12345'),
      apiToken: secretsmanager.Secret.fromSecretNameV2(scope, 'Token', 'dynatrace/api-token'),
      vpc,
    });
  },
  'MonteCarloPrivateLink': (scope, vpc) => {
    new MonteCarloPrivateLink(scope, 'MonteCarlo', { vpc, serviceName: SERVICE });
  },
  'PrivateLinkService, a target opened twice and by allowTargetAccess': (scope, vpc) => {
    const service = new PrivateLinkService(scope, 'Service', {
      vpc,
      allowedPrincipals: [`arn:aws:iam::${ACCOUNT}:root`],
      ports: [{ port: 5432, targets: [ServiceTarget.ipAddress('10.99.0.10', { availabilityZone: 'all' })] }],
    });
    const db = ec2.SecurityGroup.fromSecurityGroupId(scope, 'DbGroup', 'sg-0123456789abcdef0');
    db.connections.allowFrom(service, ec2.Port.tcp(5432));
    db.connections.allowFrom(service, ec2.Port.tcp(5432));
    service.allowTargetAccess(db, 5432);
  },
  'RiveryPrivateLink to an RDS instance, opened again by hand': (scope, vpc) => {
    const instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(scope, 'Db', {
      instanceIdentifier: 'db',
      instanceEndpointAddress: 'db.abc.ap-southeast-2.rds.amazonaws.com',
      port: 5432,
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(scope, 'DbGroup', 'sg-0123456789abcdef0')],
    });
    const rivery = new RiveryPrivateLink(scope, 'Rivery', { vpc, target: RiveryTarget.databaseInstance(instance), port: 5432 });
    rivery.service.allowTargetAccess(instance, 5432);
  },
};

const cells: Cell[] = [];
for (const [construct, make] of Object.entries(singles)) {
  for (const shape of VPC_SHAPES) {
    cells.push({
      name: `${construct} | ${shape.name}`,
      shapes: [shape],
      build: (app) => {
        const stack = hubStack(app);
        const vpc = shape.make(stack, 40);
        make(stack, vpc);
        return [vpc];
      },
    });
  }
}

// ---- Hub and spoke ----------------------------------------------------------------------------

type Layout = 'hub stack' | 'two stacks' | 'two regions';
type SpokeKind = 'SpokePeering' | 'TransitGatewaySpoke' | 'DynatracePrivateLink.addSpokeVpc';

function spokeCell(kind: SpokeKind, layout: Layout, hubShape: VpcShape, spokeShape: VpcShape): Cell {
  return {
    name: `${kind} | ${layout} | hub: ${hubShape.name} | spoke: ${spokeShape.name}`,
    shapes: [hubShape, spokeShape],
    build: (app) => {
      const hub = hubStack(app);
      const hubVpc = hubShape.make(hub, 40);
      const spokeScope: Construct = layout === 'hub stack'
        ? new Construct(hub, 'SpokeNetwork')
        : new Stack(app, 'Spoke', { env: { account: ACCOUNT, region: layout === 'two regions' ? 'ap-northeast-1' : HUB_REGION } });
      const spokeVpc = spokeShape.make(spokeScope, 41);
      if (kind === 'DynatracePrivateLink.addSpokeVpc') {
        const dynatrace = new DynatracePrivateLink(hub, 'Dynatrace', {
          environment: DynatraceEnvironment.saas('abc12345'),
          apiToken: secretsmanager.Secret.fromSecretNameV2(hub, 'Token', 'dynatrace/api-token'),
          vpc: hubVpc,
        });
        dynatrace.addSpokeVpc('Spoke', spokeVpc);
        return [hubVpc, spokeVpc];
      }
      const endpoint = new PrivateLinkEndpoint(hub, 'Endpoint', { vpc: hubVpc, serviceName: SERVICE });
      const dns = new PrivateDnsOverride(hub, 'Dns', { zoneName: 'vendor.example.com', vpc: hubVpc, target: DnsTarget.fromEndpoint(endpoint) });
      if (kind === 'SpokePeering') {
        new SpokePeering(hub, 'Peering', { endpoint, spokeVpc, dnsOverrides: [dns] });
      } else {
        new TransitGatewaySpoke(hub, 'Attached', {
          endpoint,
          spokeVpc,
          dnsOverrides: [dns],
          transitGatewayId: TGW,
          ...(layout === 'two regions' ? { spokeTransitGatewayId: 'tgw-0fedcba9876543210' } : {}),
        });
      }
      return [hubVpc, spokeVpc];
    },
  };
}

const standardHub = VPC_SHAPES.find((s) => s.name === 'created, 2 AZs')!;
for (const kind of ['SpokePeering', 'TransitGatewaySpoke', 'DynatracePrivateLink.addSpokeVpc'] as SpokeKind[]) {
  for (const layout of ['hub stack', 'two stacks', 'two regions'] as Layout[]) {
    for (const spokeShape of VPC_SHAPES) cells.push(spokeCell(kind, layout, standardHub, spokeShape));
  }
  for (const hubShape of VPC_SHAPES.filter((s) => s !== standardHub)) cells.push(spokeCell(kind, 'two stacks', hubShape, standardHub));
}

// ---- The run ----------------------------------------------------------------------------------

type Outcome = { kind: 'ok' } | { kind: 'refused'; message: string } | { kind: 'broken'; problems: string[] };

function run(cell: Cell): Outcome {
  const app = new App();
  let vpcs: ec2.IVpc[];
  try {
    vpcs = cell.build(app);
    app.synth();
  } catch (e) {
    return { kind: 'refused', message: (e as Error).message.split('\n')[0] };
  }
  const problems = checkDeployRules(app, vpcs);
  return problems.length === 0 ? { kind: 'ok' } : { kind: 'broken', problems };
}

// aws-cdk-lib's template validation prints a warning for every hard-coded AZ of every cell; the
// matrix checks the rules it cares about itself.
beforeAll(() => jest.spyOn(console, 'error').mockImplementation(() => undefined));
afterAll(() => jest.restoreAllMocks());

test('every construct, on every VPC shape and layout, deploys by AWS\'s rules or is refused at synth naming a prop', () => {
  const results = cells.map((cell) => ({ cell, outcome: run(cell) }));
  const failures = results.flatMap(({ cell, outcome }) => {
    if (outcome.kind === 'broken') return outcome.problems.map((p) => `${cell.name}: ${p}`);
    if (outcome.kind === 'refused') {
      if (!cell.shapes.some((s) => s.refusable)) return [`${cell.name}: refused a shape real accounts have: ${outcome.message}`];
      if (!/`[A-Za-z.]+`/.test(outcome.message)) return [`${cell.name}: refused without naming a prop: ${outcome.message}`];
    }
    return [];
  });
  const count = (kind: Outcome['kind']) => results.filter((r) => r.outcome.kind === kind).length;
  process.stdout.write(`VPC-shape matrix: ${results.length} cells (${Object.keys(singles).length} single-VPC constructs x ${VPC_SHAPES.length} shapes, `
    + `3 spoke constructs x 3 layouts x ${VPC_SHAPES.length} spoke shapes and ${VPC_SHAPES.length - 1} more hub shapes): `
    + `${count('ok')} pass the deploy-time rules, ${count('refused')} refused at synth, ${count('broken')} broken; ${failures.length} failure(s)\n`);
  for (const { cell, outcome } of results) {
    if (outcome.kind === 'refused') process.stdout.write(`  refused: ${cell.name}: ${outcome.message.slice(0, 160)}\n`);
  }
  expect(failures).toEqual([]);
});
