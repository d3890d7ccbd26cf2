import { CfnResource, CustomResource, Duration, Names, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ActivegateTokenFunction } from './activegate-token-function';
import { addTokenRotation } from './token-rotation-schedule';
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
    const days = Number(match[1]) * UNIT_DAYS[match[2]];
    if (days > MAX_DAYS) {
      refuse(`\`expiry\` must be at most two years ahead, got: ${JSON.stringify(expression)}`);
    }
    return new ActiveGateTokenExpiry(expression, days);
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

  /** A relative expiry's lifetime in days (what the rotation schedule is derived from). @internal */
  public readonly _days?: number;

  private constructor(
    /** The value sent as `expirationDate`. */
    public readonly value: string,
    days?: number,
  ) {
    this._days = days;
  }
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
   * When the token expires. Changing it makes a new token; the scheduled rotation (`rotation`)
   * replaces the token before it expires without a deploy.
   *
   * @default ActiveGateTokenExpiry.months(6)
   */
  readonly expiry?: ActiveGateTokenExpiry;

  /**
   * Rotate the token on a schedule, before it expires: Secrets Manager's rotation calls a function
   * that creates a new token, stages it (AWSPENDING) and makes it current (AWSCURRENT), every
   * token lifetime less `rotateBefore`. The function also checks the expiry of the token the secret
   * holds every 6 hours (`expiryAlarm`, `rotationFailedAlarm`). Needs a relative `expiry`: a rotated
   * token gets the same expression (an absolute date would give every token the same expiry).
   *
   * @default - true with a relative `expiry`, false with an absolute one
   */
  readonly rotation?: boolean;

  /**
   * How long before the token expires the rotation replaces it. The rotation interval is the
   * token's lifetime (from `expiry`) less this, in whole days (Secrets Manager: 1 to 1000 days).
   *
   * @default Duration.days(30)
   */
  readonly rotateBefore?: Duration;

  /**
   * `expiryAlarm` fires when the token the secret holds expires within this (or is not live).
   * Shorter than `rotateBefore`, so it means a rotation did not happen.
   *
   * @default Duration.days(14)
   */
  readonly alarmBeforeExpiry?: Duration;

  /**
   * Delete the replaced token as soon as a rotation has made the new one current. By default it
   * stays valid until it expires by itself, so that an ActiveGate that has not re-read the secret
   * yet keeps its connection; deleting it earlier cuts such an ActiveGate off.
   *
   * @default false
   */
  readonly deleteReplacedTokens?: boolean;

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
 * reaches CloudFormation. Deleting the construct deletes the token; when a deploy that made a new
 * token rolls back, the secret gets the old token back before the new one is deleted. Changing `tokenName`,
 * `activeGateType`, `expiry` or the environment makes a new token and then deletes the old one
 * (by default Secrets Manager also rotates the token before it expires, see `rotation`); changing only how the environment is reached
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
  /** The function Secrets Manager calls to rotate the token (undefined without rotation). */
  public readonly rotationFunction?: lambda.IFunction;
  /**
   * Fires when the token the secret holds expires within `alarmBeforeExpiry` or is not live; goes
   * to INSUFFICIENT_DATA when the check has not run for two days (undefined without rotation). Add
   * your alarm actions to it (and an insufficient-data action to hear of a check that stopped).
   */
  public readonly expiryAlarm?: cloudwatch.Alarm;
  /** Fires when a rotation step or an expiry check failed (undefined without rotation). */
  public readonly rotationFailedAlarm?: cloudwatch.Alarm;
  private readonly daysToExpiry?: cloudwatch.Metric;

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
    // Read: after a lost answer, the token the secret holds is the one to keep; on the Delete of a
    // rolled back replacement, its previous version (AWSPREVIOUS) is the token to put back. The
    // function that calls Dynatrace (the worker in the VPC, with a VPC placement) is the one that
    // writes it (PutSecretValue: the new token, or the previous one put back).
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
    const expiry = props.expiry ?? ActiveGateTokenExpiry.months(6);
    const rotate = props.rotation ?? expiry._days !== undefined;
    if (rotate && expiry._days === undefined) {
      invalid(this, `\`rotation\` needs a relative \`expiry\` such as ActiveGateTokenExpiry.months(6), got the absolute date ${show(expiry.value)}`);
    }
    if (rotate) {
      const rotation = addTokenRotation(this, {
        secret,
        environment: props.environment,
        apiToken: props.apiToken,
        access,
        resource: resource.node.defaultChild as CfnResource,
        name: tokenName,
        activeGateType: props.activeGateType ?? ActiveGateType.ENVIRONMENT,
        expiration: expiry.value,
        lifetimeDays: expiry._days!,
        rotateBefore: props.rotateBefore ?? Duration.days(30),
        alarmBefore: props.alarmBeforeExpiry ?? Duration.days(14),
        deleteReplacedTokens: props.deleteReplacedTokens ?? false,
      });
      this.rotationFunction = rotation.fn;
      this.expiryAlarm = rotation.expiryAlarm;
      this.rotationFailedAlarm = rotation.rotationFailedAlarm;
      this.daysToExpiry = rotation.daysToExpiry;
    } else {
      const reason = 'Rotation is off (`rotation: false`, or an absolute `expiry`): a new token comes from changing tokenName or expiry.';
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
    }
    this.tokenId = resource.getAttString('TokenId');
    this.expirationDate = resource.getAttString('ExpirationDate');
    addOutputs(this, props.outputs, {
      TokenId: { description: 'ID of the Dynatrace ActiveGate token (its value is in the secret)', value: this.tokenId },
      ExpirationDate: { description: 'When the Dynatrace ActiveGate token expires', value: this.expirationDate },
    });
  }

  /**
   * The days until the token the secret holds expires, as the rotation function publishes them
   * every 6 hours (0 when the secret holds no live token). Minimum over one day.
   */
  public metricDaysToExpiry(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.daysToExpiry) {
      invalid(this, '`metricDaysToExpiry()` needs the rotation, which publishes the metric: set `rotation: true` (with a relative `expiry`)');
    }
    return this.daysToExpiry.with(props ?? {});
  }
}
