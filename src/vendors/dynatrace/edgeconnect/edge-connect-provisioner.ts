import { CfnResource, CustomResource, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { EdgeConnectConfig } from './edge-connect-config';
import type { EdgeConnectProvisioningOptions } from './edge-connect-oauth-client';
import { EdgeConnectProvisionerFunction } from './edge-connect-provisioner-function';
import { validateProvisioning } from './provisioning-checks';
import { serviceTimeoutFor, singletonHandler, skipCheckov } from '../../../internal/handler-function';

/**
 * Properties of an `EdgeConnectProvisioner`.
 */
export interface EdgeConnectProvisionerProps extends EdgeConnectProvisioningOptions {
  /**
   * The EdgeConnect's settings: its `name` becomes the configuration's name, and the
   * `apiEndpointHost`, `oauthEndpoint` and `oauthResource` say where to create it.
   * `oauthClientId` must be unset: the provisioner creates the client.
   */
  readonly config: EdgeConnectConfig;
}

/**
 * Creates an EdgeConnect configuration and its OAuth client in Dynatrace through the platform
 * API (what the Dynatrace Kubernetes operator calls provisioner mode) and keeps the client in
 * a new Secrets Manager secret as `{"clientId", "clientSecret", "resource"}`.
 *
 * Changing the host patterns or mappings updates the configuration in place; changing the
 * name or the environment creates a new one and deletes the old; removing the construct
 * deletes the configuration and its client. A create whose outcome is unclear is never simply
 * repeated: the configuration is looked up by name and adopted or deleted, so exactly one
 * exists. When CloudFormation rolls a replacement back, the secret gets the old configuration's
 * client back (its previous version) before the new configuration is deleted; a create it
 * stopped waiting for is found by its name and deleted. When the vendor side is gone at
 * delete time (the host no longer resolves, the provisioner client is refused or its secret
 * cannot be read), the stack still deletes and the resource's status reason names what was
 * left behind.
 * `EdgeConnect` creates one in provisioner mode;
 * use it alone to provision for EdgeConnects that run elsewhere.
 *
 * @example
 * declare const config: EdgeConnectConfig;
 * declare const provisionerClient: secretsmanager.ISecret;
 *
 * const provisioner = new EdgeConnectProvisioner(this, 'Provisioner', {
 *   config,
 *   provisionerClient,
 *   hostPatterns: ['*.corp.example.com'],
 * });
 * // provisioner.oauthClientSecret holds the new client
 */
export class EdgeConnectProvisioner extends Construct {
  /** The secret that receives the new OAuth client: JSON with `clientId`, `clientSecret` and `resource`. */
  public readonly oauthClientSecret: secretsmanager.ISecret;

  /**
   * The ID of the EdgeConnect configuration in Dynatrace.
   *
   * @attribute
   */
  public readonly edgeConnectId: string;

  /**
   * The ID of the EdgeConnect's OAuth client (not a secret).
   *
   * @attribute
   */
  public readonly oauthClientId: string;

  constructor(scope: Construct, id: string, props: EdgeConnectProvisionerProps) {
    super(scope, id);
    validateProvisioning(this, props);

    const secret = new secretsmanager.Secret(this, 'OAuthClient', {
      description: `OAuth client of the Dynatrace EdgeConnect "${props.config.name}", written by its provisioner (${this.node.path})`,
      // A placeholder until the provisioner writes the client that Dynatrace returns.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ clientId: 'pending' }),
        generateStringKey: 'clientSecret',
        excludePunctuation: true,
      },
    });
    const noRotation = 'Dynatrace issues this OAuth client with the EdgeConnect configuration and returns its secret once; ' +
      'a new client comes with a new configuration (change the EdgeConnect name), not from a rotation Lambda.';
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: noRotation });
    skipCheckov(secret.node.defaultChild as CfnResource, {
      CKV_AWS_149: 'Encrypted with the AWS managed key aws/secretsmanager; only the provisioner writes it and the ECS task execution role reads it.',
    });
    this.oauthClientSecret = secret;

    const handlerTimeout = Duration.minutes(5);
    const handler = singletonHandler(this, 'DynatraceEdgeConnectProvisioner', EdgeConnectProvisionerFunction, {
      timeout: handlerTimeout,
      description: 'cdk-saas-privatelink: creates, updates and deletes Dynatrace EdgeConnect configurations',
    });
    props.provisionerClient.grantRead(handler);
    // Read as well as write: after an unclear create, the client already stored tells which
    // configuration is this resource's own; on a Delete, the previous version (AWSPREVIOUS, the
    // same action) holds the client to write back when a replacement is rolled back.
    handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      resources: [secret.secretArn],
    }));

    const config = props.config;
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::DynatraceEdgeConnect',
      serviceTimeout: serviceTimeoutFor(handlerTimeout),
      properties: {
        EdgeConnectsUrl: `https://${config.apiEndpointHost}/platform/app-engine/edge-connect/v1/edge-connects`,
        OAuthEndpoint: config.oauthEndpoint,
        OAuthResource: config.oauthResource,
        ProvisionerSecretArn: props.provisionerClient.secretArn,
        TargetSecretArn: secret.secretArn,
        Name: config.name,
        HostPatterns: props.hostPatterns,
        HostMappings: (props.hostMappings ?? []).map((m) => ({ from: m.from, to: m.to })),
      },
    });
    // The handler's permissions must outlive the resource, whose Delete still calls the API.
    if (handler.role) resource.node.addDependency(handler.role);
    this.edgeConnectId = resource.getAttString('EdgeConnectId');
    this.oauthClientId = resource.getAttString('OAuthClientId');
  }
}
