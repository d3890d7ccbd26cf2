export * from './edge-connect';
export * from './edge-connect-config';
export * from './edge-connect-image';
export * from './edge-connect-oauth-client';
export * from './edge-connect-provisioner';
export * from './root-certificate';
