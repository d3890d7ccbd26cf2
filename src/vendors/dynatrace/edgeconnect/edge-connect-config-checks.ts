/*
 * The checks of an EdgeConnectConfig's fields, naming each field as the props call it or, for
 * `EdgeConnectConfig.fromYaml`, as edgeConnect.yaml calls it.
 */
import { Token } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { EdgeConnectConfigProps, EdgeConnectProxyConfig, EdgeConnectSecretConfig } from './edge-connect-config';
import { isHostName, isHostPattern, isRfc1123Label } from '../../../internal/dns-names';
import { refuse } from '../../../internal/validation';
import { describeToken, isEdgeConnectSecretToken } from '../tokens';

/** Field names as the props call them and as edgeConnect.yaml calls them. */
export type Style = 'props' | 'yaml';

/** The token endpoint of Dynatrace SSO. */
export const DEFAULT_OAUTH_ENDPOINT = 'https://sso.dynatrace.com/sso/oauth2/token';
const MAX_NAME = 50;
const RESOURCE = /^urn:dtenvironment:([a-z0-9][a-z0-9-]*)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks every field; returns the OAuth resource (given, or derived from the API host). */
export function checkConfig(props: EdgeConnectConfigProps, style: Style): string {
  const v = new Checker(style);
  v.name(props.name);
  v.host(props.apiEndpointHost);
  const resource = props.oauthResource ?? defaultResource(props.apiEndpointHost, v);
  v.oauth(props.oauthEndpoint ?? DEFAULT_OAUTH_ENDPOINT, resource, props.apiEndpointHost, props.oauthClientId);
  v.patterns(['restrictHostsTo', 'restrict_hosts_to'], props.restrictHostsTo ?? []);
  v.absolutePaths(['rootCertificatePaths', 'root_certificate_paths'], props.rootCertificatePaths ?? []);
  if (props.proxy) v.proxy(props.proxy);
  v.secrets(props.secrets ?? []);
  return resource;
}

function literal(value: string | number | undefined): boolean {
  return value !== undefined && !Token.isUnresolved(value);
}

export function defaultResource(host: string, v: Checker): string {
  if (!literal(host)) {
    return v.fail(`${v.field('oauthResource', 'oauth.resource')} is required when ${v.field('apiEndpointHost', 'api_endpoint_host')} is a deploy-time value`);
  }
  return `urn:dtenvironment:${host.split('.')[0].toLowerCase()}`;
}

const PATTERN_RULE = 'host names whose wildcards are only whole leading labels (such as "*.example.com")';

/** Validates fields, naming them as the props or as the file does. */
export class Checker {
  constructor(private readonly style: Style) {}

  public field(prop: string, yaml: string): string {
    return `\`${this.style === 'yaml' ? yaml : prop}\``;
  }

  public fail(message: string): never {
    return refuse(this.style === 'yaml' ? `edgeConnect.yaml: ${message}` : message);
  }

  public name(name: string): void {
    if (literal(name) && !isRfc1123Label(name, MAX_NAME)) {
      this.fail(`\`name\` must be an RFC 1123 label of at most ${MAX_NAME} characters, got: ${JSON.stringify(name)}`);
    }
  }

  public host(host: string): void {
    if (literal(host) && !isHostName(host)) {
      this.fail(`${this.field('apiEndpointHost', 'api_endpoint_host')} must be a host name without scheme, port or path, ` +
        `such as "abc12345.apps.dynatrace.com", got: ${JSON.stringify(host)}`);
    }
  }

  public oauth(endpoint: string, resource: string, host: string, clientId?: string): void {
    if (literal(endpoint) && !isHttpsUrl(endpoint)) {
      this.fail(`${this.field('oauthEndpoint', 'oauth.endpoint')} must be an https:// URL, got: ${JSON.stringify(endpoint)}`);
    }
    const match = literal(resource) ? RESOURCE.exec(resource) : undefined;
    if (match === null) {
      this.fail(`${this.field('oauthResource', 'oauth.resource')} must be "urn:dtenvironment:" followed by the environment ID, ` +
        `got: ${JSON.stringify(resource)}`);
    }
    const hostEnv = literal(host) ? host.split('.')[0].toLowerCase() : undefined;
    if (match && hostEnv !== undefined && match[1] !== hostEnv) {
      this.fail(`${this.field('oauthResource', 'oauth.resource')} must name the environment of ` +
        `${this.field('apiEndpointHost', 'api_endpoint_host')} ("urn:dtenvironment:${hostEnv}"), got: ${JSON.stringify(resource)}`);
    }
    if (clientId !== undefined && literal(clientId) && clientId.trim().length === 0) {
      this.fail(`${this.field('oauthClientId', 'oauth.client_id')} must not be empty when given, got: ""`);
    }
  }

  public patterns(names: [string, string], values: string[]): void {
    for (const value of values) {
      if (literal(value) && !isHostPattern(value)) {
        this.fail(`${this.field(...names)} entries must be ${PATTERN_RULE}, got: ${JSON.stringify(value)}`);
      }
    }
  }

  public absolutePaths(names: [string, string], values: string[]): void {
    for (const value of values) {
      if (literal(value) && !value.startsWith('/')) {
        this.fail(`${this.field(...names)} entries must be absolute paths inside the container, got: ${JSON.stringify(value)}`);
      }
    }
  }

  public proxy(proxy: EdgeConnectProxyConfig): void {
    if (literal(proxy.server) && !isHostName(proxy.server)) {
      this.fail(`\`proxy.server\` must be a host name or IP address without scheme or port, got: ${JSON.stringify(proxy.server)}`);
    }
    if (literal(proxy.port) && !(Number.isInteger(proxy.port) && proxy.port >= 1 && proxy.port <= 65535)) {
      this.fail(`\`proxy.port\` must be an integer from 1 to 65535, got: ${proxy.port}`);
    }
    this.patterns(['proxy.exceptions', 'proxy.exceptions'], proxy.exceptions ?? []);
    if (proxy.user !== undefined && literal(proxy.user) && proxy.user.length === 0) {
      this.fail(`${this.field('proxy.user', 'proxy.auth.user')} must not be empty when given, got: ""`);
    }
  }

  public secrets(secrets: EdgeConnectSecretConfig[]): void {
    const tokens = new Set<string>();
    const secretTokens: { secret: secretsmanager.ISecret; field?: string; index: number }[] = [];
    secrets.forEach((secret, i) => {
      const at = (prop: string, yaml = prop) => this.field(`secrets[${i}].${prop}`, `secrets[${i}].${yaml}`);
      if (literal(secret.name) && secret.name.trim().length === 0) {
        this.fail(`${at('name')} must not be empty, got: ""`);
      }
      const given = [secret.token, secret.tokenSecret].filter((t) => t !== undefined).length;
      if (given !== 1) {
        this.fail(`\`secrets[${i}]\` must set exactly one of ${at('token')} and ${at('tokenSecret')}, ` +
          `got: ${given === 0 ? 'neither' : 'both'}`);
      }
      if (secret.token !== undefined && literal(secret.token) && !isEdgeConnectSecretToken(secret.token)) {
        this.fail(`${at('token')} must be "dt0e01." followed by 24 and then 64 characters of A-Z and 2-7, separated by a dot ` +
          `(what the vendor's openssl command makes), got: ${JSON.stringify(describeToken(secret.token))}`);
      }
      if (secret.tokenSecretField !== undefined && secret.tokenSecret === undefined) {
        this.fail(`${at('tokenSecretField')} needs ${at('tokenSecret')}, got: field ${JSON.stringify(secret.tokenSecretField)} and no secret`);
      }
      if (secret.tokenSecretField !== undefined && literal(secret.tokenSecretField) && secret.tokenSecretField.trim().length === 0) {
        this.fail(`${at('tokenSecretField')} must not be empty when given, got: ""`);
      }
      if (secret.token !== undefined) {
        if (tokens.has(secret.token)) {
          this.fail(`\`secrets\` must not repeat a token, got ${JSON.stringify(describeToken(secret.token))} twice`);
        }
        tokens.add(secret.token);
      }
      if (secret.tokenSecret !== undefined) {
        const field = secret.tokenSecretField;
        const same = secretTokens.find((t) => t.secret === secret.tokenSecret && t.field === field);
        if (same) {
          this.fail(`\`secrets\` must not repeat a token, got the token of secret ${secret.tokenSecret.node.path}` +
            `${field === undefined ? '' : ` (field ${JSON.stringify(field)})`} in \`secrets[${same.index}]\` and \`secrets[${i}]\``);
        }
        secretTokens.push({ secret: secret.tokenSecret, field, index: i });
      }
      const sources = [secret.fromEnv, secret.fromFile].filter((s) => s !== undefined).length;
      if (sources !== 1) {
        this.fail(`\`secrets[${i}]\` must set exactly one of ${at('fromEnv', 'from_env')} and ${at('fromFile', 'from_file')}, ` +
          `got: ${sources === 0 ? 'neither' : 'both'}`);
      }
      if (secret.fromEnv !== undefined && literal(secret.fromEnv)
        && (!ENV_NAME.test(secret.fromEnv) || secret.fromEnv.toUpperCase().startsWith('EDGE_CONNECT_'))) {
        this.fail(`${at('fromEnv', 'from_env')} must be an environment variable name (letters, digits and underscores, ` +
          `not starting with a digit) outside EdgeConnect's own EDGE_CONNECT_ prefix, got: ${JSON.stringify(secret.fromEnv)}`);
      }
      if (secret.fromFile !== undefined) this.absolutePaths([`secrets[${i}].fromFile`, `secrets[${i}].from_file`], [secret.fromFile]);
      if (secret.restrictHostsTo.length === 0) {
        this.fail(`${at('restrictHostsTo', 'restrict_hosts_to')} must name at least one host: EdgeConnect replaces the token ` +
          'only in requests to these hosts, got: []');
      }
      this.patterns([`secrets[${i}].restrictHostsTo`, `secrets[${i}].restrict_hosts_to`], secret.restrictHostsTo);
    });
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.length > 0 && !url.username && !url.password;
  } catch {
    return false;
  }
}
