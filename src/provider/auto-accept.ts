import { Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { AutoAcceptFunction } from './auto-accept-function';
import { handlerFunction } from '../internal/handler-function';

/** Properties of the auto-accept function (library-internal: not exported from the package). */
export interface ConnectionAutoAcceptProps {
  readonly serviceId: string;
  readonly allowedPrincipals: string[];
  readonly topic: sns.ITopic;
  /** `leave` or `reject`. */
  readonly unlistedConnections: string;
  readonly sweepInterval: Duration;
}

/**
 * The function that accepts the endpoint service's pending connections from allowed accounts,
 * on each connection notification and on a schedule. Library-internal: `PrivateLinkService`
 * creates it for its `autoAccept` option.
 */
export class ConnectionAutoAccept extends Construct {
  constructor(scope: Construct, id: string, props: ConnectionAutoAcceptProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const fn = handlerFunction(this, 'Function', AutoAcceptFunction, {
      description: `Accepts endpoint connections from allowed accounts (${scope.node.path})`,
      timeout: Duration.seconds(60),
      environment: {
        SERVICE_ID: props.serviceId,
        // Joined at deploy time: principals may be tokens; the handler takes the account from each ARN.
        ALLOWED_PRINCIPALS: Fn.join(',', props.allowedPrincipals),
        UNLISTED_CONNECTIONS: props.unlistedConnections,
      },
      functionOptions: {
        // A failed sweep is repeated by the next notification or scheduled sweep.
        retryAttempts: 0,
      },
    });
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ec2:DescribeVpcEndpointConnections'],
      resources: ['*'],
    }));
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ec2:AcceptVpcEndpointConnections', 'ec2:RejectVpcEndpointConnections'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'vpc-endpoint-service', resourceName: props.serviceId })],
    }));
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeVpcEndpointConnections supports no resource-level permissions; ' +
        'accepting and rejecting are limited to the one endpoint service.',
    });

    props.topic.addSubscription(new subscriptions.LambdaSubscription(fn));
    new events.Rule(this, 'Sweep', {
      description: `Sweeps pending endpoint connections of ${scope.node.path}`,
      schedule: events.Schedule.rate(props.sweepInterval),
      targets: [new eventTargets.LambdaFunction(fn)],
    });
  }
}
