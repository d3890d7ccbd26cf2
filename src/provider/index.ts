export * from './privatelink-service';
export * from './service-target';
