export * from './datadog-privatelink';
