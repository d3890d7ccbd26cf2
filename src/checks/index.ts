export * from './privatelink-checks';
export * from './aws-cdk-lib-functions';
