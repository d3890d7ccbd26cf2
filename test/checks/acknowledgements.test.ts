import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PrivateLinkChecks, PrivateLinkChecksProps } from '../../src';

/*
 * The pack in the two places users run it: as aws-cdk-lib's synth-time validation plugin, and
 * directly with validateScope (the README's unit-test pattern). Both must agree on what fails
 * and on which acknowledgement silences a finding.
 */

const ENV = { account: '111111111111', region: 'eu-west-1' };
const ACK_HINT = /Acknowledge with '([^']+)'/g;

/**
 * An app with one endpoint service that has one finding: `open` allows "*" (an error),
 * otherwise acceptance is not required (a warning).
 */
function appWith(finding: 'warning' | 'error', services = 1) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-ack-')) });
  const stack = new Stack(app, 'Provider', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), maxAzs: 2, natGateways: 0 });
  const constructs: ec2.VpcEndpointService[] = [];
  for (let i = 0; i < services; i++) {
    const lb = new elbv2.NetworkLoadBalancer(stack, `Nlb${i}`, { vpc, internetFacing: false });
    constructs.push(new ec2.VpcEndpointService(stack, `Service${i}`, {
      vpcEndpointServiceLoadBalancers: [lb],
      acceptanceRequired: finding === 'error',
      allowedPrincipals: [finding === 'error' ? new iam.AnyPrincipal() : new iam.ArnPrincipal('arn:aws:iam::123456789012:root')],
    }));
  }
  return { app, services: constructs };
}

const RULE = { warning: 'PrivateLink-EndpointServiceAcceptance', error: 'PrivateLink-EndpointServicePrincipals' };

interface SynthOutcome {
  /** The synth threw (aws-cdk-lib fails the app). */
  readonly failed: boolean;
  /** The report text, thrown or printed. */
  readonly report: string;
  /** The IDs the report says to acknowledge with. */
  readonly hints: string[];
}

/** Synthesizes the app with the pack as its validation plugin, the way the README adds it. */
function synth(app: App, props?: PrivateLinkChecksProps): SynthOutcome {
  Validations.of(app).addPlugins(new PrivateLinkChecks(app, props));
  const printed: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')); });
  let failed = false;
  try {
    app.synth();
  } catch (e) {
    failed = true;
    printed.push((e as Error).message);
  } finally {
    spy.mockRestore();
  }
  // Keep only our plugin's part: aws-cdk-lib's own template checks may print warnings too.
  const report = printed.join('\n');
  const hints = [...report.matchAll(ACK_HINT)].map((m) => m[1]).filter((id) => id.startsWith('PrivateLink::'));
  return { failed, report, hints };
}

describe.each(['error', 'warning'] as const)('one %s-level finding', (level) => {
  test('the synth and validateScope agree, and the report prints one acknowledgement ID', () => {
    const direct = new PrivateLinkChecks().validateScope(appWith(level).app);
    expect(direct.violations.map((v) => [v.ruleName, v.severity])).toEqual([[RULE[level], level]]);
    expect(direct.success).toBe(level !== 'error');

    const synthesized = synth(appWith(level).app);
    expect(synthesized.failed).toBe(level === 'error');
    expect(synthesized.hints).toEqual([`PrivateLink::${RULE[level]}`]);
  });

  test('acknowledged once, with the ID the report prints, it passes both the synth and validateScope', () => {
    const hint = synth(appWith(level).app).hints[0];
    expect(hint).toBe(`PrivateLink::${RULE[level]}`);

    const { app, services } = appWith(level);
    Validations.of(services[0]).acknowledge({ id: hint, reason: 'Accepted for this test.' });
    const direct = new PrivateLinkChecks().validateScope(app);
    expect(direct).toEqual({ success: true, violations: [] });
    const synthesized = synth(app);
    expect(synthesized.failed).toBe(false);
    expect(synthesized.hints).toEqual([]);
  });
});

describe('where an acknowledgement applies', () => {
  test('on a construct above the resource (the stack) it covers the resources below', () => {
    const { app, services } = appWith('error', 2);
    Validations.of(Stack.of(services[0])).acknowledge({ id: `PrivateLink::${RULE.error}`, reason: 'Both are ours.' });
    expect(new PrivateLinkChecks().validateScope(app).violations).toEqual([]);
    expect(synth(app).failed).toBe(false);
  });

  test('on one resource it leaves another resource\'s finding reported by validateScope', () => {
    const { app, services } = appWith('error', 2);
    Validations.of(services[0]).acknowledge({ id: `PrivateLink::${RULE.error}`, reason: 'This one only.' });
    const report = new PrivateLinkChecks().validateScope(app);
    expect(report.success).toBe(false);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath)))
      .toEqual([services[1].node.findAll().find((c) => c instanceof ec2.CfnVPCEndpointServicePermissions)!.node.path]);
  });

  test('at synth time aws-cdk-lib matches it, and lists it with its reason in validation-report.json', () => {
    const { app, services } = appWith('error');
    Validations.of(services[0]).acknowledge({ id: `PrivateLink::${RULE.error}`, reason: 'The vendor reviews every request.' });
    expect(synth(app).failed).toBe(false);
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
    const ours = report.pluginReports.find((r: { pluginName: string }) => r.pluginName === 'PrivateLink');
    expect(ours.violations).toEqual([]);
    expect(ours.suppressedViolations).toEqual([expect.objectContaining({
      ruleName: RULE.error,
      acknowledgedId: `PrivateLink::${RULE.error}`,
      reason: 'The vendor reviews every request.',
      acknowledgedAt: services[0].node.path,
    })]);
  });

  test('on the floor (aws-cdk-lib 2.262.0) the synth matches it by ID alone, across the app (README says so)', () => {
    // validateScope, and the synth of later aws-cdk-lib (checked on 2.278.0), hold it to the
    // construct and what is under it; the unit test is the stricter of the two.
    const { app, services } = appWith('error', 2);
    Validations.of(services[0]).acknowledge({ id: `PrivateLink::${RULE.error}`, reason: 'This one only.' });
    expect(new PrivateLinkChecks().validateScope(app).success).toBe(false);
    expect(synth(app).failed).toBe(false);
  });

  test('another rule\'s ID, or another pack\'s prefix, acknowledges nothing', () => {
    for (const id of [`PrivateLink::${RULE.warning}`, `AwsSolutions::${RULE.error}`]) {
      const { app, services } = appWith('error');
      Validations.of(services[0]).acknowledge({ id, reason: 'Wrong ID.' });
      expect(new PrivateLinkChecks().validateScope(app).violations.map((v) => v.ruleName)).toEqual([RULE.error]);
      expect(synth(app).failed).toBe(true);
    }
  });

  test('the bare rule ID, which earlier README versions showed, still passes both', () => {
    const { app, services } = appWith('error');
    Validations.of(services[0]).acknowledge({ id: RULE.error, reason: 'Written before the prefixed form.' });
    expect(new PrivateLinkChecks().validateScope(app).violations).toEqual([]);
    expect(synth(app).failed).toBe(false);
  });
});

describe('levels', () => {
  test('by default errors fail the synth and warnings are printed without failing it', () => {
    const { app } = appWith('warning');
    const synthesized = synth(app);
    expect(synthesized.failed).toBe(false);
    expect(synthesized.report).toMatch(/WARNING The VPC endpoint service does not require acceptance/);
  });

  test('`errors` makes a warning fail the synth and validateScope, in either ID form', () => {
    for (const id of [RULE.warning, `PrivateLink::${RULE.warning}`]) {
      const direct = new PrivateLinkChecks(undefined, { errors: [id] }).validateScope(appWith('warning').app);
      expect(direct.violations.map((v) => v.severity)).toEqual(['error']);
      expect(direct.success).toBe(false);
      expect(synth(appWith('warning').app, { errors: [id] }).failed).toBe(true);
    }
  });

  test('`warnings` makes an error pass the synth and validateScope, still reported', () => {
    const direct = new PrivateLinkChecks(undefined, { warnings: [RULE.error] }).validateScope(appWith('error').app);
    expect(direct.violations.map((v) => [v.ruleName, v.severity])).toEqual([[RULE.error, 'warning']]);
    expect(direct.success).toBe(true);
    const synthesized = synth(appWith('error').app, { warnings: [RULE.error] });
    expect(synthesized.failed).toBe(false);
    expect(synthesized.hints).toEqual([`PrivateLink::${RULE.error}`]);
  });

  test('refuses IDs that are not the pack\'s rules, and a rule named in both lists', () => {
    expect(() => new PrivateLinkChecks(undefined, { errors: ['AwsSolutions-EC23'] }))
      .toThrow(/`errors` entries must be rule IDs of PrivateLinkChecks \(PrivateLink-EndpointServiceAcceptance, .*\), got: "AwsSolutions-EC23"/);
    expect(() => new PrivateLinkChecks(undefined, { warnings: ['PrivateLink-EndpointServiceAcceptence'] }))
      .toThrow(/`warnings` entries must be rule IDs .* got: "PrivateLink-EndpointServiceAcceptence"/);
    expect(() => new PrivateLinkChecks(undefined, { errors: [RULE.warning], warnings: [`PrivateLink::${RULE.warning}`] }))
      .toThrow(/`errors` and `warnings` must not both name a rule, got: "PrivateLink-EndpointServiceAcceptance" in both/);
  });
});
