export * from './provider';
export * from './consumer';
export * from './vendors/rivery';
export * from './vendors/dynatrace';
