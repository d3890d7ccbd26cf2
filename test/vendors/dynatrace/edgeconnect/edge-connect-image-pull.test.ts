/*
 * EdgeConnect in subnets without internet access: ECS pulls the images outside the container's
 * proxy, so the construct warns about images it cannot pull there and offers Amazon ECR sources.
 */
import { App, Annotations as CoreAnnotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EdgeConnect, EdgeConnectConfig, EdgeConnectImage, EdgeConnectOAuthClient, EdgeConnectProps } from '../../../../src';

const CLIENT_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:edgeconnect-client-AbCdEf';
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const ISOLATED = [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }];
const PULL = 'cdk-saas-privatelink:edgeConnectImagePull';
const ENDPOINTS = 'cdk-saas-privatelink:edgeConnectIsolatedEndpoints';

function edgeConnect(subnets: ec2.SubnetConfiguration[] | undefined, props: (stack: Stack) => Partial<EdgeConnectProps> = () => ({}), proxy = false) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: subnets ? 0 : 1, subnetConfiguration: subnets });
  const construct = new EdgeConnect(stack, 'EdgeConnect', {
    vpc,
    config: new EdgeConnectConfig({
      name: 'corporate-network',
      apiEndpointHost: 'abc12345.apps.dynatrace.com',
      proxy: proxy ? { server: 'proxy.corp.example.com', port: 3128 } : undefined,
    }),
    oauthClient: EdgeConnectOAuthClient.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Client', CLIENT_ARN)),
    ...props(stack),
  });
  return { stack, vpc, construct, template: Template.fromStack(stack), annotations: Annotations.fromStack(stack) };
}

/** The warnings of one id, as text. */
function warnings(annotations: Annotations, id: string): string[] {
  return annotations.findWarning('*', Match.stringLikeRegexp(id)).map((w) => String(w.entry.data));
}

function images(template: Template): Record<string, unknown> {
  const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  return Object.fromEntries(taskDefinition.Properties.ContainerDefinitions.map((c: any) => [c.Name, c.Image]));
}

/** The execution role's policy statements, resolved. */
function executionStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('TaskDefinitionExecutionRole') } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

const ecrUri = (repository: string, reference: string) => ({
  'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, `/${repository}${reference}`]],
});
const repositoryArn = (repository: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:eu-west-1:111111111111:repository/${repository}`]],
});

describe('EdgeConnect in isolated subnets warns about images from the internet', () => {
  test.each([['without', false], ['with', true]])('%s a proxy: names the subnets, both public images, the proxy and the fixes', (_, proxy) => {
    const { annotations } = edgeConnect(ISOLATED, undefined, proxy);
    const [message, ...more] = warnings(annotations, PULL);
    expect(more).toEqual([]);
    expect(message).toContain('The selected subnets are isolated (no route to a NAT or internet gateway), and ECS must pull ' +
      'the EdgeConnect image public.ecr.aws/dynatrace/edgeconnect:1.744.0 (from public.ecr.aws) and ' +
      'the init image public.ecr.aws/docker/library/busybox:1.37.0 (from public.ecr.aws) before any container starts: there, the tasks cannot start.');
    expect(message.includes('config.proxy serves only EdgeConnect\'s own connections')).toBe(proxy);
    expect(message).toContain('Run the tasks in subnets with a NAT route (`vpcSubnets`)');
    expect(message).toContain('`image: EdgeConnectImage.fromPullThroughCache(prefix)`');
    expect(message).toContain('`image: EdgeConnectImage.fromEcrRepository(repository, tag)` and `initImage: ecs.ContainerImage.fromEcrRepository(...)`');
    expect(message).toContain('interface endpoints for ECR (ecr.api and ecr.dkr), CloudWatch Logs and Secrets Manager, and an S3 gateway endpoint');
    expect(warnings(annotations, ENDPOINTS)).toEqual([]);
  });

  test('the proxy no longer silences isolated subnets; without one, the no-egress warning still comes too', () => {
    expect(warnings(edgeConnect(ISOLATED, undefined, true).annotations, 'edgeConnectNoEgress')).toEqual([]);
    expect(warnings(edgeConnect(ISOLATED).annotations, 'edgeConnectNoEgress')).toEqual([
      expect.stringContaining('The selected subnets are isolated and the config sets no proxy: EdgeConnect must reach sso.dynatrace.com'),
    ]);
  });

  test('a private ECR image with the default init image: only busybox is named', () => {
    const { annotations } = edgeConnect(ISOLATED, (stack) => ({
      image: EdgeConnectImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Copy', 'mirror/edgeconnect')),
    }));
    const [message] = warnings(annotations, PULL);
    expect(message).toContain('ECS must pull the init image public.ecr.aws/docker/library/busybox:1.37.0 (from public.ecr.aws) before');
    expect(message).not.toContain('the EdgeConnect image');
  });

  test.each([
    ['Docker Hub by short name', 'busybox:1.37.0', 'docker.io'],
    ['Docker Hub by host', 'docker.io/library/busybox:1.37.0', 'docker.io'],
    ['GitHub', 'ghcr.io/corp/init:1', 'ghcr.io'],
  ])('an init image from %s', (_, initImage, host) => {
    const { annotations } = edgeConnect(ISOLATED, (stack) => ({
      image: EdgeConnectImage.fromPullThroughCache('ecr-public'),
      initImage: ecs.ContainerImage.fromRegistry(initImage),
      vpcSubnets: { subnets: [ec2.Subnet.fromSubnetId(stack, 'Known', 'subnet-1')] },
    }));
    // A subnet given by ID has no known type nor zone: no warning, not even a false one.
    expect(warnings(annotations, PULL)).toEqual([]);
    expect(warnings(annotations, 'edgeConnectOneZone')).toEqual([]);
    const isolated = edgeConnect(ISOLATED, () => ({ image: EdgeConnectImage.fromPullThroughCache('ecr-public'), initImage: ecs.ContainerImage.fromRegistry(initImage) }));
    expect(warnings(isolated.annotations, PULL)).toEqual([expect.stringContaining(`ECS must pull the init image ${initImage} (from ${host}) before`)]);
  });

  test('a selection mixing isolated and NAT subnets counts the isolated ones', () => {
    const { annotations } = edgeConnect([
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ], (stack) => ({
      vpcSubnets: { subnets: [...(stack.node.findChild('Vpc') as ec2.Vpc).privateSubnets, ...(stack.node.findChild('Vpc') as ec2.Vpc).isolatedSubnets] },
    }));
    expect(warnings(annotations, PULL)).toEqual([expect.stringMatching(/^2 of the 4 selected subnets are isolated \(no route to a NAT or internet gateway\), and ECS must pull/)]);
  });
});

describe('EdgeConnect image pulls that work', () => {
  test('private subnets with a NAT route: no warning for public images', () => {
    const { annotations } = edgeConnect(undefined);
    annotations.hasNoWarning('*', Match.anyValue());
  });

  test('private subnets imported as such: none of the construct\'s warnings', () => {
    const stack = new Stack(new App(), 'Stack');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['a', 'b'], privateSubnetIds: ['subnet-1', 'subnet-2'] });
    new EdgeConnect(stack, 'EdgeConnect', {
      vpc,
      config: new EdgeConnectConfig({ name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com' }),
      oauthClient: EdgeConnectOAuthClient.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Client', CLIENT_ARN)),
    });
    // aws-cdk-lib itself warns that the imported subnets have no route table IDs.
    expect(warnings(Annotations.fromStack(stack), 'cdk-saas-privatelink')).toEqual([]);
  });

  test.each<[string, (stack: Stack) => Partial<EdgeConnectProps>]>([
    ['a pull-through cache (both images)', () => ({ image: EdgeConnectImage.fromPullThroughCache('ecr-public') })],
    ['a copy in ECR and an init image from ECR', (stack) => ({
      image: EdgeConnectImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Copy', 'mirror/edgeconnect')),
      initImage: ecs.ContainerImage.fromEcrRepository(new ecr.Repository(stack, 'Init'), '1.37.0'),
    })],
    ['an image in another registry synth cannot judge', () => ({
      image: EdgeConnectImage.fromContainerImage(ecs.ContainerImage.fromRegistry('registry.corp.example.com/edgeconnect:1.744.0')),
      initImage: ecs.ContainerImage.fromRegistry(Token.asString({ Ref: 'InitImage' })),
    })],
  ])('isolated subnets with %s: only the endpoints warning, which names what ECS needs', (_, props) => {
    const { annotations } = edgeConnect(ISOLATED, props, true);
    expect(warnings(annotations, PULL)).toEqual([]);
    expect(warnings(annotations, ENDPOINTS)).toEqual([
      'The selected subnets are isolated (no route to a NAT or internet gateway): the tasks start only if the VPC has interface endpoints ' +
      'for ECR (ecr.api and ecr.dkr), CloudWatch Logs and Secrets Manager, and an S3 gateway endpoint (ECS pulls the images, reads the ' +
      'secrets and ships the logs through the task\'s network interface). Synth cannot see endpoints; acknowledge this warning once they ' +
      `exist, or if these subnets reach the internet another way. [ack: ${ENDPOINTS}]`,
    ]);
  });

  test('the endpoints warning can be acknowledged', () => {
    const stack = new Stack(new App(), 'Stack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: ISOLATED });
    const construct = new EdgeConnect(stack, 'EdgeConnect', {
      vpc,
      image: EdgeConnectImage.fromPullThroughCache('ecr-public'),
      config: new EdgeConnectConfig({ name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com', proxy: { server: 'proxy', port: 3128 } }),
      oauthClient: EdgeConnectOAuthClient.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Client', CLIENT_ARN)),
    });
    CoreAnnotations.of(construct).acknowledgeWarning(ENDPOINTS, 'endpoints live in the network stack');
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('EdgeConnectImage.fromPullThroughCache', () => {
  test('both images come from the cache rule\'s repositories, which the execution role may pull, create and import into', () => {
    const { template } = edgeConnect(undefined, () => ({ image: EdgeConnectImage.fromPullThroughCache('ecr-public') }));
    expect(images(template)).toEqual({
      EdgeConnect: ecrUri('ecr-public/dynatrace/edgeconnect', ':1.744.0'),
      Config: ecrUri('ecr-public/docker/library/busybox', ':1.37.0'),
    });
    const statements = executionStatements(template);
    for (const repository of ['ecr-public/dynatrace/edgeconnect', 'ecr-public/docker/library/busybox']) {
      expect(statements).toContainEqual({
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Effect: 'Allow',
        Resource: repositoryArn(repository),
      });
      expect(statements).toContainEqual({
        Action: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'], Effect: 'Allow', Resource: repositoryArn(repository),
      });
    }
    expect(statements).toContainEqual({ Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' });
    // The repositories are ECR's to create: the stack only refers to them.
    template.resourceCountIs('AWS::ECR::Repository', 0);
  });

  test('a digest, a trailing slash in the prefix, and an own init image', () => {
    const { template } = edgeConnect(undefined, () => ({
      image: EdgeConnectImage.fromPullThroughCache('team/public-cache/', DIGEST),
      initImage: ecs.ContainerImage.fromRegistry('registry.corp.example.com/init:1'),
    }));
    expect(images(template)).toEqual({
      EdgeConnect: ecrUri('team/public-cache/dynatrace/edgeconnect', `@${DIGEST}`),
      Config: 'registry.corp.example.com/init:1',
    });
    expect(JSON.stringify(executionStatements(template))).not.toContain('busybox');
  });

  test('a moving tag warns, with advice for this factory', () => {
    const { annotations } = edgeConnect(undefined, () => ({ image: EdgeConnectImage.fromPullThroughCache('ecr-public', 'latest') }));
    expect(warnings(annotations, 'edgeConnectMovingTag')).toEqual([expect.stringMatching(
      /^EdgeConnectImage\.fromPullThroughCache\(…, "latest"\) is not a version tag and can move: .* Use a version tag such as "1\.744\.0", or a digest \("sha256:…"\)\./)]);
  });

  test('cdk-nag: the wildcard of the ECR login is acknowledged, nothing else of the construct is found', () => {
    const { stack } = edgeConnect(undefined, () => ({ image: EdgeConnectImage.fromPullThroughCache('ecr-public') }));
    const ours = (v: { violatingResources: readonly { constructPath?: string }[] }) =>
      v.violatingResources.some((r) => /^Stack\/EdgeConnect\//.test(r.constructPath ?? ''));
    expect(new AwsSolutionsChecks().validateScope(stack).violations.filter(ours)).toEqual([]);
  });
});

describe('EdgeConnectImage.fromEcrRepository', () => {
  test('the default version from the repository, which the execution role may pull', () => {
    const { template } = edgeConnect(undefined, (stack) => ({
      image: EdgeConnectImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Copy', 'mirror/edgeconnect')),
    }));
    expect(images(template).EdgeConnect).toEqual(ecrUri('mirror/edgeconnect', ':1.744.0'));
    expect(images(template).Config).toBe('public.ecr.aws/docker/library/busybox:1.37.0');
    const statements = executionStatements(template);
    expect(statements).toContainEqual({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Effect: 'Allow',
      Resource: repositoryArn('mirror/edgeconnect'),
    });
    expect(JSON.stringify(statements)).not.toContain('ecr:CreateRepository');
  });

  test('a version tag or a digest, without warning; a moving tag warns', () => {
    for (const reference of ['1.745.0', DIGEST]) {
      const { template, annotations } = edgeConnect(undefined, (stack) => ({
        image: EdgeConnectImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Copy', 'mirror/edgeconnect'), reference),
      }));
      expect(images(template).EdgeConnect).toEqual(ecrUri('mirror/edgeconnect', `${reference.startsWith('sha256:') ? '@' : ':'}${reference}`));
      annotations.hasNoWarning('*', Match.anyValue());
    }
    const { annotations } = edgeConnect(undefined, (stack) => ({
      image: EdgeConnectImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Copy', 'mirror/edgeconnect'), 'stable'),
    }));
    expect(warnings(annotations, 'edgeConnectMovingTag')).toEqual([expect.stringContaining('EdgeConnectImage.fromEcrRepository(…, "stable") is not a version tag')]);
  });
});

describe('EdgeConnectImage ECR factories refuse, before creating anything', () => {
  const copy = (stack: Stack) => ecr.Repository.fromRepositoryName(stack, 'Copy', 'mirror/edgeconnect');
  test.each<[string, (stack: Stack) => EdgeConnectImage, string]>([
    ['a malformed tag', (stack) => EdgeConnectImage.fromEcrRepository(copy(stack), 'v 1'),
      '`tagOrDigest` of `EdgeConnectImage.fromEcrRepository` and `.fromPullThroughCache` must be a Docker tag (letters, digits, _ . -, at most 128) or "sha256:" followed by 64 lowercase hex digits, got: "v 1"'],
    ['a short digest', (stack) => EdgeConnectImage.fromEcrRepository(copy(stack), 'sha256:abc'),
      '`tagOrDigest` of `EdgeConnectImage.fromEcrRepository` and `.fromPullThroughCache` must be a Docker tag (letters, digits, _ . -, at most 128) or "sha256:" followed by 64 lowercase hex digits, got: "sha256:abc"'],
    ['an uppercase digest', () => EdgeConnectImage.fromPullThroughCache('ecr-public', DIGEST.toUpperCase()),
      '`tagOrDigest` of `EdgeConnectImage.fromEcrRepository` and `.fromPullThroughCache` must be a Docker tag (letters, digits, _ . -, at most 128) or "sha256:" followed by 64 lowercase hex digits, got: "SHA256:'],
    ['a tag with an image name', () => EdgeConnectImage.fromPullThroughCache('ecr-public', 'edgeconnect:1.744.0'),
      'got: "edgeconnect:1.744.0"'],
    ['an uppercase prefix', () => EdgeConnectImage.fromPullThroughCache('ECR-Public'),
      '`EdgeConnectImage.fromPullThroughCache` `ecrRepositoryPrefix` must be the prefix of a pull-through cache rule: 2 to 30 characters, ' +
      'lowercase words of letters and digits joined by . _ - or /, got: "ECR-Public"'],
    ['a one-character prefix', () => EdgeConnectImage.fromPullThroughCache('e'), 'got: "e"'],
    ['a prefix over 30 characters', () => EdgeConnectImage.fromPullThroughCache('a'.repeat(31)), `got: "${'a'.repeat(31)}"`],
    ['a prefix with a registry URL', () => EdgeConnectImage.fromPullThroughCache('https://public.ecr.aws'), 'got: "https://public.ecr.aws"'],
    ['an empty prefix segment', () => EdgeConnectImage.fromPullThroughCache('team//cache'), 'got: "team//cache"'],
  ])('%s', (_, image, message) => {
    const stack = new Stack(new App(), 'Stack');
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(() => new EdgeConnect(stack, 'EdgeConnect', {
      vpc,
      image: image(stack),
      config: new EdgeConnectConfig({ name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com' }),
      oauthClient: EdgeConnectOAuthClient.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Client', CLIENT_ARN)),
    })).toThrow(message);
    const leftovers = stack.node.tryFindChild('EdgeConnect')?.node.findAll().filter(CfnResource.isCfnResource) ?? [];
    expect(leftovers).toHaveLength(0);
  });

  test('deploy-time values are not checked', () => {
    const { template } = edgeConnect(undefined, () => ({
      image: EdgeConnectImage.fromPullThroughCache(Token.asString({ Ref: 'CachePrefix' }), Token.asString({ Ref: 'EdgeConnectTag' })),
    }));
    expect(JSON.stringify(images(template).EdgeConnect)).toContain('CachePrefix');
  });
});
