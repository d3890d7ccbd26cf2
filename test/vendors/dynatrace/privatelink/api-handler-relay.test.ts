/*
 * With a VPC placement, the Dynatrace API handlers are two functions: the one CloudFormation
 * invokes (ServiceToken) stays outside the VPC and may invoke only its worker; the worker in the
 * VPC may only read its secrets (and write its logs and network interfaces).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DynatraceActiveGateToken, DynatraceApiAccess, DynatraceEnvironment, DynatracePrivateLink } from '../../../../src';

function setup(access?: (vpc: ec2.Vpc) => DynatraceApiAccess) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const apiToken = new secretsmanager.Secret(stack, 'ApiToken');
  const environment = DynatraceEnvironment.throughActiveGate('activegate.corp.internal', 'abc12345', access?.(vpc));
  return { stack, vpc, apiToken, environment };
}

/** The function a custom resource's ServiceToken names, and every Lambda function by logical ID. */
function parts(template: Template, resourceType: string) {
  const fns = template.findResources('AWS::Lambda::Function') as Record<string, any>;
  const resources = Object.values(template.findResources(resourceType)) as any[];
  const tokens = new Set(resources.map((r) => r.Properties.ServiceToken['Fn::GetAtt'][0]));
  expect(tokens.size).toBe(1);
  const answeringId = [...tokens][0] as string;
  const workers = Object.entries(fns).filter(([, f]) => f.Properties.Environment?.Variables?.HANDLER_MODE === 'work');
  return { answeringId, answering: fns[answeringId], workers, resources };
}

/** Every statement of the policies attached to a function's role. */
function statementsOf(template: Template, fn: any): any[] {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, any>)
    .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actionsOf = (statements: any[]) => statements.flatMap((s) => [s.Action].flat()) as string[];
const ENI_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];

describe('DynatracePrivateLink with the API reached from a VPC', () => {
  const s = setup((vpc) => ({ vpc }));
  new DynatracePrivateLink(s.stack, 'One', { environment: s.environment, apiToken: s.apiToken, vpc: s.vpc });
  new DynatracePrivateLink(s.stack, 'Two', { environment: s.environment, apiToken: s.apiToken, vpc: s.vpc });
  const template = Template.fromStack(s.stack);
  const { answeringId, answering, workers, resources } = parts(template, 'Custom::DynatracePrivateLink');

  test('the function CloudFormation invokes has no VpcConfig; one worker per stack has the VPC\'s subnets', () => {
    expect(resources).toHaveLength(4);
    expect(answering.Properties.VpcConfig).toBeUndefined();
    expect(workers).toHaveLength(1);
    const [workerId, worker] = workers[0];
    const subnetRefs = s.vpc.isolatedSubnets.map((sn) => ({ Ref: s.stack.getLogicalId(sn.node.defaultChild as any) }));
    expect(worker.Properties.VpcConfig.SubnetIds).toEqual(subnetRefs);
    expect(worker.Properties.Timeout).toBe(300);
    expect(answering.Properties.Environment.Variables).toEqual({ WORKER_FUNCTION_NAME: { Ref: workerId } });
    // The same bundle in both.
    expect(worker.Properties.Code).toEqual(answering.Properties.Code);
  });

  test('the answering function may invoke that worker only, and checks the region (EC2) itself', () => {
    const [workerId] = workers[0];
    const statements = statementsOf(template, answering);
    const invokes = statements.filter((st) => actionsOf([st]).some((a) => a.startsWith('lambda:')));
    expect(invokes).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [workerId, 'Arn'] } }]);
    expect(actionsOf(statements)).toContain('ec2:DescribeVpcEndpointServices');
    expect(actionsOf(statements).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(actionsOf(statements)).not.toContain('ec2:CreateNetworkInterface');
  });

  test('the worker may read the API token, write its logs and manage its network interfaces, nothing else', () => {
    const statements = statementsOf(template, workers[0][1]);
    expect(new Set(actionsOf(statements))).toEqual(new Set([
      'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', ...ENI_ACTIONS,
    ]));
    const tokenId = s.stack.getLogicalId(s.apiToken.node.defaultChild as any);
    expect(statements.find((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue')).Resource).toEqual({ Ref: tokenId });
    expect(answeringId).not.toBe(workers[0][0]);
  });

  test('each custom resource waits for both roles, so a Delete still has the permissions it needs', () => {
    const roleOf = (fn: any) => fn.Properties.Role['Fn::GetAtt'][0];
    for (const r of resources) {
      expect(r.DependsOn).toEqual(expect.arrayContaining([roleOf(answering), roleOf(workers[0][1])]));
    }
  });
});

test('without a VPC placement there is one function, as before: no worker, no relay', () => {
  const s = setup();
  new DynatracePrivateLink(s.stack, 'Dynatrace', { environment: s.environment, apiToken: s.apiToken, vpc: s.vpc });
  const template = Template.fromStack(s.stack);
  const { answering, workers } = parts(template, 'Custom::DynatracePrivateLink');
  expect(workers).toEqual([]);
  expect(answering.Properties.Environment).toBeUndefined();
  expect(answering.Properties.VpcConfig).toBeUndefined();
  expect(actionsOf(statementsOf(template, answering))).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'ec2:DescribeVpcEndpointServices']));
});

test('DynatraceActiveGateToken with a VPC placement: the worker makes and stores the token, the answering function only invokes it', () => {
  const s = setup((vpc) => ({ vpc }));
  const token = new DynatraceActiveGateToken(s.stack, 'Token', { environment: s.environment, apiToken: s.apiToken });
  const template = Template.fromStack(s.stack);
  const { answering, workers } = parts(template, 'Custom::DynatraceActiveGateToken');
  expect(answering.Properties.VpcConfig).toBeUndefined();
  expect(workers).toHaveLength(1);
  expect(workers[0][1].Properties.VpcConfig.SubnetIds).toHaveLength(2);
  expect(new Set(actionsOf(statementsOf(template, answering)))).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'lambda:InvokeFunction']));
  const workerStatements = statementsOf(template, workers[0][1]);
  const targetId = s.stack.getLogicalId(token.secret.node.defaultChild as any);
  expect(actionsOf(workerStatements.filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ Ref: targetId }))))
    .toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']));
  expect(actionsOf(workerStatements).filter((a) => a.startsWith('ec2:') && !ENI_ACTIONS.includes(a))).toEqual([]);
});
