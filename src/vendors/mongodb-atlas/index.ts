export * from './mongodb-atlas-privatelink';
