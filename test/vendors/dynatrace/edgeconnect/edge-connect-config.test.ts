import * as fs from 'fs';
import * as path from 'path';
import { Stack, Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { parse } from 'yaml';
import { EdgeConnectConfig, EdgeConnectConfigProps } from '../../../../src';

const TOKEN_A = `dt0e01.${'A'.repeat(24)}.${'B'.repeat(64)}`;
const TOKEN_B = `dt0e01.${'C'.repeat(24)}.${'D'.repeat(64)}`;
const guideSample = fs.readFileSync(path.join(__dirname, 'fixtures', 'guide-sample.edgeConnect.yaml'), 'utf8');

const minimal: EdgeConnectConfigProps = { name: 'corporate-network', apiEndpointHost: 'abc12345.apps.dynatrace.com' };

const full: EdgeConnectConfigProps = {
  name: 'corporate-network',
  apiEndpointHost: 'abc12345.apps.dynatrace.com',
  oauthEndpoint: 'https://sso.dynatrace.com/sso/oauth2/token',
  oauthClientId: 'dt0s10.CLIENTID',
  oauthResource: 'urn:dtenvironment:abc12345',
  restrictHostsTo: ['internal.example.org', '*.example.com'],
  rootCertificatePaths: ['/certs/ca.pem'],
  proxy: { server: 'proxy.example.org', port: 8037, exceptions: ['*.foo.com'], user: 'proxy-user' },
  secrets: [
    { name: 'My secret', token: TOKEN_A, fromEnv: 'MY_SECRET', restrictHostsTo: ['dynatrace.com'] },
    { name: 'My other secret', token: TOKEN_B, fromFile: '/run/secrets/other', restrictHostsTo: ['internal.example.com'] },
  ],
};

function refusal(props: Partial<EdgeConnectConfigProps>): string {
  try {
    new EdgeConnectConfig({ ...minimal, ...props });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

function yamlRefusal(text: string): string {
  try {
    EdgeConnectConfig.fromYaml(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('EdgeConnectConfig model', () => {
  test('defaults the OAuth endpoint and derives the resource from the environment host', () => {
    const config = new EdgeConnectConfig(minimal);
    expect(config.oauthEndpoint).toBe('https://sso.dynatrace.com/sso/oauth2/token');
    expect(config.oauthResource).toBe('urn:dtenvironment:abc12345');
    expect(config.restrictHostsTo).toEqual([]);
    expect(config.secrets).toEqual([]);
  });

  test('renders every field with the file\'s names, and no secret field', () => {
    const rendered = parse(new EdgeConnectConfig(full).toYaml());
    expect(rendered).toEqual({
      name: 'corporate-network',
      api_endpoint_host: 'abc12345.apps.dynatrace.com',
      oauth: { endpoint: 'https://sso.dynatrace.com/sso/oauth2/token', client_id: 'dt0s10.CLIENTID', resource: 'urn:dtenvironment:abc12345' },
      restrict_hosts_to: ['internal.example.org', '*.example.com'],
      root_certificate_paths: ['/certs/ca.pem'],
      proxy: { server: 'proxy.example.org', port: 8037, exceptions: ['*.foo.com'], auth: { user: 'proxy-user' } },
      secrets: [
        { name: 'My secret', token: TOKEN_A, from_env: 'MY_SECRET', restrict_hosts_to: ['dynatrace.com'] },
        { name: 'My other secret', token: TOKEN_B, from_file: '/run/secrets/other', restrict_hosts_to: ['internal.example.com'] },
      ],
    });
    expect(new EdgeConnectConfig(full).toYaml()).toMatch(/^# edgeConnect.yaml rendered by cdk-saas-privatelink/);
  });

  test('round trip: render, parse, equal model', () => {
    for (const props of [minimal, full]) {
      const config = new EdgeConnectConfig(props);
      expect(EdgeConnectConfig.fromYaml(config.toYaml())).toEqual(config);
      expect(new EdgeConnectConfig(config.toProps())).toEqual(config);
    }
  });

  test('environment variables: the vendor\'s names, lists comma-separated, no secret', () => {
    expect(new EdgeConnectConfig(full).toEnvironment()).toEqual({
      EDGE_CONNECT_NAME: 'corporate-network',
      EDGE_CONNECT_API_ENDPOINT_HOST: 'abc12345.apps.dynatrace.com',
      EDGE_CONNECT_OAUTH__ENDPOINT: 'https://sso.dynatrace.com/sso/oauth2/token',
      EDGE_CONNECT_OAUTH__RESOURCE: 'urn:dtenvironment:abc12345',
      EDGE_CONNECT_OAUTH__CLIENT_ID: 'dt0s10.CLIENTID',
      EDGE_CONNECT_RESTRICT_HOSTS_TO: 'internal.example.org,*.example.com',
      EDGE_CONNECT_PROXY__SERVER: 'proxy.example.org',
      EDGE_CONNECT_PROXY__PORT: '8037',
      EDGE_CONNECT_PROXY__EXCEPTIONS: '*.foo.com',
      EDGE_CONNECT_PROXY__AUTH__USER: 'proxy-user',
    });
    expect(new EdgeConnectConfig(minimal).toEnvironment()).toEqual({
      EDGE_CONNECT_NAME: 'corporate-network',
      EDGE_CONNECT_API_ENDPOINT_HOST: 'abc12345.apps.dynatrace.com',
      EDGE_CONNECT_OAUTH__ENDPOINT: 'https://sso.dynatrace.com/sso/oauth2/token',
      EDGE_CONNECT_OAUTH__RESOURCE: 'urn:dtenvironment:abc12345',
    });
  });

  test('deploy-time values are not checked', () => {
    const config = new EdgeConnectConfig({ ...minimal, name: Token.asString({ Ref: 'Name' }), oauthResource: 'urn:dtenvironment:abc12345' });
    expect(Token.isUnresolved(config.name)).toBe(true);
  });
});

describe('EdgeConnectConfig refuses, naming the field, the value and the rule', () => {
  test.each<[string, Partial<EdgeConnectConfigProps>, string]>([
    ['a name that is not an RFC 1123 label', { name: 'Bad_Name' },
      '`name` must be an RFC 1123 label of at most 50 characters, got: "Bad_Name"'],
    ['a name over 50 characters', { name: 'a'.repeat(51) },
      `\`name\` must be an RFC 1123 label of at most 50 characters, got: "${'a'.repeat(51)}"`],
    ['an API endpoint host with a scheme', { apiEndpointHost: 'https://abc12345.apps.dynatrace.com' },
      '`apiEndpointHost` must be a host name without scheme, port or path, such as "abc12345.apps.dynatrace.com", got: "https://abc12345.apps.dynatrace.com"'],
    ['an OAuth endpoint that is not https', { oauthEndpoint: 'http://sso.dynatrace.com/sso/oauth2/token' },
      '`oauthEndpoint` must be an https:// URL, got: "http://sso.dynatrace.com/sso/oauth2/token"'],
    ['a malformed resource URN', { oauthResource: 'urn:dtenv:abc12345' },
      '`oauthResource` must be "urn:dtenvironment:" followed by the environment ID, got: "urn:dtenv:abc12345"'],
    ['a resource of another environment', { oauthResource: 'urn:dtenvironment:xyz98765' },
      '`oauthResource` must name the environment of `apiEndpointHost` ("urn:dtenvironment:abc12345"), got: "urn:dtenvironment:xyz98765"'],
    ['an empty client ID', { oauthClientId: ' ' }, '`oauthClientId` must not be empty when given, got: ""'],
    ['a wildcard that is not a leading label', { restrictHostsTo: ['api.*.example.com'] },
      '`restrictHostsTo` entries must be host names whose wildcards are only whole leading labels (such as "*.example.com"), got: "api.*.example.com"'],
    ['a partial-label wildcard', { restrictHostsTo: ['api*.example.com'] },
      '`restrictHostsTo` entries must be host names whose wildcards are only whole leading labels (such as "*.example.com"), got: "api*.example.com"'],
    ['a relative certificate path', { rootCertificatePaths: ['certs/ca.pem'] },
      '`rootCertificatePaths` entries must be absolute paths inside the container, got: "certs/ca.pem"'],
    ['a proxy server with a scheme', { proxy: { server: 'http://proxy', port: 8080 } },
      '`proxy.server` must be a host name or IP address without scheme or port, got: "http://proxy"'],
    ['a proxy port out of range', { proxy: { server: 'proxy', port: 70000 } },
      '`proxy.port` must be an integer from 1 to 65535, got: 70000'],
    ['a proxy exception with an inner wildcard', { proxy: { server: 'proxy', port: 8080, exceptions: ['a.*'] } },
      '`proxy.exceptions` entries must be host names whose wildcards are only whole leading labels (such as "*.example.com"), got: "a.*"'],
    ['an empty proxy user', { proxy: { server: 'proxy', port: 8080, user: '' } },
      '`proxy.user` must not be empty when given, got: ""'],
    ['a secret without a name', { secrets: [{ name: '', token: TOKEN_A, fromEnv: 'A', restrictHostsTo: ['x.example.com'] }] },
      '`secrets[0].name` must not be empty, got: ""'],
    ['a secret token of the prose lengths', { secrets: [{ name: 's', token: `dt0e01.${'A'.repeat(15)}.${'S'.repeat(40)}`, fromEnv: 'A', restrictHostsTo: ['x.example.com'] }] },
      `\`secrets[0].token\` must be "dt0e01." followed by 24 and then 64 characters of A-Z and 2-7, separated by a dot (what the vendor's openssl command makes), got: "dt0e01.${'A'.repeat(15)}.***"`],
    ['a repeated token', {
      secrets: [
        { name: 'a', token: TOKEN_A, fromEnv: 'A', restrictHostsTo: ['x.example.com'] },
        { name: 'b', token: TOKEN_A, fromEnv: 'B', restrictHostsTo: ['x.example.com'] },
      ],
    }, `\`secrets\` must not repeat a token, got "dt0e01.${'A'.repeat(24)}.***" twice`],
    ['a secret with both sources', { secrets: [{ name: 's', token: TOKEN_A, fromEnv: 'A', fromFile: '/a', restrictHostsTo: ['x.example.com'] }] },
      '`secrets[0]` must set exactly one of `secrets[0].fromEnv` and `secrets[0].fromFile`, got: both'],
    ['a secret with no source', { secrets: [{ name: 's', token: TOKEN_A, restrictHostsTo: ['x.example.com'] }] },
      '`secrets[0]` must set exactly one of `secrets[0].fromEnv` and `secrets[0].fromFile`, got: neither'],
    ['a malformed environment variable name', { secrets: [{ name: 's', token: TOKEN_A, fromEnv: 'MY-SECRET', restrictHostsTo: ['x.example.com'] }] },
      '`secrets[0].fromEnv` must be an environment variable name (letters, digits and underscores, not starting with a digit) outside EdgeConnect\'s own EDGE_CONNECT_ prefix, got: "MY-SECRET"'],
    ['an environment variable EdgeConnect reads itself', { secrets: [{ name: 's', token: TOKEN_A, fromEnv: 'EDGE_CONNECT_NAME', restrictHostsTo: ['x.example.com'] }] },
      '`secrets[0].fromEnv` must be an environment variable name (letters, digits and underscores, not starting with a digit) outside EdgeConnect\'s own EDGE_CONNECT_ prefix, got: "EDGE_CONNECT_NAME"'],
    ['a relative secret file', { secrets: [{ name: 's', token: TOKEN_A, fromFile: 'secret.txt', restrictHostsTo: ['x.example.com'] }] },
      '`secrets[0].fromFile` entries must be absolute paths inside the container, got: "secret.txt"'],
    ['a secret for no host', { secrets: [{ name: 's', token: TOKEN_A, fromEnv: 'A', restrictHostsTo: [] }] },
      '`secrets[0].restrictHostsTo` must name at least one host: EdgeConnect replaces the token only in requests to these hosts, got: []'],
    ['a secret host with an inner wildcard', { secrets: [{ name: 's', token: TOKEN_A, fromEnv: 'A', restrictHostsTo: ['a.*.com'] }] },
      '`secrets[0].restrictHostsTo` entries must be host names whose wildcards are only whole leading labels (such as "*.example.com"), got: "a.*.com"'],
  ])('%s', (_, props, message) => {
    expect(refusal(props)).toBe(message);
  });

  test('a deploy-time API host needs an explicit resource', () => {
    expect(refusal({ apiEndpointHost: Token.asString({ Ref: 'Host' }) }))
      .toBe('`oauthResource` is required when `apiEndpointHost` is a deploy-time value');
  });
});

describe('EdgeConnectConfig placeholder tokens from Secrets Manager', () => {
  const stack = new Stack();
  const tokenSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Token',
    'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snow-placeholder-AbCdEf');
  const otherSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Other',
    'arn:aws:secretsmanager:eu-west-1:111111111111:secret:other-placeholder-GhIjKl');
  const fromSecret = { name: 'ServiceNow', tokenSecret, tokenSecretField: 'token', fromEnv: 'SNOW', restrictHostsTo: ['snow.example.com'] };

  test('a tokenSecret entry is kept as given, and copies through toProps', () => {
    const config = new EdgeConnectConfig({ ...minimal, secrets: [fromSecret] });
    expect(config.secrets).toEqual([{ ...fromSecret, token: undefined, fromFile: undefined }]);
    expect(config.secrets[0].tokenSecret).toBe(tokenSecret);
    expect(new EdgeConnectConfig(config.toProps()).secrets[0].tokenSecret).toBe(tokenSecret);
    expect(config.toEnvironment()).not.toHaveProperty('SNOW');
  });

  test('toYaml refuses it, since a file cannot hold a token that lives in Secrets Manager', () => {
    const config = new EdgeConnectConfig({ ...minimal, secrets: [full.secrets![0], fromSecret] });
    expect(() => config.toYaml()).toThrow('EdgeConnectConfig.toYaml() cannot render `secrets[1]` ("ServiceNow"): its token lives in ' +
      'Secrets Manager (`tokenSecret`), which only EdgeConnect on ECS reads, writing it into edgeConnect.yaml when the task starts. ' +
      'For Docker or Kubernetes, give the token as `token` and keep the rendered file out of version control.');
  });

  test('a config with literal tokens still round-trips', () => {
    const config = new EdgeConnectConfig(full);
    expect(EdgeConnectConfig.fromYaml(config.toYaml())).toEqual(config);
  });

  test.each<[string, Partial<EdgeConnectConfigProps>, string]>([
    ['neither token nor tokenSecret', { secrets: [{ name: 's', fromEnv: 'A', restrictHostsTo: ['x.example.com'] }] },
      '`secrets[0]` must set exactly one of `secrets[0].token` and `secrets[0].tokenSecret`, got: neither'],
    ['both token and tokenSecret', { secrets: [{ ...fromSecret, token: TOKEN_A }] },
      '`secrets[0]` must set exactly one of `secrets[0].token` and `secrets[0].tokenSecret`, got: both'],
    ['a tokenSecretField without tokenSecret', { secrets: [{ name: 's', token: TOKEN_A, tokenSecretField: 'token', fromEnv: 'A', restrictHostsTo: ['x.example.com'] }] },
      '`secrets[0].tokenSecretField` needs `secrets[0].tokenSecret`, got: field "token" and no secret'],
    ['an empty tokenSecretField', { secrets: [{ ...fromSecret, tokenSecretField: '' }] },
      '`secrets[0].tokenSecretField` must not be empty when given, got: ""'],
    ['the same secret field twice', { secrets: [fromSecret, { ...fromSecret, fromEnv: 'OTHER' }] },
      '`secrets` must not repeat a token, got the token of secret Default/Token (field "token") in `secrets[0]` and `secrets[1]`'],
  ])('refuses %s', (_, props, message) => {
    expect(refusal(props)).toBe(message);
  });

  test('accepts one secret for two tokens in different fields, and two secrets', () => {
    expect(() => new EdgeConnectConfig({
      ...minimal,
      secrets: [fromSecret, { ...fromSecret, tokenSecretField: 'other', fromEnv: 'B' }, { ...fromSecret, tokenSecret: otherSecret, fromEnv: 'C' }],
    })).not.toThrow();
  });
});

describe('EdgeConnectConfig.fromYaml', () => {
  const wellFormedSample = guideSample
    .replace('dt0e01.some-token-name.some-token-secret', TOKEN_A)
    .replace('dt0e01.another-token-name.another-token-secret', TOKEN_B);

  test('the guide\'s sample parses (with well-formed tokens in place of its illustrations); masked secrets count as absent', () => {
    const config = EdgeConnectConfig.fromYaml(wellFormedSample);
    expect(config.toProps()).toEqual({
      name: 'my-corporate-network',
      apiEndpointHost: 'abc12345.apps.dynatrace.com',
      oauthEndpoint: 'https://sso.dynatrace.com/sso/oauth2/token',
      oauthClientId: 'dt0s10.your-oauth-client-id',
      oauthResource: 'urn:dtenvironment:abc12345',
      restrictHostsTo: ['internal.example.org', '*.example.com'],
      rootCertificatePaths: ['/path/to/some/certificate.cer', '/path/to/another/certificate.pem'],
      proxy: { server: 'proxy.example.org', port: 8037, exceptions: ['*.foo.com', 'noproxy.example.org'], user: 'proxy-user' },
      secrets: [
        { name: 'My secret', token: TOKEN_A, fromEnv: 'MY_SECRET', fromFile: undefined, restrictHostsTo: ['dynatrace.com'] },
        { name: 'My other secret', token: TOKEN_B, fromEnv: undefined, fromFile: '/path/to/my/other/secret', restrictHostsTo: ['internal.example.com'] },
      ],
    });
    expect(EdgeConnectConfig.fromYaml(config.toYaml())).toEqual(config);
  });

  test('the guide\'s sample as printed is refused for its illustrative token, showing only the token\'s identifier', () => {
    expect(yamlRefusal(guideSample)).toBe('edgeConnect.yaml: `secrets[0].token` must be "dt0e01." followed by 24 and then 64 characters ' +
      'of A-Z and 2-7, separated by a dot (what the vendor\'s openssl command makes), got: "dt0e01.some-token-name.***"');
  });

  test('reads comma-separated host lists and a quoted port, as EdgeConnect does', () => {
    const config = EdgeConnectConfig.fromYaml([
      'name: n', 'api_endpoint_host: abc12345.apps.dynatrace.com',
      'restrict_hosts_to: "a.example.com, *.b.example.com"',
      'proxy:', '  server: 10.0.0.5', '  port: "3128"', '  exceptions: a.example.com,b.example.com',
    ].join('\n'));
    expect(config.restrictHostsTo).toEqual(['a.example.com', '*.b.example.com']);
    expect(config.proxy).toEqual({ server: '10.0.0.5', port: 3128, exceptions: ['a.example.com', 'b.example.com'], user: undefined });
  });

  test('refuses a client secret, saying to move it into Secrets Manager, without echoing it', () => {
    const message = yamlRefusal(guideSample.replace('client_secret: *******', 'client_secret: dt0s10.REALCLIENT.realsecretvalue123'));
    expect(message).toBe('edgeConnect.yaml: holds an OAuth client secret (`oauth.client_secret`), which must never go into a CloudFormation ' +
      'template. Move it into Secrets Manager, pass that secret to EdgeConnect (EdgeConnectOAuthClient.fromSecret), and delete it from the file.');
    expect(message).not.toContain('realsecretvalue123');
  });

  test('refuses a proxy password the same way', () => {
    const message = yamlRefusal(guideSample.replace('password: "*******"', 'password: "hunter2hunter2"'));
    expect(message).toMatch(/^edgeConnect.yaml: holds a proxy password \(`proxy.auth.password`\).*Move it into Secrets Manager, pass that secret to EdgeConnect \(`proxyPassword`\)/);
    expect(message).not.toContain('hunter2');
  });

  test('names rule violations with the file\'s field names', () => {
    expect(yamlRefusal('name: n\napi_endpoint_host: "https://x"\n'))
      .toBe('edgeConnect.yaml: `api_endpoint_host` must be a host name without scheme, port or path, such as "abc12345.apps.dynatrace.com", got: "https://x"');
    expect(yamlRefusal('name: n\napi_endpoint_host: a.b\nsecrets:\n  - name: s\n    token: ' + TOKEN_A + '\n    restrict_hosts_to: [x.example.com]\n'))
      .toBe('edgeConnect.yaml: `secrets[0]` must set exactly one of `secrets[0].from_env` and `secrets[0].from_file`, got: neither');
  });

  test.each([
    ['invalid YAML, without quoting the file', 'name: [x\n  client_secret: s3cr3tvalue\n', 'edgeConnect.yaml: not valid YAML (MULTILINE_IMPLICIT_KEY at line 1)'],
    ['a list instead of a mapping', '- name: x\n', 'edgeConnect.yaml: must hold a mapping of fields, got: a list'],
    ['an unknown field', 'name: n\napi_endpoint_host: a.b\nrestrict_host_to: [a]\n',
      'edgeConnect.yaml: unknown field `restrict_host_to`; known fields here: name, api_endpoint_host, oauth, restrict_hosts_to, root_certificate_paths, proxy, secrets'],
    ['an unknown nested field', 'name: n\napi_endpoint_host: a.b\noauth:\n  clientid: x\n',
      'edgeConnect.yaml: unknown field `oauth.clientid`; known fields here: endpoint, client_id, client_secret, resource'],
    ['a missing name', 'api_endpoint_host: a.b\n', 'edgeConnect.yaml: `name` is required'],
    ['a number for a string', 'name: 5\napi_endpoint_host: a.b\n', 'edgeConnect.yaml: `name` must be a string, got: a number'],
    ['a string for a mapping', 'name: n\napi_endpoint_host: a.b\noauth: x\n', 'edgeConnect.yaml: `oauth` must be a mapping, got: a string'],
    ['a mapping for a list', 'name: n\napi_endpoint_host: a.b\nsecrets: {a: 1}\n', 'edgeConnect.yaml: `secrets` must be a list, got: a mapping'],
    ['a port that is not a number', 'name: n\napi_endpoint_host: a.b\nproxy:\n  server: p\n  port: http\n', 'edgeConnect.yaml: `proxy.port` must be a number, got: a string'],
  ])('refuses %s', (_, text, message) => {
    expect(yamlRefusal(text)).toBe(message);
  });
});
