import { CfnResource, CustomResource, Names, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ActivegateTokenFunction } from './activegate-token-function';
import { serviceTimeoutFor, skipCheckov } from '../../../internal/handler-function';
import { addOutputs } from '../../../internal/outputs';
import { invalid, refuse, show } from '../../../internal/validation';
import { API_HANDLER_TIMEOUT, dynatraceApiHandler } from '../api-handler';
import type { DynatraceEnvironment } from '../dynatrace-environment';

/** Dynatrace refuses expiry dates more than two years ahead (two years of 365.25 days, rounded up). */
const MAX_DAYS = 731;
const UNIT_DAYS: Record<string, number> = { s: 1 / 86400, m: 1 / 1440, h: 1 / 24, d: 1, w: 7, M: 365.25 / 12, y: 365.25 };

/**
 * The kind of ActiveGate a token is for.
 */
export enum ActiveGateType {
  /** An Environment ActiveGate. */
  ENVIRONMENT = 'ENVIRONMENT',
  /** A Cluster ActiveGate (Dynatrace Managed). */
  CLUSTER = 'CLUSTER',
}

/**
 * When an ActiveGate token expires. Dynatrace requires it to be in the future and at most two
 * years ahead: a relative expiry is checked at synth; an absolute date is checked when the token
 * is made (at deploy time), so an app that names a date keeps synthesizing after it passes.
 */
export class ActiveGateTokenExpiry {
  /** A number of months from creation (`now+{n}M`). */
  public static months(months: number): ActiveGateTokenExpiry {
    return ActiveGateTokenExpiry.relative(`now+${months}M`);
  }

  /**
   * A Dynatrace relative time from creation, such as `now+6M`, `now+90d` or `now+1y`
   * (units s, m, h, d, w, M, y).
   */
  public static relative(expression: string): ActiveGateTokenExpiry {
    const match = /^now\+(\d+)([smhdwMy])$/.exec(expression);
    if (!match || Number(match[1]) === 0) {
      refuse(`\`expiry\` must be a relative time such as "now+6M" (units s, m, h, d, w, M, y), got: ${JSON.stringify(expression)}`);
    }
    if (Number(match[1]) * UNIT_DAYS[match[2]] > MAX_DAYS) {
      refuse(`\`expiry\` must be at most two years ahead, got: ${JSON.stringify(expression)}`);
    }
    return new ActiveGateTokenExpiry(expression);
  }

  /**
   * An absolute time, as an ISO 8601 date-time with a zone (`2027-05-01T00:00:00Z`). Only its
   * format is checked at synth; the handler refuses it at deploy time, before asking Dynatrace
   * for a token, if by then it is in the past or more than two years ahead.
   */
  public static at(isoDateTime: string): ActiveGateTokenExpiry {
    const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(isoDateTime) ? Date.parse(isoDateTime) : NaN;
    if (Number.isNaN(time)) {
      refuse(`\`expiry\` must be an ISO 8601 date-time with a zone, such as "2027-05-01T00:00:00Z", got: ${JSON.stringify(isoDateTime)}`);
    }
    return new ActiveGateTokenExpiry(new Date(time).toISOString());
  }

  private constructor(
    /** The value sent as `expirationDate`. */
    public readonly value: string,
  ) {}
}

/**
 * Properties of a `DynatraceActiveGateToken`.
 */
export interface DynatraceActiveGateTokenProps {
  /** The Dynatrace environment. */
  readonly environment: DynatraceEnvironment;

  /**
   * A Secrets Manager secret holding an API token with the scopes to create, list and delete
   * ActiveGate tokens (`activeGateTokenManagement.create`, `.read` and `.write`). Replacing it
   * by another secret updates the resource in place: the ActiveGate token stays.
   */
  readonly apiToken: secretsmanager.ISecret;

  /**
   * The JSON field of `apiToken` that holds the token.
   *
   * @default - the whole secret string
   */
  readonly apiTokenField?: string;

  /**
   * The token's name in Dynatrace (at most 100 characters). Dynatrace does not keep names
   * unique, so the handler sends it followed by a suffix of its own, such as
   * `vpc-activegate [cdk-0123456789]`, derived from the stack and the construct (and, for a token
   * made by an update, the update's request): it finds its own token by that name when an
   * answer is lost. A name over 83 characters is shortened to make room for the suffix.
   * Changing the name makes a new token.
   *
   * @default - the construct's unique ID
   */
  readonly tokenName?: string;

  /**
   * The kind of ActiveGate.
   *
   * @default ActiveGateType.ENVIRONMENT
   */
  readonly activeGateType?: ActiveGateType;

  /**
   * When the token expires. Changing it makes a new token (this is how to rotate it).
   *
   * @default ActiveGateTokenExpiry.months(6)
   */
  readonly expiry?: ActiveGateTokenExpiry;

  /**
   * Add stack outputs, with logical IDs of this construct's ID and the output's name (see
   * the README, "Stack outputs"): `TokenId` and `ExpirationDate` (as Dynatrace reports it).
   *
   * @default false
   */
  readonly outputs?: boolean;
}

/**
 * An ActiveGate token created through Dynatrace's API at deploy time and kept in a new
 * Secrets Manager secret (`secret`), ready for an ActiveGate to read. Only the token's ID
 * reaches CloudFormation. Deleting the construct deletes the token. Changing `tokenName`,
 * `activeGateType`, `expiry` or the environment makes a new token and then deletes the old one
 * (rotate by changing `expiry` or `tokenName`); changing only how the environment is reached
 * (its URL form, VPC placement or trusted certificates) or the API token keeps the token.
 *
 * @example
 * declare const apiToken: secretsmanager.ISecret;
 * const token = new DynatraceActiveGateToken(this, 'ActiveGateToken', {
 *   environment: DynatraceEnvironment.saas('abc12345'),
 *   apiToken,
 * });
 */
export class DynatraceActiveGateToken extends Construct {
  /** The secret that holds the ActiveGate token (written at deploy time). */
  public readonly secret: secretsmanager.ISecret;
  /** The token's ID, such as `dt0g02.ABCD1234`. */
  public readonly tokenId: string;
  /** The token's expiry date as Dynatrace reports it. */
  public readonly expirationDate: string;

  constructor(scope: Construct, id: string, props: DynatraceActiveGateTokenProps) {
    super(scope, id);
    if (typeof (props.apiToken as unknown) === 'string' || typeof props.apiToken?.secretArn !== 'string') {
      invalid(this, '`apiToken` must be a Secrets Manager secret (ISecret) holding the token, never the token itself');
    }
    const tokenName = props.tokenName ?? Names.uniqueId(this).slice(-100);
    if (!Token.isUnresolved(tokenName) && (tokenName.length === 0 || tokenName.length > 100)) {
      invalid(this, `\`tokenName\` must have 1 to 100 characters, got: ${show(tokenName)}`);
    }

    const secret = new secretsmanager.Secret(this, 'Secret', {
      description: `Dynatrace ActiveGate token ${tokenName}, written at deploy time by ${this.node.path}`,
    });
    const reason = 'Dynatrace issues the token; a new token comes from a new resource (change tokenName or expiry), not a rotation Lambda.';
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
    skipCheckov(secret.node.defaultChild as CfnResource, {
      CKV_AWS_149: 'Encrypted with the AWS managed key aws/secretsmanager; pass your own secret policy if you need a customer key.',
    });
    this.secret = secret;

    // Placed and trusting certificates as the environment's access says; reads the API token.
    const { fn: handler, apiFunction, roles: handlerRoles, properties: access } = dynatraceApiHandler(this, {
      id: 'DynatraceActiveGateTokens',
      fnClass: ActivegateTokenFunction,
      description: 'cdk-saas-privatelink: creates and deletes Dynatrace ActiveGate tokens',
      environment: props.environment,
      apiToken: props.apiToken,
      apiTokenField: props.apiTokenField,
    });
    // Read: after a lost answer, the token the secret holds is the one to keep. The function that
    // calls Dynatrace (the worker in the VPC, with a VPC placement) is the one that writes it.
    secret.grantRead(apiFunction);
    apiFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [secret.secretArn] }));

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::DynatraceActiveGateToken',
      // The handler answers before its own timeout; this bounds the wait if it could not.
      serviceTimeout: serviceTimeoutFor(API_HANDLER_TIMEOUT),
      properties: {
        ...access,
        TargetSecretArn: secret.secretArn,
        Name: tokenName,
        ActiveGateType: props.activeGateType ?? ActiveGateType.ENVIRONMENT,
        ExpirationDate: (props.expiry ?? ActiveGateTokenExpiry.months(6)).value,
      },
    });
    resource.node.addDependency(...handlerRoles);
    this.tokenId = resource.getAttString('TokenId');
    this.expirationDate = resource.getAttString('ExpirationDate');
    addOutputs(this, props.outputs, {
      TokenId: { description: 'ID of the Dynatrace ActiveGate token (its value is in the secret)', value: this.tokenId },
      ExpirationDate: { description: 'When the Dynatrace ActiveGate token expires', value: this.expirationDate },
    });
  }
}
