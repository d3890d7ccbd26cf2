// Runs outside the VPCs: invokes each VPC's probe, answers CloudFormation, publishes metrics.
export async function handler(): Promise<unknown> {
  throw new Error('not implemented yet');
}
