export * from './provider';
export * from './consumer';
export * from './vendors/rivery';
export * from './vendors/dynatrace';
export * from './vendors/monte-carlo';
export * from './checks';
export * from './observability';
export * from './probe';
