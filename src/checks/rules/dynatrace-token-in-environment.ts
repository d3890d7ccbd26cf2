import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { isObject, render } from './relations';
import {
  describeToken, isActiveGateToken, isApiToken, isEdgeConnectSecretToken,
} from '../../vendors/dynatrace/tokens';

/**
 * Any Dynatrace token: `dt0` + a letter and two digits (`dt0c01` API, `dt0g02` ActiveGate,
 * `dt0e01` EdgeConnect placeholder, `dt0s02` OAuth secret…), an identifier and a 64-character
 * secret part, standing alone or inside a longer value.
 */
const TOKEN = /(?<![A-Za-z0-9])dt0[a-z][0-9]{2}\.[A-Z0-9]{8,24}\.[A-Z0-9]{64}(?![A-Za-z0-9])/g;

/** The text before a value of a `token` key, in YAML (`token: `, `- token: `) or JSON (`"token": "`). */
const TOKEN_KEY = /(?:^|[\s{,-])["']?token["']?\s*:\s*["']?$/;

/** One token found in a container's environment, described without its secret part. */
export interface TokenFinding {
  readonly container: string;
  readonly variable: string;
  /** The kind of token and its identifier, such as `API token dt0c01.ABC….***`. */
  readonly description: string;
}

/**
 * The Dynatrace tokens in the plain `Environment` of an ECS task definition's containers.
 *
 * An EdgeConnect secret placeholder (`dt0e01.…`) given as the `token` of an `edgeConnect.yaml`
 * `secrets` entry is not one: the vendor's configuration holds it in plain text by design, and
 * the real secret comes from `from_env` or `from_file`.
 */
export function dynatraceTokensInEnvironment(node: CfnResource): TokenFinding[] {
  if (node.cfnResourceType !== 'AWS::ECS::TaskDefinition') return [];
  const taskDefinition = render(node);
  const containers = taskDefinition?.properties.ContainerDefinitions;
  if (!Array.isArray(containers)) return [];
  const findings: TokenFinding[] = [];
  containers.forEach((container, index) => {
    if (!isObject(container) || !Array.isArray(container.Environment)) return;
    const name = typeof container.Name === 'string' ? container.Name : `#${index}`;
    for (const variable of container.Environment) {
      if (!isObject(variable)) continue;
      for (const token of tokensIn(variable.Value)) {
        findings.push({
          container: name,
          variable: typeof variable.Name === 'string' ? variable.Name : '(unnamed)',
          description: `${kindOf(token)} ${describeToken(token)}`,
        });
      }
    }
  });
  return findings;
}

/**
 * An ECS task definition must not hold a Dynatrace token in a container's plain environment
 * variables, where anyone allowed to describe the task definition can read it.
 */
export function dynatraceTokenInEnvironment(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::ECS::TaskDefinition') return NagRuleCompliance.NOT_APPLICABLE;
  return dynatraceTokensInEnvironment(node).length > 0 ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

/** The tokens in every literal string of a value (the literal parts of an `Fn::Join` too). */
function tokensIn(value: unknown): string[] {
  if (typeof value === 'string') {
    const tokens: string[] = [];
    for (const match of value.matchAll(TOKEN)) {
      const lineStart = value.lastIndexOf('\n', match.index!) + 1;
      const isPlaceholderDeclaration = isEdgeConnectSecretToken(match[0]) && TOKEN_KEY.test(value.slice(lineStart, match.index));
      if (!isPlaceholderDeclaration) tokens.push(match[0]);
    }
    return tokens;
  }
  if (Array.isArray(value)) return value.flatMap(tokensIn);
  if (isObject(value)) return Object.values(value).flatMap(tokensIn);
  return [];
}

function kindOf(token: string): string {
  if (isApiToken(token)) return 'API token';
  if (isActiveGateToken(token)) return 'ActiveGate token';
  if (isEdgeConnectSecretToken(token)) return 'EdgeConnect secret placeholder';
  return 'Dynatrace token';
}
