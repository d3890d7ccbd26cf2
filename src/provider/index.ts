export * from './privatelink-service';
export * from './service-target';
export * from './hostname-target-sync';
export * from './synced-hostname';
export * from './privatelink-service-props';
