/*
 * AwsCdkLibFunctions.addCheckovReasons: the reasons checkov reads on aws-cdk-lib's function that
 * empties a VPC's default security group (under cdk init's flag), and on nothing else.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsCdkLibFunctions } from '../../src';

const FLAG = '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup';

function functions(stack: Stack): Record<string, any> {
  return Template.fromStack(stack).findResources('AWS::Lambda::Function');
}

function skips(resource: any): Record<string, string> {
  return Object.fromEntries((resource.Metadata?.checkov?.skip ?? []).map((s: { id: string; comment: string }) => [s.id, s.comment]));
}

function appWithVpcs(flag: boolean, explain: boolean) {
  const app = new App({ context: { [FLAG]: flag } });
  if (explain) AwsCdkLibFunctions.addCheckovReasons(app);
  // Stacks created after the call are covered too.
  const stacks = ['One', 'Two'].map((id) => {
    const stack = new Stack(app, id);
    new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    new lambda.Function(stack, 'Mine', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    return stack;
  });
  return { app, stacks };
}

test('with the flag, each stack\'s default-security-group function gets the three reasons; the user\'s own function none', () => {
  const { stacks } = appWithVpcs(true, true);
  for (const stack of stacks) {
    const fns = functions(stack);
    const [restrict] = Object.entries(fns).filter(([id]) => id.startsWith('CustomVpcRestrictDefaultSG'));
    expect(restrict).toBeDefined();
    expect(Object.keys(skips(restrict[1])).sort()).toEqual(['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117']);
    expect(skips(restrict[1]).CKV_AWS_117).toMatch(/EC2 API/);
    const [, mine] = Object.entries(fns).find(([id]) => id.startsWith('Mine'))!;
    expect(skips(mine)).toEqual({});
  }
});

test('without the call the function carries no reasons (what a checkov run reports on an app of cdk init)', () => {
  const { stacks } = appWithVpcs(true, false);
  const [, restrict] = Object.entries(functions(stacks[0])).find(([id]) => id.startsWith('CustomVpcRestrictDefaultSG'))!;
  expect(skips(restrict)).toEqual({});
});

test('without the flag there is no such function and nothing changes', () => {
  const { stacks } = appWithVpcs(false, true);
  expect(Object.keys(functions(stacks[0])).filter((id) => id.startsWith('CustomVpc'))).toEqual([]);
});

test('calling it twice, or synthesizing twice, writes each reason once', () => {
  const { app, stacks } = appWithVpcs(true, true);
  AwsCdkLibFunctions.addCheckovReasons(app);
  app.synth();
  const [, restrict] = Object.entries(functions(stacks[0])).find(([id]) => id.startsWith('CustomVpcRestrictDefaultSG'))!;
  expect(restrict.Metadata.checkov.skip).toHaveLength(3);
});
