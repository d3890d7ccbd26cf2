import { Token } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { checkConfig, DEFAULT_OAUTH_ENDPOINT } from './edge-connect-config-checks';
import { parseEdgeConnectYaml, yamlLibrary } from './edge-connect-yaml';
import { refuse } from '../../../internal/validation';

/**
 * The proxy EdgeConnect sends its requests through (`proxy` in `edgeConnect.yaml`).
 *
 * The proxy password is not part of the model: it never goes into a file or a template.
 * `EdgeConnect` takes it from Secrets Manager (`proxyPassword`); Docker and Kubernetes
 * users set `EDGE_CONNECT_PROXY__AUTH__PASSWORD`.
 */
export interface EdgeConnectProxyConfig {
  /**
   * Host name or IP address of the proxy, without scheme or port (`proxy.server`).
   */
  readonly server: string;

  /**
   * Port of the proxy (`proxy.port`).
   */
  readonly port: number;

  /**
   * Hosts reached without the proxy; wildcards only as whole leading labels
   * (`proxy.exceptions`).
   *
   * @default - every request goes through the proxy
   */
  readonly exceptions?: string[];

  /**
   * User name for the proxy's Basic authentication (`proxy.auth.user`).
   *
   * @default - no proxy authentication
   */
  readonly user?: string;
}

/**
 * A placeholder secret (one entry of `secrets` in `edgeConnect.yaml`): EdgeConnect replaces
 * its token in requests to `restrictHostsTo` with the value it reads from an environment
 * variable or a file.
 *
 * The token is given either as `token` (a literal, as in a Docker or Kubernetes user's
 * `edgeConnect.yaml`) or as `tokenSecret` (kept in Secrets Manager; only `EdgeConnect` on ECS
 * can use it). Exactly one of the two is required. A token's second half is its secret part:
 * prefer `tokenSecret`, so the token never reaches a template or a committed file.
 *
 * @see https://docs.dynatrace.com/docs/shortlink/edge-connect#secrets
 */
export interface EdgeConnectSecretConfig {
  /**
   * A name for logs (`name`).
   */
  readonly name: string;

  /**
   * The placeholder, as a literal: `dt0e01.` + 24 + `.` + 64 characters of A-Z and 2-7, as the
   * vendor's `openssl rand 15 | base32` / `openssl rand 40 | base32` command makes (`token`).
   *
   * A literal token ends up wherever the model goes: in a file `toYaml()` renders, and in the
   * CloudFormation template of an `EdgeConnect` (which warns about it). Exactly one of `token`
   * and `tokenSecret` is required.
   *
   * @default - none; then `tokenSecret` is required
   */
  readonly token?: string;

  /**
   * A Secrets Manager secret holding the placeholder token (same format as `token`), so that
   * the token stays out of templates and source files. `EdgeConnect` passes it to its init
   * container as an ECS secret, which checks its format and writes it into `edgeConnect.yaml`
   * when the task starts; the template holds only the secret's ARN. `toYaml()` refuses a
   * config with such an entry: a rendered file can only hold a literal `token`. Exactly one
   * of `token` and `tokenSecret` is required.
   *
   * @default - none; then `token` is required
   */
  readonly tokenSecret?: secretsmanager.ISecret;

  /**
   * The JSON field of `tokenSecret` that holds the token; only with `tokenSecret`.
   *
   * @default - the whole secret string
   */
  readonly tokenSecretField?: string;

  /**
   * The environment variable holding the value (`from_env`). Exactly one of `fromEnv` and
   * `fromFile` is required.
   *
   * @default - none; then `fromFile` is required
   */
  readonly fromEnv?: string;

  /**
   * The absolute path of a file holding the value (`from_file`). Exactly one of `fromEnv`
   * and `fromFile` is required.
   *
   * @default - none; then `fromEnv` is required
   */
  readonly fromFile?: string;

  /**
   * The hosts the token is replaced for; requests to other hosts that carry the token fail
   * (`restrict_hosts_to`). At least one.
   */
  readonly restrictHostsTo: string[];
}

/**
 * Properties of an `EdgeConnectConfig`: the fields of `edgeConnect.yaml` without its secrets.
 */
export interface EdgeConnectConfigProps {
  /**
   * The EdgeConnect's name, as configured in Dynatrace: an RFC 1123 label of at most
   * 50 characters (`name`).
   */
  readonly name: string;

  /**
   * The environment's apps host, such as `abc12345.apps.dynatrace.com`, without scheme
   * (`api_endpoint_host`).
   */
  readonly apiEndpointHost: string;

  /**
   * The token endpoint of Dynatrace SSO (`oauth.endpoint`). Must be https.
   *
   * @default "https://sso.dynatrace.com/sso/oauth2/token"
   */
  readonly oauthEndpoint?: string;

  /**
   * The ID of the EdgeConnect's OAuth client (`oauth.client_id`). Not a secret; the
   * client secret is never part of the model.
   *
   * @default - none in the file; `EdgeConnect` reads it from the OAuth client's secret
   */
  readonly oauthClientId?: string;

  /**
   * The URN of the environment, `urn:dtenvironment:{environment ID}` (`oauth.resource`).
   *
   * @default - `urn:dtenvironment:` and the first label of `apiEndpointHost`
   */
  readonly oauthResource?: string;

  /**
   * Restricts the hosts EdgeConnect sends requests to; wildcards only as whole leading
   * labels, such as `*.example.com` (`restrict_hosts_to`).
   *
   * @default - no local restriction beyond the host patterns configured in Dynatrace
   */
  readonly restrictHostsTo?: string[];

  /**
   * Absolute paths, inside the container, of extra trusted root certificates in PEM or DER
   * (`root_certificate_paths`). `EdgeConnect` adds the certificates it writes itself.
   *
   * @default - none
   */
  readonly rootCertificatePaths?: string[];

  /**
   * The HTTP proxy EdgeConnect uses (`proxy`).
   *
   * @default - no proxy
   */
  readonly proxy?: EdgeConnectProxyConfig;

  /**
   * Placeholder secrets (`secrets`).
   *
   * @default - none
   */
  readonly secrets?: EdgeConnectSecretConfig[];
}

/**
 * A typed, validated model of Dynatrace EdgeConnect's `edgeConnect.yaml`, without secrets.
 *
 * Renders the file (`toYaml`) and its environment variables (`toEnvironment`) for Docker,
 * Kubernetes or `EdgeConnect` on ECS, and reads a file downloaded from Dynatrace
 * (`fromYaml`). Secret values are never part of it: the OAuth client secret, the proxy
 * password and placeholder secret values come from environment variables. A placeholder's
 * token may be a literal (`token`) or, for `EdgeConnect` on ECS, a Secrets Manager secret
 * (`tokenSecret`).
 *
 * @example
 * const config = new EdgeConnectConfig({
 *   name: 'corporate-network',
 *   apiEndpointHost: 'abc12345.apps.dynatrace.com',
 *   restrictHostsTo: ['*.corp.example.com'],
 * });
 */
export class EdgeConnectConfig {
  /** The token endpoint of Dynatrace SSO, the default `oauthEndpoint`. */
  public static readonly DEFAULT_OAUTH_ENDPOINT = DEFAULT_OAUTH_ENDPOINT;

  /**
   * Reads an `edgeConnect.yaml`, such as the one the EdgeConnect management app downloads.
   *
   * Refuses a file that holds the OAuth client secret or the proxy password (values of
   * asterisks only, as Dynatrace masks them, count as absent): move those into Secrets
   * Manager. Also refuses unknown fields and every value `new EdgeConnectConfig` refuses.
   *
   * @param text the file's content
   */
  public static fromYaml(text: string): EdgeConnectConfig {
    const props = parseEdgeConnectYaml(text);
    // Checked first with the file's field names, so its errors name what the file calls them.
    checkConfig(props, 'yaml');
    return new EdgeConnectConfig(props);
  }

  /** `name`. */
  public readonly name: string;
  /** `api_endpoint_host`. */
  public readonly apiEndpointHost: string;
  /** `oauth.endpoint`. */
  public readonly oauthEndpoint: string;
  /** `oauth.resource`. */
  public readonly oauthResource: string;
  /** `oauth.client_id`, when set. */
  public readonly oauthClientId?: string;
  /** `restrict_hosts_to`; empty when unrestricted. */
  public readonly restrictHostsTo: string[];
  /** `root_certificate_paths`. */
  public readonly rootCertificatePaths: string[];
  /** `proxy`, when set. */
  public readonly proxy?: EdgeConnectProxyConfig;
  /** `secrets`. */
  public readonly secrets: EdgeConnectSecretConfig[];

  constructor(props: EdgeConnectConfigProps) {
    const resource = checkConfig(props, 'props');

    this.name = props.name;
    this.apiEndpointHost = props.apiEndpointHost;
    this.oauthEndpoint = props.oauthEndpoint ?? DEFAULT_OAUTH_ENDPOINT;
    this.oauthResource = resource;
    this.oauthClientId = props.oauthClientId;
    this.restrictHostsTo = [...props.restrictHostsTo ?? []];
    this.rootCertificatePaths = [...props.rootCertificatePaths ?? []];
    this.proxy = props.proxy && {
      server: props.proxy.server,
      port: props.proxy.port,
      exceptions: [...props.proxy.exceptions ?? []],
      user: props.proxy.user,
    };
    this.secrets = (props.secrets ?? []).map((s) => ({
      name: s.name,
      token: s.token,
      tokenSecret: s.tokenSecret,
      tokenSecretField: s.tokenSecretField,
      fromEnv: s.fromEnv,
      fromFile: s.fromFile,
      restrictHostsTo: [...s.restrictHostsTo],
    }));
  }

  /** The model as props, to copy it with changes: `new EdgeConnectConfig({ ...config.toProps(), name })`. */
  public toProps(): EdgeConnectConfigProps {
    return {
      name: this.name,
      apiEndpointHost: this.apiEndpointHost,
      oauthEndpoint: this.oauthEndpoint,
      oauthResource: this.oauthResource,
      oauthClientId: this.oauthClientId,
      restrictHostsTo: [...this.restrictHostsTo],
      rootCertificatePaths: [...this.rootCertificatePaths],
      proxy: this.proxy && { ...this.proxy, exceptions: [...this.proxy.exceptions ?? []] },
      secrets: this.secrets.map((s) => ({ ...s, restrictHostsTo: [...s.restrictHostsTo] })),
    };
  }

  /**
   * Renders `edgeConnect.yaml`, with no secret value in it: set `EDGE_CONNECT_OAUTH__CLIENT_SECRET`
   * (and `EDGE_CONNECT_PROXY__AUTH__PASSWORD`, and each placeholder's `from_env` variable)
   * in the container's environment.
   *
   * Placeholder tokens are written as given in `token`; treat the file as sensitive. Refuses a
   * config with a `tokenSecret` entry: that token lives in Secrets Manager and only
   * `EdgeConnect` on ECS reads it (at task start-up), so no file can hold it.
   */
  public toYaml(): string {
    this.secrets.forEach((s, i) => {
      if (s.tokenSecret !== undefined) {
        refuse(`EdgeConnectConfig.toYaml() cannot render \`secrets[${i}]\` (${JSON.stringify(s.name)}): its token lives in ` +
          'Secrets Manager (`tokenSecret`), which only EdgeConnect on ECS reads, writing it into edgeConnect.yaml when the task ' +
          'starts. For Docker or Kubernetes, give the token as `token` and keep the rendered file out of version control.');
      }
    });
    const doc = new (yamlLibrary().Document)(this.yamlObject());
    doc.commentBefore = ' edgeConnect.yaml rendered by cdk-saas-privatelink. Secret values are not in this file:\n' +
      ' EDGE_CONNECT_OAUTH__CLIENT_SECRET, EDGE_CONNECT_PROXY__AUTH__PASSWORD and each secret\'s\n' +
      ' from_env variable are set in the container\'s environment.';
    return doc.toString({ lineWidth: 0 });
  }

  /**
   * The settings that EdgeConnect also reads from environment variables, without secrets:
   * `EDGE_CONNECT_NAME`, `EDGE_CONNECT_API_ENDPOINT_HOST`, `EDGE_CONNECT_OAUTH__ENDPOINT`,
   * `EDGE_CONNECT_OAUTH__RESOURCE`, and when set `EDGE_CONNECT_OAUTH__CLIENT_ID`,
   * `EDGE_CONNECT_RESTRICT_HOSTS_TO` and `EDGE_CONNECT_PROXY__*`. Lists are comma-separated.
   */
  public toEnvironment(): Record<string, string> {
    const env: Record<string, string> = {
      EDGE_CONNECT_NAME: this.name,
      EDGE_CONNECT_API_ENDPOINT_HOST: this.apiEndpointHost,
      EDGE_CONNECT_OAUTH__ENDPOINT: this.oauthEndpoint,
      EDGE_CONNECT_OAUTH__RESOURCE: this.oauthResource,
    };
    if (this.oauthClientId !== undefined) env.EDGE_CONNECT_OAUTH__CLIENT_ID = this.oauthClientId;
    if (this.restrictHostsTo.length > 0) env.EDGE_CONNECT_RESTRICT_HOSTS_TO = this.restrictHostsTo.join(',');
    if (this.proxy) {
      env.EDGE_CONNECT_PROXY__SERVER = this.proxy.server;
      env.EDGE_CONNECT_PROXY__PORT = Token.isUnresolved(this.proxy.port) ? Token.asString(this.proxy.port) : String(this.proxy.port);
      if ((this.proxy.exceptions ?? []).length > 0) env.EDGE_CONNECT_PROXY__EXCEPTIONS = this.proxy.exceptions!.join(',');
      if (this.proxy.user !== undefined) env.EDGE_CONNECT_PROXY__AUTH__USER = this.proxy.user;
    }
    return env;
  }

  /**
   * The file `EdgeConnect` writes into the container: only the fields that have no
   * environment variable (`root_certificate_paths`, `secrets`); the rest comes from
   * `toEnvironment()`, as in the vendor's Kubernetes manifest. The token of a `tokenSecret`
   * entry is `tokenMarker(i)`, which the init container replaces at start-up; each marker
   * occurs exactly once.
   *
   * @internal
   */
  public _yamlOnlyFields(extraCertificatePaths: string[], tokenMarker: (index: number) => string): string {
    const secrets = this.yamlObject(tokenMarker).secrets;
    const paths = [...this.rootCertificatePaths, ...extraCertificatePaths];
    const doc = new (yamlLibrary().Document)({
      ...(paths.length > 0 ? { root_certificate_paths: paths } : {}),
      ...(secrets ? { secrets } : {}),
    });
    const text = doc.toString({ lineWidth: 0 });
    this.secrets.forEach((s, i) => {
      if (s.tokenSecret !== undefined && text.split(tokenMarker(i)).length !== 2) {
        refuse(`\`secrets\` must not contain the text ${JSON.stringify(tokenMarker(i))} outside the token of \`secrets[${i}]\`: ` +
          'EdgeConnect marks the place of a token from Secrets Manager with it');
      }
    });
    return text;
  }

  private yamlObject(tokenMarker?: (index: number) => string): Record<string, any> {
    const out: Record<string, any> = {
      name: this.name,
      api_endpoint_host: this.apiEndpointHost,
      oauth: {
        endpoint: this.oauthEndpoint,
        ...(this.oauthClientId !== undefined ? { client_id: this.oauthClientId } : {}),
        resource: this.oauthResource,
      },
    };
    if (this.restrictHostsTo.length > 0) out.restrict_hosts_to = this.restrictHostsTo;
    if (this.rootCertificatePaths.length > 0) out.root_certificate_paths = this.rootCertificatePaths;
    if (this.proxy) {
      out.proxy = {
        server: this.proxy.server,
        port: this.proxy.port,
        ...((this.proxy.exceptions ?? []).length > 0 ? { exceptions: this.proxy.exceptions } : {}),
        ...(this.proxy.user !== undefined ? { auth: { user: this.proxy.user } } : {}),
      };
    }
    if (this.secrets.length > 0) {
      out.secrets = this.secrets.map((s, i) => ({
        name: s.name,
        token: s.tokenSecret !== undefined && tokenMarker ? tokenMarker(i) : s.token,
        ...(s.fromEnv !== undefined ? { from_env: s.fromEnv } : { from_file: s.fromFile }),
        restrict_hosts_to: s.restrictHostsTo,
      }));
    }
    return out;
  }
}
