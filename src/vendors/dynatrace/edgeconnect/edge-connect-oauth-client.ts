import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Where the fields of an existing OAuth client's secret are.
 */
export interface OAuthClientSecretFields {
  /**
   * The JSON field holding the client ID. Ignored when the config sets `oauthClientId`.
   *
   * @default "clientId"
   */
  readonly clientIdField?: string;

  /**
   * The JSON field holding the client secret.
   *
   * @default "clientSecret"
   */
  readonly clientSecretField?: string;
}

/**
 * A host mapping of an EdgeConnect configuration: requests to `from` (one of the host
 * patterns) are sent to `to` by the EdgeConnect.
 */
export interface EdgeConnectHostMapping {
  /** A host that the host patterns cover, such as `k8s-api-dev`. */
  readonly from: string;

  /** The host EdgeConnect calls instead, such as `kubernetes.default.svc.cluster.local`. */
  readonly to: string;
}

/**
 * What provisioner mode needs to create an EdgeConnect configuration in Dynatrace.
 */
export interface EdgeConnectProvisioningOptions {
  /**
   * A JSON secret with `clientId` and `clientSecret` of an OAuth client that has the scopes
   * `app-engine:edge-connects:read`, `app-engine:edge-connects:write`,
   * `app-engine:edge-connects:delete` and `oauth2:clients:manage`.
   */
  readonly provisionerClient: secretsmanager.ISecret;

  /**
   * The host patterns whose requests Dynatrace routes to this EdgeConnect; wildcards only as
   * whole leading labels (`*.corp.example.com`). A pattern may belong to one configuration only.
   */
  readonly hostPatterns: string[];

  /**
   * Host mappings: rewrite a host pattern's host to another host.
   *
   * @default - none
   */
  readonly hostMappings?: EdgeConnectHostMapping[];
}

/**
 * The OAuth client EdgeConnect authenticates with: an existing one in Secrets Manager, or one
 * that a custom resource creates with the EdgeConnect configuration (provisioner mode).
 */
export class EdgeConnectOAuthClient {
  /**
   * An OAuth client created with the EdgeConnect configuration in the EdgeConnect management
   * app, stored as a JSON secret (by default `{"clientId": "…", "clientSecret": "…"}`).
   *
   * @param secret the secret
   * @param fields where the ID and the secret are in it
   */
  public static fromSecret(secret: secretsmanager.ISecret, fields: OAuthClientSecretFields = {}): EdgeConnectOAuthClient {
    return new EdgeConnectOAuthClient(secret, fields, undefined);
  }

  /**
   * Provisioner mode: a custom resource creates the EdgeConnect configuration (named after
   * the config's `name`) and its OAuth client through the Dynatrace platform API, stores the
   * client in a new secret the service reads, updates it when the host patterns change and
   * deletes it with the stack.
   *
   * @param options the provisioner client and the host patterns
   */
  public static provision(options: EdgeConnectProvisioningOptions): EdgeConnectOAuthClient {
    return new EdgeConnectOAuthClient(undefined, {}, options);
  }

  private constructor(
    /** @internal */ public readonly _secret: secretsmanager.ISecret | undefined,
    /** @internal */ public readonly _fields: OAuthClientSecretFields,
    /** @internal */ public readonly _provisioning: EdgeConnectProvisioningOptions | undefined,
  ) {}
}
