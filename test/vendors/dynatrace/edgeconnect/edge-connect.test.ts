import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  EdgeConnect, EdgeConnectConfig, EdgeConnectConfigProps, EdgeConnectImage, EdgeConnectOAuthClient, EdgeConnectProps, RootCertificate,
} from '../../../../src';

const CLIENT_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:edgeconnect-client-AbCdEf';
const PROVISIONER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:provisioner-GhIjKl';
const TOKEN = `dt0e01.${'A'.repeat(24)}.${'B'.repeat(64)}`;
const CERT = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'examples', 'edgeconnect-provisioner', 'corp-root-ca.pem'));

function setup(subnetConfiguration?: ec2.SubnetConfiguration[], zones = ['eu-west-1a', 'eu-west-1b']) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: zones, natGateways: subnetConfiguration ? 0 : 1, subnetConfiguration });
  const clientSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Client', CLIENT_ARN);
  return { app, stack, vpc, clientSecret };
}

function config(props: Partial<EdgeConnectConfigProps> = {}) {
  return new EdgeConnectConfig({ name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com', ...props });
}

function edgeConnect(props: Partial<EdgeConnectProps> = {}) {
  const s = setup();
  const construct = new EdgeConnect(s.stack, 'EdgeConnect', {
    vpc: s.vpc, config: config(), oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret), ...props,
  });
  return { ...s, construct, template: Template.fromStack(s.stack) };
}

/** The container definition with the given name. */
function container(template: Template, name: string): any {
  const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  return taskDefinition.Properties.ContainerDefinitions.find((c: any) => c.Name === name);
}

function envOf(def: any): Record<string, unknown> {
  return Object.fromEntries((def.Environment ?? []).map((e: any) => [e.Name, e.Value]));
}

function secretsOf(def: any): Record<string, unknown> {
  return Object.fromEntries((def.Secrets ?? []).map((e: any) => [e.Name, e.ValueFrom]));
}

describe('EdgeConnect defaults', () => {
  test('a new cluster with Container Insights, and a Fargate task of 1 vCPU and 2 GB on x86_64', () => {
    const { template } = edgeConnect();
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '2048',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      Volumes: [{ Name: 'config' }],
    });
  });

  test('the EdgeConnect container: vendor image pinned to 1.744.0, uid 1000, read-only root, no capabilities, not privileged, no ports', () => {
    const { template } = edgeConnect();
    const main = container(template, 'EdgeConnect');
    expect(main).toMatchObject({
      Image: 'public.ecr.aws/dynatrace/edgeconnect:1.744.0',
      User: '1000:1000',
      Privileged: false,
      ReadonlyRootFilesystem: true,
      Essential: true,
      LinuxParameters: { Capabilities: { Drop: ['ALL'] } },
      MountPoints: [{ ContainerPath: '/etc/edgeconnect-config', ReadOnly: true, SourceVolume: 'config' }],
      DependsOn: [{ ContainerName: 'Config', Condition: 'SUCCESS' }],
      LogConfiguration: { LogDriver: 'awslogs', Options: expect.objectContaining({ 'awslogs-stream-prefix': 'edgeconnect' }) },
    });
    expect(main.PortMappings).toBeUndefined();
  });

  test('settings are environment variables; the OAuth client ID and secret are ECS secrets from Secrets Manager', () => {
    const { template } = edgeConnect();
    const main = container(template, 'EdgeConnect');
    expect(envOf(main)).toEqual({
      EDGE_CONNECT_NAME: 'corporate-network',
      EDGE_CONNECT_API_ENDPOINT_HOST: 'abc12345.apps.dynatrace.com',
      EDGE_CONNECT_OAUTH__ENDPOINT: 'https://sso.dynatrace.com/sso/oauth2/token',
      EDGE_CONNECT_OAUTH__RESOURCE: 'urn:dtenvironment:abc12345',
      EDGE_CONNECT_CONFIG_PATH: '/etc/edgeconnect-config',
    });
    expect(secretsOf(main)).toEqual({
      EDGE_CONNECT_OAUTH__CLIENT_ID: `${CLIENT_ARN}:clientId::`,
      EDGE_CONNECT_OAUTH__CLIENT_SECRET: `${CLIENT_ARN}:clientSecret::`,
    });
  });

  test('the init container writes edgeConnect.yaml into the shared volume and exits: uid 0, no capabilities, not privileged', () => {
    const { template } = edgeConnect();
    const init = container(template, 'Config');
    expect(init).toMatchObject({
      Image: 'public.ecr.aws/docker/library/busybox:1.37.0',
      Essential: false,
      User: '0',
      Privileged: false,
      ReadonlyRootFilesystem: true,
      LinuxParameters: { Capabilities: { Drop: ['ALL'] } },
      EntryPoint: ['sh', '-c'],
      MountPoints: [{ ContainerPath: '/etc/edgeconnect-config', ReadOnly: false, SourceVolume: 'config' }],
    });
    expect(init.Command[0].split('\n')).toEqual([
      'set -eu',
      'umask 022',
      'mkdir -p /etc/edgeconnect-config/certs',
      'printf \'%s\\n\' "$EDGE_CONNECT_YAML" > /etc/edgeconnect-config/edgeConnect.yaml',
    ]);
    expect(envOf(init)).toEqual({ EDGE_CONNECT_YAML: '{}\n' });
  });

  test('the service: two tasks in the private subnets, no public IP, circuit breaker with rollback, ECS Exec off', () => {
    const { template } = edgeConnect();
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      LaunchType: 'FARGATE',
      EnableExecuteCommand: false,
      AvailabilityZoneRebalancing: 'ENABLED',
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      }),
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('EdgeConnectSecurityGroup'), 'GroupId'] }],
          Subnets: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }],
        },
      },
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });

  test('the security group has no inbound rule and only HTTPS out', () => {
    const { template } = edgeConnect();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Dynatrace EdgeConnect corporate-network: no inbound, HTTPS out',
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('logs go to a log group with one year retention', () => {
    const { template } = edgeConnect();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('the task definition acknowledges cdk-nag ECS2 with its reason', () => {
    const { construct } = edgeConnect();
    const metadata = JSON.stringify(construct.taskDefinition.node.metadata);
    expect(metadata).toContain('AwsSolutions-ECS2');
    expect(metadata).toContain('the OAuth client, the proxy password and placeholder values are ECS secrets');
  });
});

describe('EdgeConnect options', () => {
  test('a config with oauthClientId reads only the client secret from Secrets Manager, from the named field', () => {
    const s = setup();
    new EdgeConnect(s.stack, 'EdgeConnect', {
      vpc: s.vpc,
      config: config({ oauthClientId: 'dt0s10.CLIENT' }),
      oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret, { clientSecretField: 'secret' }),
    });
    const main = container(Template.fromStack(s.stack), 'EdgeConnect');
    expect(envOf(main).EDGE_CONNECT_OAUTH__CLIENT_ID).toBe('dt0s10.CLIENT');
    expect(secretsOf(main)).toEqual({ EDGE_CONNECT_OAUTH__CLIENT_SECRET: `${CLIENT_ARN}:secret::` });
  });

  test('an existing cluster is used as is', () => {
    const s = setup();
    const cluster = new ecs.Cluster(s.stack, 'Shared', { vpc: s.vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
    new EdgeConnect(s.stack, 'EdgeConnect', { cluster, config: config(), oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret) });
    const template = Template.fromStack(s.stack);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Service', { Cluster: { Ref: Match.stringLikeRegexp('Shared') } });
  });

  test.each([
    [EdgeConnectImage.fromTag('1.2.3'), 'public.ecr.aws/dynatrace/edgeconnect:1.2.3'],
    [EdgeConnectImage.fromDigest(`sha256:${'a'.repeat(64)}`), `public.ecr.aws/dynatrace/edgeconnect@sha256:${'a'.repeat(64)}`],
    [EdgeConnectImage.fromContainerImage(ecs.ContainerImage.fromRegistry('registry.example.com/edgeconnect:1')), 'registry.example.com/edgeconnect:1'],
  ])('image %#', (image, expected) => {
    const { template } = edgeConnect({ image });
    expect(container(template, 'EdgeConnect').Image).toBe(expected);
  });

  test('initUser sets the init container\'s user, for an initImage whose VOLUME belongs to that user', () => {
    const { template } = edgeConnect({
      initImage: ecs.ContainerImage.fromRegistry('registry.example.com/edgeconnect-init:1'),
      initUser: '1000:1000',
    });
    expect(container(template, 'Config')).toMatchObject({
      Image: 'registry.example.com/edgeconnect-init:1',
      User: '1000:1000',
      Privileged: false,
      ReadonlyRootFilesystem: true,
      LinuxParameters: { Capabilities: { Drop: ['ALL'] } },
    });
    expect(container(template, 'EdgeConnect').User).toBe('1000:1000');
  });

  test('initUser root with a group needs no initImage', () => {
    const { template } = edgeConnect({ initUser: '0:0' });
    expect(container(template, 'Config').User).toBe('0:0');
  });

  test('size, count and CPU autoscaling', () => {
    const { template } = edgeConnect({
      cpu: 512, memoryLimitMiB: 1024, desiredCount: 3, autoScaling: { minCapacity: 2, maxCapacity: 8, cpuTargetUtilizationPercent: 50 },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 8 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 50,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      }),
    });
  });

  test('autoscaling targets 60% CPU by default', () => {
    const { template } = edgeConnect({ autoScaling: { minCapacity: 2, maxCapacity: 4 } });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60 }),
    });
  });

  test('a proxy opens its port, sets its settings and reads its password from Secrets Manager', () => {
    const s = setup();
    const password = secretsmanager.Secret.fromSecretCompleteArn(s.stack, 'ProxyPassword', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:proxy-MnOpQr');
    new EdgeConnect(s.stack, 'EdgeConnect', {
      vpc: s.vpc,
      config: config({ proxy: { server: 'proxy.corp.example.com', port: 3128, user: 'edge', exceptions: ['*.corp.example.com'] } }),
      oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret),
      proxyPassword: { secret: password, field: 'password' },
    });
    const template = Template.fromStack(s.stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [
        Match.objectLike({ FromPort: 443, ToPort: 443 }),
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 3128, ToPort: 3128, Description: 'HTTP proxy proxy.corp.example.com' },
      ],
    });
    const main = container(template, 'EdgeConnect');
    expect(envOf(main)).toMatchObject({
      EDGE_CONNECT_PROXY__SERVER: 'proxy.corp.example.com',
      EDGE_CONNECT_PROXY__PORT: '3128',
      EDGE_CONNECT_PROXY__AUTH__USER: 'edge',
      EDGE_CONNECT_PROXY__EXCEPTIONS: '*.corp.example.com',
    });
    expect(secretsOf(main).EDGE_CONNECT_PROXY__AUTH__PASSWORD).toBe('arn:aws:secretsmanager:eu-west-1:111111111111:secret:proxy-MnOpQr:password::');
    expect(envOf(main).EDGE_CONNECT_PROXY__AUTH__PASSWORD).toBeUndefined();
  });

  test('placeholder secrets: the token goes into the file, the value comes from Secrets Manager', () => {
    const s = setup();
    const value = secretsmanager.Secret.fromSecretCompleteArn(s.stack, 'Value', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snow-StUvWx');
    new EdgeConnect(s.stack, 'EdgeConnect', {
      vpc: s.vpc,
      config: config({ secrets: [{ name: 'ServiceNow', token: TOKEN, fromEnv: 'SNOW_TOKEN', restrictHostsTo: ['snow.corp.example.com'] }] }),
      oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret),
      secretValues: [{ fromEnv: 'SNOW_TOKEN', secret: value, field: 'token' }],
    });
    const template = Template.fromStack(s.stack);
    expect(secretsOf(container(template, 'EdgeConnect')).SNOW_TOKEN).toBe('arn:aws:secretsmanager:eu-west-1:111111111111:secret:snow-StUvWx:token::');
    const yaml = envOf(container(template, 'Config')).EDGE_CONNECT_YAML as string;
    expect(EdgeConnectConfig.fromYaml(`name: n\napi_endpoint_host: abc12345.apps.dynatrace.com\n${yaml}`).secrets).toEqual([
      { name: 'ServiceNow', token: TOKEN, fromEnv: 'SNOW_TOKEN', fromFile: undefined, restrictHostsTo: ['snow.corp.example.com'] },
    ]);
  });

  describe('placeholder tokens from Secrets Manager (tokenSecret)', () => {
    const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snow-placeholder-AbCdEf';
    const OTHER_TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:erp-placeholder-GhIjKl';
    const OTHER_TOKEN = `dt0e01.${'C'.repeat(24)}.${'D'.repeat(64)}`;

    /** Two tokens from Secrets Manager (entries 0 and 2) around a literal one (entry 1), and a certificate file. */
    function mixed() {
      const s = setup();
      const secret = (id: string, arn: string) => secretsmanager.Secret.fromSecretCompleteArn(s.stack, id, arn);
      new EdgeConnect(s.stack, 'EdgeConnect', {
        vpc: s.vpc,
        config: config({
          secrets: [
            { name: 'ServiceNow', tokenSecret: secret('SnowToken', TOKEN_ARN), tokenSecretField: 'token', fromEnv: 'SNOW', restrictHostsTo: ['snow.corp.example.com'] },
            { name: 'Legacy', token: TOKEN, fromEnv: 'LEGACY', restrictHostsTo: ['legacy.corp.example.com'] },
            { name: 'ERP', tokenSecret: secret('ErpToken', OTHER_TOKEN_ARN), fromEnv: 'ERP', restrictHostsTo: ['erp.corp.example.com'] },
          ],
        }),
        oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret),
        secretValues: ['SNOW', 'LEGACY', 'ERP'].map((fromEnv) => ({ fromEnv, secret: s.clientSecret, field: fromEnv })),
        rootCertificates: [RootCertificate.fromFile(path.join(__dirname, '..', '..', '..', '..', 'examples', 'edgeconnect-provisioner', 'corp-root-ca.pem'))],
      });
      return { ...s, template: Template.fromStack(s.stack) };
    }

    function tokenOnly() {
      const s = setup();
      const tokenSecret = secretsmanager.Secret.fromSecretCompleteArn(s.stack, 'SnowToken', TOKEN_ARN);
      new EdgeConnect(s.stack, 'EdgeConnect', {
        vpc: s.vpc,
        config: config({ secrets: [{ name: 'ServiceNow', tokenSecret, fromEnv: 'SNOW', restrictHostsTo: ['snow.corp.example.com'] }] }),
        oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret),
        secretValues: [{ fromEnv: 'SNOW', secret: s.clientSecret, field: 'snow' }],
      });
      return { ...s, template: Template.fromStack(s.stack) };
    }

    /** Runs the init container's script with a shell, writing into a temporary directory instead of the shared volume. */
    function runInit(shell: string, template: Template, env: Record<string, string>) {
      const init = container(template, 'Config');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'init-'));
      const script = (init.Command[0] as string).split('/etc/edgeconnect-config').join(dir);
      const [command, ...args] = shell === 'busybox' ? ['busybox', 'sh'] : [shell];
      const result = spawnSync(command, [...args, '-c', script], {
        env: { PATH: process.env.PATH, ...envOf(init) as Record<string, string>, ...env },
        encoding: 'utf8',
        // stdin not a socket, else bash reads ~/.bashrc as if run by sshd
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const file = path.join(dir, 'edgeConnect.yaml');
      return { ...result, yaml: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined };
    }
    /** POSIX sh (dash here), bash, and busybox (the default init image) where installed. */
    const shells = ['sh', 'bash', 'busybox'].filter((sh) => spawnSync('sh', ['-c', `command -v ${sh}`]).status === 0);

    test('the template holds the secret\'s ARN and no token; the init container gets it as an ECS secret', () => {
      const { template } = tokenOnly();
      const json = JSON.stringify(template.toJSON());
      expect(json).toContain(TOKEN_ARN);
      expect(json).not.toMatch(/dt0e01\.[A-Z2-7]{24}/);
      const init = container(template, 'Config');
      expect(secretsOf(init)).toEqual({ PLACEHOLDER_TOKEN_0: TOKEN_ARN });
      expect(envOf(init).EDGE_CONNECT_YAML).toBe([
        'secrets:',
        '  - name: ServiceNow',
        '    token: __PLACEHOLDER_TOKEN_0__',
        '    from_env: SNOW',
        '    restrict_hosts_to:',
        '      - snow.corp.example.com',
        '',
      ].join('\n'));
      // The EdgeConnect container reads the finished file; it never sees the token's variable.
      const main = container(template, 'EdgeConnect');
      expect(secretsOf(main)).not.toHaveProperty('PLACEHOLDER_TOKEN_0');
      expect(envOf(main)).not.toHaveProperty('PLACEHOLDER_TOKEN_0');
      expect(secretsOf(main).SNOW).toBe(`${CLIENT_ARN}:snow::`);
    });

    test('the task execution role may read the token secret', () => {
      const { template } = tokenOnly();
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: TOKEN_ARN,
          })]),
        },
      });
    });

    test('no literal-token warning for a token from Secrets Manager', () => {
      const { stack } = tokenOnly();
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });

    test('entries keep their index: a JSON field, the whole secret, and a literal in between', () => {
      const { template } = mixed();
      const init = container(template, 'Config');
      expect(secretsOf(init)).toEqual({
        PLACEHOLDER_TOKEN_0: `${TOKEN_ARN}:token::`,
        PLACEHOLDER_TOKEN_2: OTHER_TOKEN_ARN,
      });
      const yaml = envOf(init).EDGE_CONNECT_YAML as string;
      expect(yaml).toContain('token: __PLACEHOLDER_TOKEN_0__');
      expect(yaml).toContain(`token: ${TOKEN}`);
      expect(yaml).toContain('token: __PLACEHOLDER_TOKEN_2__');
      expect(init.Command[0]).toContain('check_token 0 "$PLACEHOLDER_TOKEN_0"');
      expect(init.Command[0]).toContain('check_token 2 "$PLACEHOLDER_TOKEN_2"');
      expect(init.Command[0]).not.toContain('check_token 1');
    });

    test.each(shells)('the init script (%s) writes the tokens into edgeConnect.yaml, which EdgeConnectConfig then reads', (shell) => {
      const { template } = mixed();
      // Without the tokens' variables, `set -u` stops the script before it writes the file.
      expect(runInit(shell, template, {})).toMatchObject({ yaml: undefined });
      const written = runInit(shell, template, { PLACEHOLDER_TOKEN_0: OTHER_TOKEN, PLACEHOLDER_TOKEN_2: TOKEN.replace('A', 'Z') });
      expect(written.stderr).toBe('');
      expect(written.status).toBe(0);
      expect(written.yaml).not.toContain('__PLACEHOLDER_TOKEN_');
      const parsed = EdgeConnectConfig.fromYaml(`name: n\napi_endpoint_host: abc12345.apps.dynatrace.com\n${written.yaml}`);
      expect(parsed.secrets.map((x) => [x.name, x.token])).toEqual([
        ['ServiceNow', OTHER_TOKEN], ['Legacy', TOKEN], ['ERP', TOKEN.replace('A', 'Z')],
      ]);
      expect(parsed.rootCertificatePaths).toEqual(['/etc/edgeconnect-config/certs/root-0.pem']);
    });

    test.each(shells)('the init script (%s) refuses a malformed token without printing it', (shell) => {
      const { template } = mixed();
      for (const bad of [`${OTHER_TOKEN}\n`, OTHER_TOKEN.toLowerCase(), `dt0e01.${'C'.repeat(15)}.${'D'.repeat(40)}`, 'SECRETVALUE', '']) {
        const result = runInit(shell, template, { PLACEHOLDER_TOKEN_0: OTHER_TOKEN, PLACEHOLDER_TOKEN_2: bad });
        expect(result.status).toBe(1);
        expect(result.yaml).toBeUndefined();
        expect(result.stderr).toContain('config.secrets[2].tokenSecret: the placeholder token in Secrets Manager must be "dt0e01." followed by 24 and then 64 characters');
        if (bad.trim()) expect(result.stderr).not.toContain(bad.trim().slice(-20));
      }
    });
  });

  test('root certificates from a secret, an SSM parameter and files are written by the init container and listed in the file', () => {
    const s = setup();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certs-'));
    const der = Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x01]);
    fs.writeFileSync(path.join(dir, 'ca.pem'), CERT);
    fs.writeFileSync(path.join(dir, 'ca.der'), der);
    const certSecret = secretsmanager.Secret.fromSecretCompleteArn(s.stack, 'Cert', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ca-YzAbCd');
    const parameter = ssm.StringParameter.fromStringParameterName(s.stack, 'CertParam', '/corp/ca');
    new EdgeConnect(s.stack, 'EdgeConnect', {
      vpc: s.vpc,
      config: config(),
      oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret),
      rootCertificates: [
        RootCertificate.fromSecret(certSecret, 'pem'),
        RootCertificate.fromSsmParameter(parameter),
        RootCertificate.fromFile(path.join(dir, 'ca.pem')),
        RootCertificate.fromFile(path.join(dir, 'ca.der')),
      ],
    });
    const init = container(Template.fromStack(s.stack), 'Config');
    const env = envOf(init);
    expect(env.EDGE_CONNECT_YAML).toBe([
      'root_certificate_paths:',
      '  - /etc/edgeconnect-config/certs/root-0.pem',
      '  - /etc/edgeconnect-config/certs/root-1.pem',
      '  - /etc/edgeconnect-config/certs/root-2.pem',
      '  - /etc/edgeconnect-config/certs/root-3.der',
      '',
    ].join('\n'));
    expect(Buffer.from(env.ROOT_CERTIFICATE_2 as string, 'base64').equals(CERT)).toBe(true);
    expect(Buffer.from(env.ROOT_CERTIFICATE_3 as string, 'base64').equals(der)).toBe(true);
    expect(secretsOf(init)).toEqual({
      ROOT_CERTIFICATE_0: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ca-YzAbCd:pem::',
      ROOT_CERTIFICATE_1: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111111111111:parameter/corp/ca']] },
    });
    expect(init.Command[0].split('\n').slice(4)).toEqual([
      'printf \'%s\\n\' "$ROOT_CERTIFICATE_0" > /etc/edgeconnect-config/certs/root-0.pem',
      'printf \'%s\\n\' "$ROOT_CERTIFICATE_1" > /etc/edgeconnect-config/certs/root-1.pem',
      'printf \'%s\' "$ROOT_CERTIFICATE_2" | base64 -d > /etc/edgeconnect-config/certs/root-2.pem',
      'printf \'%s\' "$ROOT_CERTIFICATE_3" | base64 -d > /etc/edgeconnect-config/certs/root-3.der',
    ]);
  });

  test('connections open internal targets from the EdgeConnect security group', () => {
    const s = setup();
    const construct = new EdgeConnect(s.stack, 'EdgeConnect', { vpc: s.vpc, config: config(), oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret) });
    construct.connections.allowTo(ec2.Peer.ipv4('10.40.0.0/16'), ec2.Port.tcp(8443), 'internal API');
    Template.fromStack(Stack.of(construct)).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: Match.arrayWith([{ CidrIp: '10.40.0.0/16', IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, Description: 'internal API' }]),
    });
    expect(construct.connections.defaultPort?.toString()).toBe('443');
  });
});

describe('EdgeConnect warnings', () => {
  test('isolated subnets without a proxy', () => {
    const s = setup([{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }]);
    new EdgeConnect(s.stack, 'EdgeConnect', { vpc: s.vpc, config: config(), oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret) });
    Annotations.fromStack(s.stack).hasWarning('/Stack/EdgeConnect', Match.stringLikeRegexp('The selected subnets are isolated and the config sets no proxy'));
  });

  test('one Availability Zone', () => {
    const s = setup(undefined, ['eu-west-1a']);
    new EdgeConnect(s.stack, 'EdgeConnect', { vpc: s.vpc, config: config(), oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret) });
    Annotations.fromStack(s.stack).hasWarning('/Stack/EdgeConnect', Match.stringLikeRegexp('All EdgeConnect tasks run in one Availability Zone \\(eu-west-1a\\)'));
  });

  test('certificate paths in the config must exist in the image', () => {
    const s = setup();
    new EdgeConnect(s.stack, 'EdgeConnect', {
      vpc: s.vpc, config: config({ rootCertificatePaths: ['/certs/ca.pem'] }), oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret),
    });
    Annotations.fromStack(s.stack).hasWarning('/Stack/EdgeConnect', Match.stringLikeRegexp('\\["/certs/ca.pem"\\] must exist in the image'));
  });

  test('a literal placeholder token goes into the template: recommend tokenSecret, showing only the token\'s identifier', () => {
    const s = setup();
    new EdgeConnect(s.stack, 'EdgeConnect', {
      vpc: s.vpc,
      config: config({ secrets: [{ name: 'Snow', token: TOKEN, fromEnv: 'SNOW', restrictHostsTo: ['snow.example.com'] }] }),
      oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret),
      secretValues: [{ fromEnv: 'SNOW', secret: s.clientSecret }],
    });
    const annotations = Annotations.fromStack(s.stack);
    annotations.hasWarning('/Stack/EdgeConnect', `config.secrets[0] ("Snow") writes its placeholder token dt0e01.${'A'.repeat(24)}.*** into the ` +
      'CloudFormation template (the init container\'s EDGE_CONNECT_YAML), where anyone who can read the template or the task definition ' +
      'sees it: keep the token in Secrets Manager and give it as `tokenSecret` instead. [ack: cdk-saas-privatelink:edgeConnectLiteralToken]');
    const warnings = annotations.findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings.join('\n')).not.toContain('B'.repeat(64));
  });

  test('no literal-token warning for a deploy-time token', () => {
    const s = setup();
    new EdgeConnect(s.stack, 'EdgeConnect', {
      vpc: s.vpc,
      config: config({ secrets: [{ name: 'Snow', token: Token.asString({ Ref: 'SnowToken' }), fromEnv: 'SNOW', restrictHostsTo: ['snow.example.com'] }] }),
      oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret),
      secretValues: [{ fromEnv: 'SNOW', secret: s.clientSecret }],
    });
    Annotations.fromStack(s.stack).hasNoWarning('*', Match.anyValue());
  });

  test('none for the defaults', () => {
    const { stack } = edgeConnect();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('EdgeConnect image version', () => {
  test('the default is the pinned release 1.744.0, under both public names', () => {
    expect(EdgeConnectImage.DEFAULT_VERSION).toBe('1.744.0');
    expect(EdgeConnect.DEFAULT_IMAGE_TAG).toBe(EdgeConnectImage.DEFAULT_VERSION);
    const { template } = edgeConnect();
    expect(container(template, 'EdgeConnect').Image).toBe('public.ecr.aws/dynatrace/edgeconnect:1.744.0');
  });

  test.each(['latest', 'stable', '1', '1.744'])('the moving tag %p is allowed, with a warning', (tag) => {
    const { stack, template } = edgeConnect({ image: EdgeConnectImage.fromTag(tag) });
    expect(container(template, 'EdgeConnect').Image).toBe(`public.ecr.aws/dynatrace/edgeconnect:${tag}`);
    Annotations.fromStack(stack).hasWarning('/Stack/EdgeConnect', Match.stringLikeRegexp(
      `EdgeConnectImage.fromTag\\("${tag.replace(/\./g, '\\.')}"\\) is not a version tag and can move: deployments are not repeatable, ` +
      'and tasks of one service can run different EdgeConnect versions.*Use a version tag such as EdgeConnectImage.fromTag\\("1.744.0"\\), ' +
      'or EdgeConnectImage.fromDigest.*edgeConnectMovingTag'));
  });

  test.each([
    ['a version tag', EdgeConnectImage.fromTag('1.745.0')],
    ['a version tag with a suffix', EdgeConnectImage.fromTag('1.744.0-rc1')],
    ['a deploy-time tag', EdgeConnectImage.fromTag(Token.asString({ Ref: 'EdgeConnectTag' }))],
    ['a digest', EdgeConnectImage.fromDigest(`sha256:${'a'.repeat(64)}`)],
    ['any container image', EdgeConnectImage.fromContainerImage(ecs.ContainerImage.fromRegistry('registry.example.com/edgeconnect:latest'))],
  ])('no warning for %s', (_, image) => {
    const { stack } = edgeConnect({ image });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('a digest pins the image by @sha256', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const { template } = edgeConnect({ image: EdgeConnectImage.fromDigest(digest) });
    expect(container(template, 'EdgeConnect').Image).toBe(`public.ecr.aws/dynatrace/edgeconnect@${digest}`);
  });
});

describe('EdgeConnect refuses, before creating anything', () => {
  function expectRefusal(props: (s: ReturnType<typeof setup>) => Partial<EdgeConnectProps>, message: string, subnets?: ec2.SubnetConfiguration[]) {
    const s = setup(subnets);
    expect(() => new EdgeConnect(s.stack, 'EdgeConnect', {
      vpc: s.vpc, config: config(), oauthClient: EdgeConnectOAuthClient.fromSecret(s.clientSecret), ...props(s),
    })).toThrow(message);
    const leftovers = s.stack.node.tryFindChild('EdgeConnect')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
    expect(leftovers).toHaveLength(0);
  }

  const provisionerClient = (s: ReturnType<typeof setup>) => secretsmanager.Secret.fromSecretCompleteArn(s.stack, 'Provisioner', PROVISIONER_ARN);
  const tmpFile = (name: string, content: string | Buffer) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cert-')), name);
    fs.writeFileSync(file, content);
    return file;
  };

  test.each<[string, (s: ReturnType<typeof setup>) => Partial<EdgeConnectProps>, string]>([
    ['no VPC and no cluster', () => ({ vpc: undefined }), '`vpc` is required when `cluster` is not given, got: undefined'],
    ['a cluster in another VPC', (s) => ({ cluster: new ecs.Cluster(s.stack, 'Other', { vpc: new ec2.Vpc(s.stack, 'OtherVpc') }) }),
      '`cluster` must be in `vpc` (Stack/Vpc), got a cluster in Stack/OtherVpc'],
    ['public subnets', () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }),
      '`vpcSubnets` must select private subnets: EdgeConnect takes no inbound traffic and gets no public IP, got public subnets'],
    ['a CPU size Fargate does not have', () => ({ cpu: 1000 }),
      '`cpu` must be one of Fargate\'s CPU sizes 256, 512, 1024, 2048, 4096, 8192, 16384, got: 1000'],
    ['a memory size Fargate does not allow for the CPU', () => ({ memoryLimitMiB: 1024 }),
      '`memoryLimitMiB` must be a Fargate size for `cpu` 1024: 2048 to 8192 in steps of 1024, got: 1024'],
    ['a memory size off the steps', () => ({ cpu: 8192, memoryLimitMiB: 20000 }),
      '`memoryLimitMiB` must be a Fargate size for `cpu` 8192: 16384 to 61440 in steps of 4096, got: 20000'],
    ['no tasks', () => ({ desiredCount: 0 }), '`desiredCount` must be an integer of at least 1, got: 0'],
    ['an autoscaling minimum below 1', () => ({ autoScaling: { minCapacity: 0, maxCapacity: 2 } }),
      '`autoScaling.minCapacity` must be an integer of at least 1, got: 0'],
    ['an autoscaling maximum below the minimum', () => ({ autoScaling: { minCapacity: 3, maxCapacity: 2 } }),
      '`autoScaling.maxCapacity` must be an integer of at least `minCapacity` (3), got: 2'],
    ['a CPU target over 100', () => ({ autoScaling: { minCapacity: 1, maxCapacity: 2, cpuTargetUtilizationPercent: 120 } }),
      '`autoScaling.cpuTargetUtilizationPercent` must be more than 0 and at most 100, got: 120'],
    ['a desired count outside autoscaling', () => ({ desiredCount: 2, autoScaling: { minCapacity: 3, maxCapacity: 5 } }),
      '`desiredCount` must be within `autoScaling` 3 to 5, got: 2'],
    ['a malformed image tag', () => ({ image: EdgeConnectImage.fromTag('latest version') }),
      '`EdgeConnectImage.fromTag` must be a Docker tag (letters, digits, _ . -, at most 128), got: "latest version"'],
    ['a malformed image digest', () => ({ image: EdgeConnectImage.fromDigest('sha256:abc') }),
      '`EdgeConnectImage.fromDigest` must be "sha256:" followed by 64 lowercase hex digits, got: "sha256:abc"'],
    ['an init user by name', () => ({ initUser: 'root' }),
      '`initUser` must be a uid or uid:gid of digits only, such as "1000:1000", got: "root"'],
    ['an init user with an empty group', () => ({ initImage: ecs.ContainerImage.fromRegistry('init:1'), initUser: '1000:' }),
      '`initUser` must be a uid or uid:gid of digits only, such as "1000:1000", got: "1000:"'],
    ['a non-root init user with the default busybox image', () => ({ initUser: '1000:1000' }),
      '`initUser` other than uid 0 needs an `initImage` that declares VOLUME /etc/edgeconnect-config owned by that user ' +
      '(the default busybox image declares none, so the volume belongs to root), got: "1000:1000" and no initImage'],
    ['a placeholder secret without a value', () => ({
      config: config({ secrets: [{ name: 'Snow', token: TOKEN, fromEnv: 'SNOW', restrictHostsTo: ['snow.example.com'] }] }),
    }), '`secretValues` must give the value of `config.secrets[0]` ("Snow", fromEnv "SNOW"), got none'],
    ['a value for no placeholder secret', (s) => ({ secretValues: [{ fromEnv: 'OTHER', secret: s.clientSecret }] }),
      '`secretValues[].fromEnv` must be the `fromEnv` of one of `config.secrets` [], got: "OTHER"'],
    ['a value given twice', (s) => ({
      config: config({ secrets: [{ name: 'Snow', token: TOKEN, fromEnv: 'SNOW', restrictHostsTo: ['snow.example.com'] }] }),
      secretValues: [{ fromEnv: 'SNOW', secret: s.clientSecret }, { fromEnv: 'SNOW', secret: s.clientSecret }],
    }), '`secretValues` must not repeat a `fromEnv`, got "SNOW" twice'],
    ['a placeholder secret read from a file', () => ({
      config: config({ secrets: [{ name: 'Snow', token: TOKEN, fromFile: '/run/snow', restrictHostsTo: ['snow.example.com'] }] }),
    }), '`config.secrets[0]` ("Snow") reads its value from a file ("/run/snow"), which EdgeConnect on ECS cannot provide: use `fromEnv` and give the value in `secretValues`'],
    ['a proxy password without a proxy', (s) => ({ proxyPassword: { secret: s.clientSecret } }),
      '`proxyPassword` needs `config.proxy` with a `user`, got: no proxy'],
    ['a proxy user without a password', () => ({ config: config({ proxy: { server: 'proxy', port: 3128, user: 'edge' } }) }),
      '`proxyPassword` is required when `config.proxy.user` is set, got: user "edge" and no password'],
    ['a proxy password without a user', (s) => ({ config: config({ proxy: { server: 'proxy', port: 3128 } }), proxyPassword: { secret: s.clientSecret } }),
      '`proxyPassword` needs `config.proxy.user`, got: a password and no user'],
    ['a certificate file that does not exist', () => ({ rootCertificates: [RootCertificate.fromFile('/nonexistent/ca.pem')] }),
      '`RootCertificate.fromFile` must name a readable file, got: "/nonexistent/ca.pem" (ENOENT)'],
    ['a certificate file with a private key', () => ({ rootCertificates: [RootCertificate.fromFile(tmpFile('key.pem', `${CERT}-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n`))] }),
      'must name a certificate, got a file with a private key'],
    ['a file that is not a certificate', () => ({ rootCertificates: [RootCertificate.fromFile(tmpFile('notes.txt', 'hello'))] }),
      'must name a PEM or DER certificate, got:'],
    ['a certificate file over 16 KiB', () => ({ rootCertificates: [RootCertificate.fromFile(tmpFile('big.pem', 'x'.repeat(20_000)))] }),
      'must name a certificate of at most 16384 bytes'],
    ['provisioner mode with a client ID in the config', (s) => ({
      config: config({ oauthClientId: 'dt0s10.X' }),
      oauthClient: EdgeConnectOAuthClient.provision({ provisionerClient: provisionerClient(s), hostPatterns: ['*.corp.example.com'] }),
    }), '`config.oauthClientId` must be unset in provisioner mode: the provisioner creates the OAuth client, got: "dt0s10.X"'],
    ['provisioner mode without host patterns', (s) => ({
      oauthClient: EdgeConnectOAuthClient.provision({ provisionerClient: provisionerClient(s), hostPatterns: [] }),
    }), '`hostPatterns` must name at least one host pattern, got: []'],
    ['a host pattern with an inner wildcard', (s) => ({
      oauthClient: EdgeConnectOAuthClient.provision({ provisionerClient: provisionerClient(s), hostPatterns: ['a.*.example.com'] }),
    }), '`hostPatterns` entries must be host names whose wildcards are only whole leading labels (such as "*.example.com"), got: "a.*.example.com"'],
    ['a host mapping from a host no pattern covers', (s) => ({
      oauthClient: EdgeConnectOAuthClient.provision({
        provisionerClient: provisionerClient(s), hostPatterns: ['*.corp.example.com'], hostMappings: [{ from: 'legacy-erp', to: 'erp.corp.example.com' }],
      }),
    }), '`hostMappings[].from` must be a host that one of `hostPatterns` ["*.corp.example.com"] covers, got: "legacy-erp"'],
    ['a host mapping to a wildcard', (s) => ({
      oauthClient: EdgeConnectOAuthClient.provision({
        provisionerClient: provisionerClient(s), hostPatterns: ['legacy-erp'], hostMappings: [{ from: 'legacy-erp', to: '*.corp.example.com' }],
      }),
    }), '`hostMappings[].to` must be a host name without wildcard, scheme or port, got: "*.corp.example.com"'],
  ])('%s', (_, props, message) => {
    expectRefusal(props, message);
  });
});
