export * from './privatelink-endpoint';
export * from './private-dns-override';
export * from './spoke-peering';
export * from './transit-gateway-spoke';
