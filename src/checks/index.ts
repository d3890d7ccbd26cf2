export * from './privatelink-checks';
