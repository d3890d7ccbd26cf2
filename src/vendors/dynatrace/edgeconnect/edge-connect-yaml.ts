/*
 * Reads an edgeConnect.yaml into EdgeConnectConfig props. Refuses what must not reach a
 * template (the OAuth client secret, the proxy password) and unknown fields; its messages
 * name fields and types, never the file's text, so no secret is echoed.
 */
import type * as Yaml from 'yaml';
import type { EdgeConnectConfigProps, EdgeConnectProxyConfig } from './edge-connect-config';
import { refuse } from '../../../internal/validation';

/** Dynatrace masks secrets in downloaded files and samples with asterisks only. */
const MASKED = /^\*+$/;

const TOP_FIELDS = ['name', 'api_endpoint_host', 'oauth', 'restrict_hosts_to', 'root_certificate_paths', 'proxy', 'secrets'];
const OAUTH_FIELDS = ['endpoint', 'client_id', 'client_secret', 'resource'];
const PROXY_FIELDS = ['server', 'port', 'exceptions', 'auth'];
const AUTH_FIELDS = ['user', 'password'];
const SECRET_FIELDS = ['name', 'token', 'from_env', 'from_file', 'restrict_hosts_to'];

/**
 * The yaml library, loaded on first use: apps that never read or write edgeConnect.yaml do not
 * pay for loading it when they load this library.
 */
export function yamlLibrary(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}

function yamlError(message: string): never {
  return refuse(`edgeConnect.yaml: ${message}`);
}

/** Parses the file into props. Error messages never quote the file's text. */
export function parseEdgeConnectYaml(text: string): EdgeConnectConfigProps {
  // Dynatrace's own sample masks secrets as a bare `*******`, which YAML reads as an alias.
  const unmasked = text.replace(/^(\s*(?:-\s+)?[A-Za-z_]+:[ \t]+)(\*+)[ \t]*$/gm, '$1"$2"');
  const { isMap, isSeq, parseDocument } = yamlLibrary();
  const doc = parseDocument(unmasked, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    yamlError(`not valid YAML (${error.code} at line ${lineOf(unmasked, error.pos[0])})`);
  }
  if (!isMap(doc.contents)) {
    yamlError(`must hold a mapping of fields, got: ${isSeq(doc.contents) ? 'a list' : typeName(doc.toJS())}`);
  }
  const root = doc.toJS() as Record<string, unknown>;
  known(root, TOP_FIELDS, '');

  const oauth = mapping(root.oauth, 'oauth') ?? {};
  known(oauth, OAUTH_FIELDS, 'oauth.');
  if (isSet(oauth.client_secret)) {
    yamlError('holds an OAuth client secret (`oauth.client_secret`), which must never go into a CloudFormation template. ' +
      'Move it into Secrets Manager, pass that secret to EdgeConnect (EdgeConnectOAuthClient.fromSecret), ' +
      'and delete it from the file.');
  }

  const proxy = mapping(root.proxy, 'proxy');
  let proxyConfig: EdgeConnectProxyConfig | undefined;
  if (proxy) {
    known(proxy, PROXY_FIELDS, 'proxy.');
    const auth = mapping(proxy.auth, 'proxy.auth') ?? {};
    known(auth, AUTH_FIELDS, 'proxy.auth.');
    if (isSet(auth.password)) {
      yamlError('holds a proxy password (`proxy.auth.password`), which must never go into a CloudFormation template. ' +
        'Move it into Secrets Manager, pass that secret to EdgeConnect (`proxyPassword`), and delete it from the file.');
    }
    proxyConfig = {
      server: str(proxy.server, 'proxy.server', true)!,
      port: port(proxy.port),
      exceptions: hostList(proxy.exceptions, 'proxy.exceptions'),
      user: str(auth.user, 'proxy.auth.user'),
    };
  }

  const secrets = list(root.secrets, 'secrets').map((entry, i) => {
    const s = mapping(entry, `secrets[${i}]`) ?? {};
    known(s, SECRET_FIELDS, `secrets[${i}].`);
    return {
      name: str(s.name, `secrets[${i}].name`, true)!,
      token: str(s.token, `secrets[${i}].token`, true)!,
      fromEnv: str(s.from_env, `secrets[${i}].from_env`),
      fromFile: str(s.from_file, `secrets[${i}].from_file`),
      restrictHostsTo: hostList(s.restrict_hosts_to, `secrets[${i}].restrict_hosts_to`) ?? [],
    };
  });

  return {
    name: str(root.name, 'name', true)!,
    apiEndpointHost: str(root.api_endpoint_host, 'api_endpoint_host', true)!,
    oauthEndpoint: str(oauth.endpoint, 'oauth.endpoint'),
    oauthClientId: str(oauth.client_id, 'oauth.client_id'),
    oauthResource: str(oauth.resource, 'oauth.resource'),
    restrictHostsTo: hostList(root.restrict_hosts_to, 'restrict_hosts_to'),
    rootCertificatePaths: list(root.root_certificate_paths, 'root_certificate_paths')
      .map((p, i) => str(p, `root_certificate_paths[${i}]`, true)!),
    proxy: proxyConfig,
    secrets: secrets.length > 0 ? secrets : undefined,
  };
}

function lineOf(text: string, pos: number): number {
  return text.slice(0, pos).split('\n').length;
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && (value.length === 0 || MASKED.test(value)));
}

function known(object: Record<string, unknown>, fields: string[], prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!fields.includes(key)) {
      yamlError(`unknown field \`${prefix}${key}\`; known fields here: ${fields.join(', ')}`);
    }
  }
}

function mapping(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    yamlError(`\`${field}\` must be a mapping, got: ${typeName(value)}`);
  }
  return value as Record<string, unknown>;
}

function list(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) yamlError(`\`${field}\` must be a list, got: ${typeName(value)}`);
  return value;
}

function str(value: unknown, field: string, required = false): string | undefined {
  if (value === undefined || value === null) {
    if (required) yamlError(`\`${field}\` is required`);
    return undefined;
  }
  if (typeof value !== 'string') yamlError(`\`${field}\` must be a string, got: ${typeName(value)}`);
  return value;
}

/** A list of hosts: a YAML list or a comma-separated string, as EdgeConnect accepts both. */
function hostList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.split(',').map((h) => h.trim()).filter((h) => h.length > 0);
  return list(value, field).map((h, i) => str(h, `${field}[${i}]`, true)!);
}

function port(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return yamlError(`\`proxy.port\` must be a number, got: ${typeName(value)}`);
}
