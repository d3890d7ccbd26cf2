/*
 * `LinkProbeOptions.outputs`: the probe a preset or spoke adds gets `<owner ID>ProbeOk` and
 * `<owner ID>ProbeDiagnosis` in the probe's own stack, only when asked.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  DnsTarget, DynatraceEnvironment, DynatracePrivateLink, LinkProbeOptions, MonteCarloPrivateLink,
  PrivateDnsOverride, PrivateLinkEndpoint, PrivateLinkProbe, SpokePeering,
} from '../../src';

const ACCOUNT = '111111111111';
const env = (region: string) => ({ account: ACCOUNT, region });
const vpcIn = (stack: Stack, id: string, cidr: string) =>
  new ec2.Vpc(stack, id, { ipAddresses: ec2.IpAddresses.cidr(cidr), natGateways: 0, maxAzs: 2 });

function outputsOf(stack: Stack): Record<string, { Value: unknown; Description: string }> {
  return Template.fromStack(stack).toJSON().Outputs ?? {};
}

/** A Dynatrace hub in Sydney with the given probe options, and a Tokyo stack for its spokes. */
function dynatraceHub(probe?: LinkProbeOptions) {
  const app = new App();
  const hub = new Stack(app, 'Hub', { env: env('ap-southeast-2') });
  const tokyo = new Stack(app, 'Tokyo', { env: env('ap-northeast-1') });
  const dynatrace = new DynatracePrivateLink(hub, 'Dynatrace', {
    environment: DynatraceEnvironment.saas('abc12345'),
    apiToken: secretsmanager.Secret.fromSecretNameV2(hub, 'Token', 'dynatrace/api-token'),
    vpc: vpcIn(hub, 'HubVpc', '10.0.0.0/16'),
    probe,
  });
  return { app, hub, tokyo, dynatrace };
}

function presets(probe?: LinkProbeOptions) {
  const { app, hub, tokyo, dynatrace } = dynatraceHub(probe);
  const monteCarlo = new MonteCarloPrivateLink(hub, 'MonteCarlo', {
    vpc: vpcIn(hub, 'AgentVpc', '10.1.0.0/16'),
    serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0',
    probe,
  });
  const remote = dynatrace.addSpokeVpc('Sydney', vpcIn(tokyo, 'SpokeVpc', '10.2.0.0/16'));
  const local = dynatrace.addSpokeVpc('Local', vpcIn(hub, 'LocalVpc', '10.3.0.0/16'));
  app.synth();
  return { hub, tokyo, dynatrace, monteCarlo, remote, local };
}

describe('LinkProbeOptions.outputs', () => {
  test('off by default: the presets, their spokes and their probes add no output', () => {
    const { hub, tokyo, remote } = presets();
    expect(Object.keys(outputsOf(hub)).filter((id) => /Probe/.test(id))).toEqual([]);
    expect(Object.keys(outputsOf(Stack.of(remote.probe!)))).toEqual([]);
    expect(Object.keys(outputsOf(tokyo)).filter((id) => /Probe/.test(id))).toEqual([]);
  });

  describe('with outputs: true', () => {
    const { hub, dynatrace, monteCarlo, remote, local } = presets({ outputs: true });
    const hubOutputs = outputsOf(hub);

    test('each preset\'s probe has outputs named after the preset, so two presets in one stack do not collide', () => {
      expect(Object.keys(hubOutputs).filter((id) => /Probe/.test(id)).sort()).toEqual([
        'DynatraceProbeDiagnosis', 'DynatraceProbeOk', 'LocalProbeDiagnosis', 'LocalProbeOk', 'MonteCarloProbeDiagnosis', 'MonteCarloProbeOk',
      ]);
    });

    test('the values are the probe\'s deploy-time check result, in the probe\'s stack', () => {
      const checkId = (probe: PrivateLinkProbe) => hub.getLogicalId(probe.node.findChild('DeployTimeCheck').node.defaultChild as never);
      expect(hubOutputs.DynatraceProbeOk.Value).toEqual({ 'Fn::GetAtt': [checkId(dynatrace.probe!), 'Ok'] });
      expect(hubOutputs.DynatraceProbeDiagnosis.Value).toEqual({ 'Fn::GetAtt': [checkId(dynatrace.probe!), 'Diagnosis'] });
      expect(hubOutputs.MonteCarloProbeOk.Value).toEqual({ 'Fn::GetAtt': [checkId(monteCarlo.probe!), 'Ok'] });
      expect(hubOutputs.LocalProbeOk.Value).toEqual({ 'Fn::GetAtt': [checkId(local.probe!), 'Ok'] });
      expect(hubOutputs.DynatraceProbeOk.Description).toBe('Whether every VPC reaches abc12345.live.dynatrace.com:443 privately (true or false)');
    });

    test('a spoke in another region has its probe\'s outputs in the probe\'s stack (its group\'s DNS stack), named after the spoke', () => {
      const probeStack = Stack.of(remote.probe!);
      expect(probeStack).toBe(remote.dnsStack);
      expect([probeStack.stackName, probeStack.region]).toEqual(['Hub-Tokyo-SpokeDns', 'ap-northeast-1']);
      expect(remote.probe!.node.path).toBe('Hub-Tokyo-SpokeDns/SpokesProbe');
      const outputs = outputsOf(probeStack);
      expect(Object.keys(outputs).sort()).toEqual(['SydneyProbeDiagnosis', 'SydneyProbeOk']);
      const checkId = probeStack.getLogicalId(remote.probe!.node.findChild('DeployTimeCheck').node.defaultChild as never);
      expect(outputs.SydneyProbeOk.Value).toEqual({ 'Fn::GetAtt': [checkId, 'Ok'] });
      expect(outputs.SydneyProbeDiagnosis.Value).toEqual({ 'Fn::GetAtt': [checkId, 'Diagnosis'] });
      expect(Object.keys(outputsOf(remote.hubSideStack)).filter((id) => /Probe/.test(id))).toEqual([]);
    });
  });

  test('two spokes of one stack in another region share the probe; each has its own outputs, of the one check', () => {
    const { tokyo, dynatrace } = dynatraceHub({ outputs: true });
    const a = dynatrace.addSpokeVpc('A', vpcIn(tokyo, 'VpcA', '10.2.0.0/16'));
    const b = dynatrace.addSpokeVpc('B', vpcIn(tokyo, 'VpcB', '10.3.0.0/16'));
    expect(a.probe).toBe(b.probe);
    expect(a.dnsStack).toBe(b.dnsStack);
    const outputs = outputsOf(a.dnsStack);
    expect(Object.keys(outputs).sort()).toEqual(['AProbeDiagnosis', 'AProbeOk', 'BProbeDiagnosis', 'BProbeOk']);
    const checkId = a.dnsStack.getLogicalId(a.probe!.node.findChild('DeployTimeCheck').node.defaultChild as never);
    expect([outputs.AProbeOk.Value, outputs.BProbeOk.Value]).toEqual([{ 'Fn::GetAtt': [checkId, 'Ok'] }, { 'Fn::GetAtt': [checkId, 'Ok'] }]);
    expect(Object.keys(outputsOf(tokyo)).filter((id) => /Probe/.test(id))).toEqual([]);
  });

  test('a spoke in another stack of the hub\'s region has them in the spoke\'s stack', () => {
    const app = new App();
    const hub = new Stack(app, 'Hub', { env: env('ap-southeast-2') });
    const spokes = new Stack(app, 'Spokes', { env: env('ap-southeast-2') });
    const vpc = vpcIn(hub, 'HubVpc', '10.40.0.0/16');
    const endpoint = new PrivateLinkEndpoint(hub, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0' });
    const dns = new PrivateDnsOverride(hub, 'Dns', { zoneName: 'abc12345.live.dynatrace.com', vpc, target: DnsTarget.fromEndpoint(endpoint) });
    const spoke = new SpokePeering(hub, 'Spoke', {
      endpoint,
      spokeVpc: vpcIn(spokes, 'Vpc', '10.41.0.0/16'),
      dnsOverrides: [dns],
      probeHostname: 'abc12345.live.dynatrace.com',
      probe: { outputs: true },
    });
    expect(Stack.of(spoke.probe!)).toBe(spokes);
    expect(Object.keys(outputsOf(spokes)).sort()).toEqual(['SpokeProbeDiagnosis', 'SpokeProbeOk']);
    expect(Object.keys(outputsOf(hub)).filter((id) => /Probe/.test(id))).toEqual([]);
  });

  test('refused without the probe, which the outputs would report', () => {
    expect(() => presets({ enabled: false, outputs: true })).toThrow(
      '`probe.outputs` needs the probe: the outputs are its diagnosis, got: `enabled: false`');
  });

  test('two presets with the same ID in one stack are refused, naming both', () => {
    const app = new App();
    const stack = new Stack(app, 'Hub', { env: env('ap-southeast-2') });
    const make = (scope: Construct, cidr: string) => new MonteCarloPrivateLink(scope, 'MonteCarlo', {
      vpc: vpcIn(stack, `Vpc${cidr.split('.')[1]}`, cidr),
      serviceName: 'com.amazonaws.vpce.ap-southeast-2.vpce-svc-0123456789abcdef0',
      probe: { outputs: true },
    });
    make(stack, '10.0.0.0/16');
    const other = new Construct(stack, 'Holder');
    expect(() => make(other, '10.1.0.0/16')).toThrow(/the output MonteCarloProbeOk of Hub\/Holder\/MonteCarlo is already the output of Hub\/MonteCarlo/);
  });
});
