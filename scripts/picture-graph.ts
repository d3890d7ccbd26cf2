/**
 * The parts of a picture scripts/pictures.ts draws: the types it reads templates into, and how a
 * resource becomes a box (its details, colour and label) and its properties arrows (references,
 * existing resources named by ID or ARN).
 */

/** Fill colours by AWS service (the second part of the resource type). */
const SERVICE_COLOURS: Record<string, string> = {
  EC2: '#ede7f6',
  ElasticLoadBalancingV2: '#fff3e0',
  Route53: '#e8f5e9',
  ECS: '#ffe0b2',
  SecretsManager: '#ffebee',
  Lambda: '#fff8e1',
  CloudWatch: '#e3f2fd',
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
  readonly DependsOn?: string | string[];
}

export interface StackInfo {
  readonly id: string;
  readonly region?: string;
  readonly resources: Record<string, CfnResource>;
  /** export name to the value the stack exports (strong cross-stack references) */
  readonly exports: Record<string, Json>;
  /** logical ID to construct path relative to the stack */
  readonly paths: Map<string, string[]>;
  /** top-level construct ID to its class name in the construct tree */
  readonly classes: Map<string, string>;
  /** top-level constructs that are VPCs the app creates */
  readonly vpcs: Set<string>;
}

export interface PictureNode {
  readonly key: string;
  readonly cluster: string;
  readonly type: string;
  readonly name: string;
  readonly details: string[];
  /** AWS service of the resource type (EC2, Route53, …), for the fill colour */
  readonly service?: string;
  readonly existing?: boolean;
}

export interface Scan {
  readonly from: string;
  readonly label: string;
  /** property value to look for Ref, GetAtt, Sub and existing IDs in */
  readonly value?: Json;
  /** or a box the property is drawn as */
  readonly to?: string;
  /** region of existing resources the property names (from a sibling property like PeerRegion) */
  readonly region?: string;
}

/** Some properties are better drawn as boxes of their own: containers, IP targets. */
export function expand(type: string, props: JsonObject, key: string, cluster: string, nodes: Map<string, PictureNode>): Map<string, Scan[]> {
  const out = new Map<string, Scan[]>();
  if (type === 'AWS::ECS::TaskDefinition' && Array.isArray(props.ContainerDefinitions)) {
    const scans: Scan[] = [];
    for (const def of props.ContainerDefinitions as JsonObject[]) {
      const containerKey = `${key}/container/${def.Name}`;
      const image = typeof def.Image === 'string' ? def.Image.replace(/^.*\//, '') : 'image from an asset';
      const secrets = Array.isArray(def.Secrets) ? (def.Secrets as JsonObject[]).map((s) => `secret ${s.Name}`) : [];
      nodes.set(containerKey, {
        key: containerKey,
        cluster,
        type: 'Container',
        name: String(def.Name),
        details: [image, def.Essential === false ? 'runs first, then exits' : 'essential', ...secrets],
        service: 'ECS',
      });
      scans.push({ from: key, to: containerKey, label: 'ContainerDefinitions' });
      for (const [prop, value] of Object.entries(def)) {
        if (prop !== 'LogConfiguration') scans.push({ from: containerKey, value, label: prop });
      }
    }
    out.set('ContainerDefinitions', scans);
  }
  if (type === 'AWS::ElasticLoadBalancingV2::TargetGroup' && Array.isArray(props.Targets)) {
    const scans: Scan[] = [];
    for (const target of props.Targets as JsonObject[]) {
      if (typeof target.Id === 'string') {
        const targetKey = `${key}/target/${target.Id}`;
        nodes.set(targetKey, {
          key: targetKey,
          cluster,
          type: props.TargetType === 'ip' ? 'IP target' : 'Target',
          name: '',
          details: [`${target.Id}${target.Port ? `:${target.Port}` : ''}`],
        });
        scans.push({ from: key, to: targetKey, label: 'Targets' });
      } else {
        scans.push({ from: key, value: target, label: 'Targets' });
      }
    }
    out.set('Targets', scans);
  }
  return out;
}

/** The other side of a security group rule; a CIDR the template computes is named by where it comes from. */
function peer(rule: JsonObject): string {
  const cidr = rule.CidrIp ?? rule.CidrIpv6;
  if (typeof cidr === 'string') return cidr;
  if (cidr !== undefined) return /CidrBlock/.test(JSON.stringify(cidr)) ? 'the VPC CIDR' : 'a CIDR from the template';
  if (rule.SourcePrefixListId || rule.DestinationPrefixListId) return 'a prefix list';
  return rule.SourceSecurityGroupId || rule.DestinationSecurityGroupId ? 'a security group' : '?';
}

/** One readable line or two per resource: what matters about it in the picture. */
export function details(type: string, p: JsonObject): string[] {
  const rules = (list: Json | undefined, direction: string): string[] => (Array.isArray(list) ? list as JsonObject[] : [])
    // CDK's placeholder for "no outbound traffic" is an ICMP rule to 255.255.255.255/32.
    .filter((r) => r.CidrIp !== '255.255.255.255/32')
    .map((r) => `${direction} ${r.IpProtocol === '-1' ? 'all' : `${r.IpProtocol} ${r.FromPort === r.ToPort ? r.FromPort : `${r.FromPort}-${r.ToPort}`}`} ${direction === 'in' ? 'from' : 'to'} ${peer(r)}`);
  switch (type) {
    case 'AWS::EC2::VPCEndpoint':
      return [`${p.VpcEndpointType ?? 'Gateway'} endpoint`, ...wrap(str(p.ServiceName))];
    case 'AWS::EC2::SecurityGroup':
      return [...new Set([...rules(p.SecurityGroupIngress, 'in'), ...rules(p.SecurityGroupEgress, 'out')])]
        .concat(Array.isArray(p.SecurityGroupEgress) && rules(p.SecurityGroupEgress, 'out').length === 0 ? ['no outbound'] : []);
    case 'AWS::EC2::SecurityGroupIngress':
      return rules([p], 'in');
    case 'AWS::EC2::SecurityGroupEgress':
      return rules([p], 'out');
    case 'AWS::Route53::HostedZone':
      return [`private zone ${str(p.Name).replace(/\.$/, '')}`];
    case 'AWS::Route53::RecordSet':
      return [`${p.Type} ${str(p.Name).replace(/\.$/, '')}${p.AliasTarget ? ' (alias)' : ''}`];
    case 'AWS::EC2::VPCPeeringConnection':
      return [`to ${typeof p.PeerVpcId === 'string' ? p.PeerVpcId : 'a VPC the app creates'}`, `in ${str(p.PeerRegion ?? 'this region')}`];
    case 'AWS::EC2::Route':
      return [`to ${str(p.DestinationCidrBlock)}`];
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      return [`${p.Type ?? 'application'}, ${p.Scheme ?? 'internet-facing'}`];
    case 'AWS::ElasticLoadBalancingV2::Listener':
    case 'AWS::ElasticLoadBalancingV2::TargetGroup':
      return [`${p.Protocol} ${p.Port}${p.TargetType ? `, ${p.TargetType} targets` : ''}`];
    case 'AWS::EC2::VPCEndpointService':
      return [p.AcceptanceRequired ? 'acceptance required' : 'auto-accept'];
    case 'AWS::EC2::VPCEndpointServicePermissions':
      return (Array.isArray(p.AllowedPrincipals) ? p.AllowedPrincipals : []).map((x) => `allows ${str(x)}`);
    case 'AWS::EC2::Instance':
      return [str(p.InstanceType)];
    case 'AWS::ECS::Service':
      return [`${p.DesiredCount ?? 1} × ${p.LaunchType ?? 'capacity provider'} task`];
    case 'AWS::ECS::TaskDefinition':
      return [`${p.Cpu} CPU units, ${p.Memory} MiB`];
    case 'AWS::CloudWatch::Alarm':
      return [`${str(p.MetricName ?? 'metric math')} ${COMPARISONS[str(p.ComparisonOperator)] ?? str(p.ComparisonOperator)} ${str(p.Threshold)}`];
    case 'AWS::CloudWatch::Dashboard':
      return [typeof p.DashboardName === 'string' ? p.DashboardName : 'name from CloudFormation'];
    default:
      return type.startsWith('Custom::') ? ['custom resource'] : [];
  }
}

const COMPARISONS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

/** Existing resources that a template names by ID or ARN (not created by the app). */
interface Literal { readonly kind: string; readonly id: string; readonly region?: string }

const ID_KINDS: Record<string, string> = { vpc: 'VPC', subnet: 'Subnet', rtb: 'RouteTable', sg: 'SecurityGroup' };

export function literalsIn(value: Json, region: string | undefined): Literal[] {
  const found: Literal[] = [];
  const visit = (v: Json, siblingRegion: string | undefined): void => {
    if (typeof v === 'string') {
      const id = /^(vpc|subnet|rtb|sg)-[0-9a-f]{8,17}$/.exec(v);
      if (id) found.push({ kind: ID_KINDS[id[1]], id: v, region: siblingRegion });
      const secret = /^arn:aws[a-z-]*:secretsmanager:([^:]+):\d+:secret:([^:]+)/.exec(v);
      if (secret) found.push({ kind: 'Secret', id: secret[2], region: secret[1] });
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x, siblingRegion);
    } else if (v && typeof v === 'object') {
      if ('Ref' in v || 'Fn::GetAtt' in v) return;
      const regionKey = Object.keys(v).find((k) => /Region$/.test(k) && typeof v[k] === 'string');
      for (const x of Object.values(v)) visit(x, regionKey ? String(v[regionKey]) : siblingRegion);
    }
  };
  visit(value, undefined);
  return found.map((l) => ({ ...l, region: l.region ?? region }));
}

/** One box per kind of existing resource and region, in the stack of that region if there is one. */
export function existingNode(literal: Literal, stacks: StackInfo[], nodes: Map<string, PictureNode>): string {
  const home = stacks.find((s) => s.region && s.region === literal.region);
  const key = `existing/${literal.kind}/${literal.region ?? ''}`;
  const node = nodes.get(key) ?? { key, cluster: home?.id ?? '', type: literal.kind, name: 'existing', details: [], existing: true };
  if (!node.details.includes(literal.id)) node.details.push(literal.id);
  if (!home && literal.region && !node.details.includes(literal.region)) node.details.unshift(literal.region);
  nodes.set(key, node);
  return key;
}

export function refsIn(value: Json): Array<{ id: string; attribute?: string; importName?: string }> {
  const found: Array<{ id: string; attribute?: string; importName?: string }> = [];
  const visit = (v: Json): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v && typeof v === 'object') {
      if (typeof v.Ref === 'string' && !v.Ref.startsWith('AWS::')) found.push({ id: v.Ref });
      const getAtt = v['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.push({ id: getAtt[0], attribute: String(getAtt[1]) });
      const sub = v['Fn::Sub'];
      const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : '';
      for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}/g)) found.push({ id: m[1], attribute: m[2] });
      const imported = v['Fn::ImportValue'];
      if (typeof imported === 'string') found.push({ id: imported, importName: imported });
      Object.values(v).forEach(visit);
    }
  };
  visit(value);
  return found;
}

export function nodeAttributes(node: PictureNode): string {
  const colour = node.existing ? '#ffffff' : SERVICE_COLOURS[node.service ?? ''] ?? '#f5f5f5';
  const rows = [`<b>${esc(node.type)}</b>${node.existing ? ' <i>(existing)</i>' : ''}`];
  if (node.name && !node.existing) rows.push(`<font point-size="10">${esc(node.name)}</font>`);
  for (const d of node.details.filter((x) => x)) rows.push(`<font point-size="9" color="#444444">${esc(d)}</font>`);
  return `label=<${rows.join('<br/>')}>, fillcolor="${colour}"${node.existing ? ', style="rounded,dashed"' : ''}`;
}

export function shortType(type: string): string {
  return type.replace(/^Custom::/, '').split('::').pop() ?? type;
}

export function constructClass(name: string | undefined, id: string): string {
  return name && !['Resource', 'Construct', id].includes(name) ? ` <font point-size="9">(${esc(name)})</font>` : '';
}

export function stripHash(id: string): string {
  return id.replace(/[0-9A-F]{8}$/, '');
}

function str(value: Json | undefined): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '(from the template)';
}

function wrap(text: string, width = 34): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const cut = Math.max(rest.lastIndexOf('.', width), rest.lastIndexOf('-', width), rest.lastIndexOf(' ', width));
    const at = cut > width / 2 ? cut + 1 : width;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  return [...lines, rest];
}

export function nodeId(key: string): string {
  return `"${key.replace(/["\\]/g, '_')}"`;
}

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
