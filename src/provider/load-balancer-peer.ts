import { Annotations, Names } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { isLiteral } from '../internal/validation';

/**
 * A peer named by what it is rather than by its deploy-time value, so that the same rule asked
 * for twice is one rule.
 *
 * aws-cdk-lib names an ingress rule `from <peer.uniqueId>:<port>` and skips a name it already
 * has. A prefix list's or a VPC CIDR block's uniqueId is a token, and for a token aws-cdk-lib makes
 * up a new name on every rule (`IndirectPeer`, `IndirectPeer2`, …), so opening the same target
 * twice (a user's `allowFrom` next to an automatic opening) becomes two identical rules, which
 * EC2 refuses as duplicates. A literal uniqueId lets aws-cdk-lib's own check keep one.
 *
 * Its rules are never inlined into the security group: inlined rules are only de-duplicated
 * when their descriptions match too.
 */
class NamedPeer implements ec2.IPeer {
  public readonly canInlineRule = false;
  public readonly connections: ec2.Connections;

  constructor(public readonly uniqueId: string, private readonly peer: ec2.IPeer) {
    this.connections = new ec2.Connections({ peer: this });
  }

  public toIngressRuleConfig(): any {
    return this.peer.toIngressRuleConfig();
  }

  public toEgressRuleConfig(): any {
    return this.peer.toEgressRuleConfig();
  }
}

/**
 * The load balancer's traffic as a prefix list: one rule per target, port and prefix list,
 * however often it is opened. Named by the prefix list's ID when that is a literal (the same
 * list imported twice is one source), else by the construct that holds it.
 */
export function prefixListPeer(prefixList: ec2.IPrefixList): ec2.IPeer {
  const id = prefixList.prefixListId;
  return new NamedPeer(isLiteral(id) ? id : Names.nodeUniqueId(prefixList.node), ec2.Peer.prefixList(id));
}

/**
 * The load balancer's traffic as the VPC's CIDR block (when its subnets are not known): one rule
 * per target, port and VPC.
 */
function vpcCidrPeer(vpc: ec2.IVpc): ec2.IPeer {
  const cidr = vpc.vpcCidrBlock;
  return new NamedPeer(isLiteral(cidr) ? cidr : `${Names.nodeUniqueId(vpc.node)}Cidr`, ec2.Peer.ipv4(cidr));
}

/** Where a PrivateLinkService's load balancer sends its traffic from. */
export interface LoadBalancerSource {
  readonly connections: ec2.Connections;
  readonly subnetPrefixList?: ec2.PrefixList;
}

/**
 * The load balancer's security groups when it has them; else a prefix list of its subnets'
 * CIDR blocks, which PrivateLink traffic and health checks come from; else (a given load
 * balancer whose subnets are not known) the VPC's CIDR block, with a warning.
 *
 * @param subnetCidrs the CIDR blocks of the subnets of a new load balancer without security groups
 */
export function loadBalancerSource(
  scope: Construct, loadBalancer: elbv2.INetworkLoadBalancer, vpc: ec2.IVpc, subnetCidrs?: string[],
): LoadBalancerSource {
  if (loadBalancer.connections.securityGroups.length > 0) {
    return { connections: loadBalancer.connections };
  }
  if (subnetCidrs) {
    // Named apart from the list of earlier versions, whose rules had other logical IDs: each new
    // rule then differs from its old twin (which EC2 would refuse as a duplicate) until that is deleted.
    const subnetPrefixList = new ec2.PrefixList(scope, 'LoadBalancerSubnets', {
      maxEntries: subnetCidrs.length,
      entries: subnetCidrs.map((cidr) => ({
        cidr,
        description: `Subnet of the PrivateLink load balancer ${scope.node.path}`.slice(0, 255),
      })),
    });
    return { connections: new ec2.Connections({ peer: prefixListPeer(subnetPrefixList) }), subnetPrefixList };
  }
  Annotations.of(scope).addWarningV2('cdk-saas-privatelink:wideTargetAccess',
    `The given load balancer (${loadBalancer.node.path}) has no security group, and its subnets are not known here: ` +
    '`connections` and target access use the VPC\'s CIDR block. Give the load balancer a security group to narrow them.');
  return { connections: new ec2.Connections({ peer: vpcCidrPeer(vpc) }) };
}
