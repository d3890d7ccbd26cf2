/*
 * The checks of provisioner mode's options, shared by `EdgeConnectProvisioner` and
 * `EdgeConnect` (which runs them before it creates anything). Not part of the public API.
 */
import { Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EdgeConnectHostMapping } from './edge-connect-oauth-client';
import type { EdgeConnectProvisionerProps } from './edge-connect-provisioner';
import { isHostName, isHostPattern, patternCovers } from '../../../internal/dns-names';
import { invalid, isLiteral, show } from '../../../internal/validation';

/**
 * Refuses bad provisioning options; `EdgeConnect` calls it before it creates anything.
 */
export function validateProvisioning(scope: Construct, props: EdgeConnectProvisionerProps): void {
  if (props.config.oauthClientId !== undefined) {
    invalid(scope, '`config.oauthClientId` must be unset in provisioner mode: the provisioner creates the OAuth client, ' +
      `got: ${show(props.config.oauthClientId)}`);
  }
  if (!Token.isUnresolved(props.hostPatterns) && props.hostPatterns.length === 0) {
    invalid(scope, '`hostPatterns` must name at least one host pattern, got: []');
  }
  for (const pattern of props.hostPatterns) {
    if (isLiteral(pattern) && !isHostPattern(pattern)) {
      invalid(scope, '`hostPatterns` entries must be host names whose wildcards are only whole leading labels ' +
        `(such as "*.example.com"), got: ${show(pattern)}`);
    }
  }
  for (const mapping of props.hostMappings ?? []) {
    validateMapping(scope, mapping, props.hostPatterns);
  }
}

function validateMapping(scope: Construct, mapping: EdgeConnectHostMapping, patterns: string[]): void {
  if (!isLiteral(mapping.from) || !isLiteral(mapping.to)) return;
  if (!isHostName(mapping.from) || !patterns.some((p) => isLiteral(p) && patternCovers(p, mapping.from))) {
    invalid(scope, `\`hostMappings[].from\` must be a host that one of \`hostPatterns\` ${show(patterns)} covers, got: ${show(mapping.from)}`);
  }
  if (!isHostName(mapping.to)) {
    invalid(scope, `\`hostMappings[].to\` must be a host name without wildcard, scheme or port, got: ${show(mapping.to)}`);
  }
}
