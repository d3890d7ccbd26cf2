export * from './privatelink-dashboard';
export * from './privatelink-dashboard-props';
