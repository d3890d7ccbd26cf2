export * from './monte-carlo-privatelink';
