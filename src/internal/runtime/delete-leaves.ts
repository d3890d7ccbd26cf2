/*
 * When a Delete may answer SUCCESS without having removed the vendor side: the vendor's host no
 * longer exists, or the credential that would let the handler act is gone or refused. Anything
 * else (5xx, time-outs, throttling, a host that resolves but does not answer) stays a failure,
 * so that CloudFormation's retried delete can still clean up. A Delete that answered FAILED
 * strands the stack in DELETE_FAILED; one that answered SUCCESS over what it could not reach
 * says in its Reason what it left behind.
 */
import { HttpError } from './http-client';

/** Secrets Manager's own words for a secret that has been scheduled for deletion. */
const PENDING_DELETION = /marked for deletion|scheduled for deletion|pending deletion/i;

/**
 * Why the Delete cannot act and need not wait, or undefined when the failure may pass.
 *
 * @param error what the call to the vendor, or the read of its credential, threw
 */
export function whyDeleteCannotAct(error: unknown): string | undefined {
  if (error instanceof HttpError) {
    if (error.status === 401 || error.status === 403) {
      return `the vendor refused the credential (HTTP ${error.status}): it was revoked, rotated or lost its scope`;
    }
    if (error.status === undefined && error.networkCode === 'ENOTFOUND') {
      return 'the vendor\'s host name no longer resolves (ENOTFOUND): the tenant or environment was deleted';
    }
    return undefined;
  }
  const name = (error as { name?: string } | undefined)?.name;
  const message = error instanceof Error ? error.message : '';
  switch (name) {
    case 'ResourceNotFoundException':
      return 'the credential\'s secret no longer exists in Secrets Manager';
    case 'InvalidRequestException':
      return PENDING_DELETION.test(message) ? 'the credential\'s secret is scheduled for deletion in Secrets Manager' : undefined;
    case 'DecryptionFailure':
      return 'the credential\'s secret cannot be decrypted: its KMS key refuses (disabled, scheduled for deletion or its policy changed)';
    case 'AccessDeniedException':
      return /kms/i.test(message)
        ? 'the credential\'s secret cannot be decrypted: access to its KMS key is denied'
        : 'reading the credential\'s secret is denied (AccessDeniedException)';
    default:
      return undefined;
  }
}
