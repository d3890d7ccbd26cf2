/**
 * `npx projen pictures`: synthesizes the main example apps and renders one architecture picture
 * per scenario into docs/pictures/<example>.png and .svg with Graphviz's `dot`.
 *
 * Nothing is drawn by hand: every box is a resource of a synthesized template (or an existing
 * resource a template names by ID or ARN), every arrow a Ref, Fn::GetAtt, Fn::Sub or DependsOn
 * between them, and the clusters are the stacks (with their regions) and the top-level
 * constructs of the app's construct tree (the same paths as tree.json). Noise (IAM roles and policies, log groups,
 * custom-resource handler functions, VPC plumbing, CDK metadata) is left out; a VPC is one box.
 *
 * Needs Graphviz (`apt-get install graphviz`); not part of `npm test`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnElement, Stack, Token, aws_ec2 as ec2, cx_api as cxapi } from 'aws-cdk-lib';
import { loadExample } from './synth-examples';

interface Scenario {
  readonly name: string;
  readonly title: string;
  /** Graphviz rank direction. */
  readonly rankdir: 'LR' | 'TB';
  /** Which arrows are labelled with the property that makes the reference (default: all). */
  readonly edgeLabels?: 'all' | 'cross-stack';
}

const SCENARIOS: Scenario[] = [
  { name: 'provider-service', title: 'Provider: a database and an SSH tunnel host exposed to a vendor', rankdir: 'TB' },
  { name: 'consumer-same-region', title: 'Consumer: endpoint to the vendor, with the vendor hostname overridden in private DNS', rankdir: 'TB' },
  { name: 'consumer-peering', title: 'Consumer across regions: endpoint hub in Sydney, shared with Tokyo over VPC peering', rankdir: 'LR', edgeLabels: 'cross-stack' },
  { name: 'edgeconnect-existing-client', title: 'Dynatrace EdgeConnect on ECS Fargate with an existing OAuth client', rankdir: 'TB' },
];

const root = path.join(__dirname, '..');
const outRoot = path.join(root, 'examples', 'cdk.out');
const picturesDir = path.join(root, 'docs', 'pictures');

/** Resource types that are plumbing or noise in an architecture picture. */
const HIDDEN_TYPES = new Set([
  'AWS::CDK::Metadata',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::InstanceProfile',
  'AWS::Logs::LogGroup',
  'AWS::EC2::LaunchTemplate',
  'AWS::EC2::SubnetRouteTableAssociation',
  'Custom::CrossRegionExportWriter',
  'Custom::CrossRegionExportReader',
]);

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'N. Virginia',
  'us-west-2': 'Oregon',
  'eu-west-1': 'Ireland',
  'eu-central-1': 'Frankfurt',
  'ap-southeast-2': 'Sydney',
  'ap-northeast-1': 'Tokyo',
};

/** Fill colours by AWS service (the second part of the resource type). */
const SERVICE_COLOURS: Record<string, string> = {
  EC2: '#ede7f6',
  ElasticLoadBalancingV2: '#fff3e0',
  Route53: '#e8f5e9',
  ECS: '#ffe0b2',
  SecretsManager: '#ffebee',
  Lambda: '#fff8e1',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
  readonly DependsOn?: string | string[];
}

interface StackInfo {
  readonly id: string;
  readonly region?: string;
  readonly resources: Record<string, CfnResource>;
  /** logical ID to construct path relative to the stack */
  readonly paths: Map<string, string[]>;
  /** top-level construct ID to its class name in the construct tree */
  readonly classes: Map<string, string>;
  /** top-level constructs that are VPCs the app creates */
  readonly vpcs: Set<string>;
}

interface PictureNode {
  readonly key: string;
  readonly cluster: string;
  readonly type: string;
  readonly name: string;
  readonly details: string[];
  /** AWS service of the resource type (EC2, Route53, …), for the fill colour */
  readonly service?: string;
  readonly existing?: boolean;
}

interface Scan {
  readonly from: string;
  readonly label: string;
  /** property value to look for Ref, GetAtt, Sub and existing IDs in */
  readonly value?: Json;
  /** or a box the property is drawn as */
  readonly to?: string;
  /** region of existing resources the property names (from a sibling property like PeerRegion) */
  readonly region?: string;
}

function main(): void {
  const dot = spawnSync('dot', ['-V'], { encoding: 'utf8' });
  if (dot.error || dot.status !== 0) {
    console.error('pictures: Graphviz `dot` was not found on PATH. Install it with `apt-get install graphviz` (Debian/Ubuntu) and run `npx projen pictures` again.');
    process.exit(1);
  }
  fs.mkdirSync(picturesDir, { recursive: true });
  for (const scenario of SCENARIOS) {
    const outdir = path.join(outRoot, scenario.name);
    fs.rmSync(outdir, { recursive: true, force: true });
    const app = loadExample(scenario.name)({ outdir });
    const source = toDot(scenario, readAssembly(app, app.synth()));
    fs.writeFileSync(path.join(outdir, 'picture.dot'), source);
    for (const format of ['png', 'svg']) {
      const target = path.join(picturesDir, `${scenario.name}.${format}`);
      const result = spawnSync('dot', [`-T${format}`, '-o', target], { input: source, encoding: 'utf8' });
      if (result.status !== 0) {
        throw new Error(`dot failed for ${scenario.name}: ${result.stderr}`);
      }
      console.log(`pictures: ${path.relative(root, target)}`);
    }
  }
}

/**
 * Reads the stacks of the synthesized assembly (templates, regions) and, from the app's construct
 * tree, each resource's construct path and the class of each top-level construct.
 */
function readAssembly(app: App, assembly: cxapi.CloudAssembly): StackInfo[] {
  return assembly.stacks.map((artifact) => {
    const stack = app.node.findChild(artifact.hierarchicalId) as Stack;
    const paths = new Map<string, string[]>();
    const classes = new Map<string, string>();
    const vpcs = new Set<string>();
    for (const top of stack.node.children) {
      // aws-cdk-lib classes carry their jsii name (bundling may rename the JavaScript class).
      const rtti = Object.getOwnPropertyDescriptor(top.constructor, Symbol.for('jsii.rtti'))?.value as { fqn?: string } | undefined;
      classes.set(top.node.id, rtti?.fqn?.split('.').pop() ?? top.constructor.name);
      if (top instanceof ec2.Vpc) vpcs.add(top.node.id);
      for (const c of top.node.findAll()) {
        if (CfnElement.isCfnElement(c)) paths.set(stack.resolve(c.logicalId), c.node.path.split('/').slice(stack.node.path.split('/').length));
      }
    }
    return {
      id: artifact.hierarchicalId,
      region: Token.isUnresolved(stack.region) ? undefined : stack.region,
      resources: artifact.template.Resources ?? {},
      paths,
      classes,
      vpcs,
    };
  });
}

/** Builds the DOT source of one scenario. */
function toDot(scenario: Scenario, stacks: StackInfo[]): string {
  const nodes = new Map<string, PictureNode>();
  // resource key (stack/logicalId) -> node key it is drawn as (undefined: hidden)
  const drawnAs = new Map<string, string | undefined>();
  const scans: Scan[] = [];
  const dependsOn: Array<{ from: string; to: string }> = [];
  // cross-region exports: export name -> resource key
  const exportsByName = new Map<string, string>();
  const readers = new Set<string>();

  for (const stack of stacks) {
    const serviceTokens = new Set<string>();
    for (const res of Object.values(stack.resources)) {
      for (const ref of refsIn(res.Properties?.ServiceToken ?? null)) serviceTokens.add(ref.id);
    }
    for (const [logicalId, res] of Object.entries(stack.resources)) {
      const key = `${stack.id}/${logicalId}`;
      const trail = stack.paths.get(logicalId) ?? [logicalId];
      const top = trail[0];
      const cluster = `${stack.id}/${top}`;
      if (res.Type === 'Custom::CrossRegionExportWriter') {
        const exported = (res.Properties?.WriterProps as JsonObject | undefined)?.exports as JsonObject | undefined;
        for (const [name, value] of Object.entries(exported ?? {})) {
          const ref = refsIn(value)[0];
          if (ref) exportsByName.set(name, `${stack.id}/${ref.id}`);
        }
      }
      if (res.Type === 'Custom::CrossRegionExportReader') readers.add(key);
      const hidden = HIDDEN_TYPES.has(res.Type)
        || (res.Type === 'AWS::Lambda::Function' && serviceTokens.has(logicalId));
      if (hidden) {
        drawnAs.set(key, undefined);
        continue;
      }
      // A VPC the app creates is one box: its subnets, route tables, gateways and flow log are plumbing.
      if (stack.vpcs.has(top)) {
        const vpcKey = `${stack.id}/${top}`;
        drawnAs.set(key, vpcKey);
        if (!nodes.has(vpcKey)) nodes.set(vpcKey, { key: vpcKey, cluster: stack.id, type: 'VPC', name: top, details: [], service: 'EC2' });
        if (res.Type === 'AWS::EC2::VPC') nodes.get(vpcKey)!.details.unshift(String(res.Properties?.CidrBlock ?? ''));
        continue;
      }
      const props = res.Properties ?? {};
      const name = trail.length > 1 ? trail.slice(1).filter((id) => id !== 'Resource' && id !== 'Default').join('/') || top : top;
      nodes.set(key, { key, cluster, type: shortType(res.Type), name: stripHash(name), details: details(res.Type, props), service: res.Type.split('::')[1] });
      drawnAs.set(key, key);
      const expanded = expand(res.Type, props, key, cluster, nodes);
      const regionProp = Object.keys(props).find((k) => /Region$/.test(k) && typeof props[k] === 'string');
      for (const [prop, value] of Object.entries(props)) {
        if (prop === 'ServiceToken' || expanded.has(prop)) continue;
        scans.push({ from: key, value, label: prop, region: regionProp ? String(props[regionProp]) : undefined });
      }
      for (const scan of expanded.values()) scans.push(...scan);
      for (const dep of [res.DependsOn ?? []].flat()) dependsOn.push({ from: key, to: `${stack.id}/${dep}` });
    }
    // Summarize each VPC box: subnets by kind, NAT gateways, flow logs.
    for (const top of stack.vpcs) {
      const vpc = nodes.get(`${stack.id}/${top}`);
      if (!vpc) continue;
      const types = [...stack.paths.entries()]
        .filter(([, trail]) => trail[0] === top)
        .map(([logicalId, trail]) => ({ type: stack.resources[logicalId]?.Type, trail }));
      const subnets = new Map<string, number>();
      for (const t of types.filter((x) => x.type === 'AWS::EC2::Subnet')) {
        const kind = (t.trail[1] ?? '').replace(/Subnet\d+$/, '').toLowerCase();
        subnets.set(kind, (subnets.get(kind) ?? 0) + 1);
      }
      vpc.details.push([...subnets.entries()].map(([kind, n]) => `${n} ${kind} subnets`).join(', '));
      const nat = types.filter((x) => x.type === 'AWS::EC2::NatGateway').length;
      if (nat > 0) vpc.details.push(`${nat} NAT gateway${nat > 1 ? 's' : ''}, internet gateway`);
      if (types.some((x) => x.type === 'AWS::EC2::FlowLog')) vpc.details.push('flow logs to CloudWatch Logs');
    }
  }

  // Routes that differ only by route table are one box.
  const alias = new Map<string, string>();
  const groups = new Map<string, PictureNode>();
  for (const node of [...nodes.values()].filter((n) => n.type === 'Route')) {
    const group = `${node.cluster}\u0000${node.details.join('\u0000')}`;
    const first = groups.get(group);
    if (!first) {
      groups.set(group, node);
      continue;
    }
    nodes.set(first.key, { ...first, type: 'Routes', name: `${first.name}, ${node.name}` });
    groups.set(group, nodes.get(first.key)!);
    nodes.delete(node.key);
    alias.set(node.key, first.key);
  }
  const drawn = (key: string | undefined): string | undefined => (key && alias.get(key)) ?? key;

  const stackOf = new Map(stacks.map((s) => [s.id, s]));
  const edges = new Map<string, Set<string>>();
  const addEdge = (fromKey: string, toKey: string | undefined, label: string): void => {
    const from = drawn(fromKey)!;
    const to = drawn(toKey);
    if (!to || from === to) return;
    const id = `${from}\u0000${to}`;
    if (!edges.has(id)) edges.set(id, new Set());
    if (label) edges.get(id)!.add(label);
  };
  for (const scan of scans) {
    const stackId = scan.from.split('/')[0];
    addEdge(scan.from, scan.to, scan.label);
    const value = scan.value ?? null;
    for (const ref of refsIn(value)) {
      let target = `${stackId}/${ref.id}`;
      if (readers.has(target) && ref.attribute) target = exportsByName.get(ref.attribute) ?? target;
      addEdge(scan.from, drawnAs.get(target), scan.label);
    }
    for (const literal of literalsIn(value, scan.region ?? stackOf.get(stackId)?.region)) {
      const node = existingNode(literal, stacks, nodes);
      addEdge(scan.from, node, scan.label);
    }
  }
  for (const dep of dependsOn) {
    const to = drawn(drawnAs.get(dep.to));
    if (to && !edges.has(`${drawn(dep.from)}\u0000${to}`)) addEdge(dep.from, to, 'DependsOn');
  }

  const lines: string[] = [];
  lines.push('digraph G {');
  lines.push(`  graph [rankdir=${scenario.rankdir}, fontname="DejaVu Sans", fontsize=13, labelloc=t, nodesep=0.25, ranksep=0.5, pad=0.2, dpi=96, newrank=true,`);
  lines.push(`    label=<<b>${esc(scenario.title)}</b><br/><font point-size="10" color="#666666">generated from examples/${scenario.name} by npx projen pictures</font>>];`);
  lines.push('  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11, margin="0.12,0.06", color="#555555"];');
  lines.push('  edge [fontname="DejaVu Sans", fontsize=8, fontcolor="#777777", color="#777777", arrowsize=0.7];');
  const byCluster = new Map<string, PictureNode[]>();
  for (const node of nodes.values()) {
    if (!byCluster.has(node.cluster)) byCluster.set(node.cluster, []);
    byCluster.get(node.cluster)!.push(node);
  }
  let clusterIndex = 0;
  const drawNodes = (list: PictureNode[], indent: string): void => {
    for (const node of list) lines.push(`${indent}${nodeId(node.key)} [${nodeAttributes(node)}];`);
  };
  for (const stack of stacks) {
    const region = stack.region ? `${stack.region}${REGION_NAMES[stack.region] ? ` (${REGION_NAMES[stack.region]})` : ''}` : 'any region';
    lines.push(`  subgraph cluster_${clusterIndex++} {`);
    lines.push(`    label=<<b>stack ${esc(stack.id)}</b> · ${esc(region)}>; style="rounded"; color="#1565c0"; fontcolor="#1565c0"; penwidth=1.5; margin=12;`);
    drawNodes(byCluster.get(stack.id) ?? [], '    ');
    for (const [cluster, list] of byCluster) {
      if (!cluster.startsWith(`${stack.id}/`)) continue;
      const top = cluster.slice(stack.id.length + 1);
      lines.push(`    subgraph cluster_${clusterIndex++} {`);
      lines.push(`      label=<${esc(stripHash(top))}${constructClass(stack.classes.get(top), top)}>; style="rounded,dashed"; color="#888888"; fontcolor="#333333"; fontsize=11;`);
      drawNodes(list, '      ');
      lines.push('    }');
    }
    lines.push('  }');
  }
  drawNodes(byCluster.get('') ?? [], '  ');
  for (const [id, labels] of edges) {
    const [from, to] = id.split('\u0000');
    const style = labels.size === 1 && labels.has('DependsOn') ? ', style=dashed' : '';
    const stackOfNode = (key: string): string => (nodes.get(key)?.cluster ?? '').split('/')[0];
    const cross = stackOfNode(from) && stackOfNode(to) && stackOfNode(from) !== stackOfNode(to) ? ', color="#1565c0", fontcolor="#1565c0", penwidth=1.6' : '';
    const text = [...labels].sort().join(', ');
    // In 'cross-stack' mode only arrows between stacks are labelled, with labels that take no room.
    const label = scenario.edgeLabels !== 'cross-stack' ? `label=<${esc(text)}>` : cross ? `xlabel=<${esc(text)}>` : 'label=""';
    lines.push(`  ${nodeId(from)} -> ${nodeId(to)} [${label}${style}${cross}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Some properties are better drawn as boxes of their own: containers, IP targets. */
function expand(type: string, props: JsonObject, key: string, cluster: string, nodes: Map<string, PictureNode>): Map<string, Scan[]> {
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

/** One readable line or two per resource: what matters about it in the picture. */
function details(type: string, p: JsonObject): string[] {
  const rules = (list: Json | undefined, direction: string): string[] => (Array.isArray(list) ? list as JsonObject[] : [])
    // CDK's placeholder for "no outbound traffic" is an ICMP rule to 255.255.255.255/32.
    .filter((r) => r.CidrIp !== '255.255.255.255/32')
    .map((r) => `${direction} ${r.IpProtocol === '-1' ? 'all' : `${r.IpProtocol} ${r.FromPort === r.ToPort ? r.FromPort : `${r.FromPort}-${r.ToPort}`}`} ${direction === 'in' ? 'from' : 'to'} ${r.CidrIp ?? r.CidrIpv6 ?? (r.SourceSecurityGroupId || r.DestinationSecurityGroupId ? 'a security group' : '?')}`);
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
      return [`to ${str(p.PeerVpcId)}`, `in ${str(p.PeerRegion ?? 'this region')}`];
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
    default:
      return type.startsWith('Custom::') ? ['custom resource'] : [];
  }
}

/** Existing resources that a template names by ID or ARN (not created by the app). */
interface Literal { readonly kind: string; readonly id: string; readonly region?: string }

const ID_KINDS: Record<string, string> = { vpc: 'VPC', subnet: 'Subnet', rtb: 'RouteTable', sg: 'SecurityGroup' };

function literalsIn(value: Json, region: string | undefined): Literal[] {
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
function existingNode(literal: Literal, stacks: StackInfo[], nodes: Map<string, PictureNode>): string {
  const home = stacks.find((s) => s.region && s.region === literal.region);
  const key = `existing/${literal.kind}/${literal.region ?? ''}`;
  const node = nodes.get(key) ?? { key, cluster: home?.id ?? '', type: literal.kind, name: 'existing', details: [], existing: true };
  if (!node.details.includes(literal.id)) node.details.push(literal.id);
  if (!home && literal.region && !node.details.includes(literal.region)) node.details.unshift(literal.region);
  nodes.set(key, node);
  return key;
}

function refsIn(value: Json): Array<{ id: string; attribute?: string }> {
  const found: Array<{ id: string; attribute?: string }> = [];
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
      Object.values(v).forEach(visit);
    }
  };
  visit(value);
  return found;
}

function nodeAttributes(node: PictureNode): string {
  const colour = node.existing ? '#ffffff' : SERVICE_COLOURS[node.service ?? ''] ?? '#f5f5f5';
  const rows = [`<b>${esc(node.type)}</b>${node.existing ? ' <i>(existing)</i>' : ''}`];
  if (node.name && !node.existing) rows.push(`<font point-size="10">${esc(node.name)}</font>`);
  for (const d of node.details.filter((x) => x)) rows.push(`<font point-size="9" color="#444444">${esc(d)}</font>`);
  return `label=<${rows.join('<br/>')}>, fillcolor="${colour}"${node.existing ? ', style="rounded,dashed"' : ''}`;
}

function shortType(type: string): string {
  return type.replace(/^Custom::/, '').split('::').pop() ?? type;
}

function constructClass(name: string | undefined, id: string): string {
  return name && !['Resource', 'Construct', id].includes(name) ? ` <font point-size="9">(${esc(name)})</font>` : '';
}

function stripHash(id: string): string {
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

function nodeId(key: string): string {
  return `"${key.replace(/["\\]/g, '_')}"`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

if (require.main === module) {
  main();
}
