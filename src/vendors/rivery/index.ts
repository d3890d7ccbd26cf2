export * from './rivery-privatelink';
export * from './rivery-target';
