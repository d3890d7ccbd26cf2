export * from './privatelink-probe';
export * from './privatelink-probe-props';
