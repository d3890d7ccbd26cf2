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
 * Each picture's Graphviz source is hashed into docs/pictures/pictures.json, so that
 * test/pictures.test.ts can tell, without Graphviz, when an example no longer draws the picture
 * committed for it (file times cannot tell: a git checkout resets them).
 *
 * Needs Graphviz (`apt-get install graphviz`); not part of `npm test`.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnElement, Stack, Token, aws_ec2 as ec2, cx_api as cxapi } from 'aws-cdk-lib';
import { examplePasses } from './cdk-init-flags';
import {
  constructClass, details, esc, existingNode, expand, JsonObject, literalsIn, nodeAttributes, nodeId, PictureNode,
  refsIn, Scan, shortType, StackInfo, stripHash,
} from './picture-graph';
import { loadExample } from './synth-examples';

export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** Graphviz rank direction. */
  readonly rankdir: 'LR' | 'TB';
  /** Which arrows are labelled with the property that makes the reference (default: all). */
  readonly edgeLabels?: 'all' | 'cross-stack';
}

export const SCENARIOS: Scenario[] = [
  { name: 'provider-service', title: 'Provider: a database and an SSH tunnel host exposed to a vendor', rankdir: 'TB' },
  { name: 'consumer-same-region', title: 'Consumer: endpoint to the vendor, its hostname overridden in private DNS, a probe and a dashboard of the link', rankdir: 'TB' },
  { name: 'consumer-peering', title: 'Consumer across regions: endpoint hub in Sydney, a Tokyo VPC peered with it and given a private zone of its own', rankdir: 'LR', edgeLabels: 'cross-stack' },
  { name: 'edgeconnect-existing-client', title: 'Dynatrace EdgeConnect on ECS Fargate with an existing OAuth client, and its health alarms', rankdir: 'TB' },
];

const root = path.join(__dirname, '..');
const outRoot = path.join(root, 'examples', 'cdk.out');
export const PICTURES_DIR = path.join(root, 'docs', 'pictures');
/** What each picture was drawn from, written with the pictures and read by test/pictures.test.ts. */
export const MANIFEST = path.join(PICTURES_DIR, 'pictures.json');
/** The one command that brings every picture and the manifest up to date. */
export const REGENERATE = 'npx projen pictures';

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


/** What the manifest records per picture. */
export interface PictureRecord {
  /** SHA-256 of the Graphviz source the picture was drawn from. */
  readonly dot: string;
  /** How many boxes and arrows it has, to say in a failing test what changed. */
  readonly boxes: number;
  readonly arrows: number;
  /** SHA-256 of each rendered file, so that a picture replaced without the manifest is caught too. */
  readonly png: string;
  readonly svg: string;
}

export interface Manifest {
  readonly comment: string;
  readonly pictures: Record<string, PictureRecord>;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Boxes and arrows of a DOT source this script wrote (one statement a line). */
export function countDot(source: string): { boxes: number; arrows: number } {
  const lines = source.split('\n');
  return {
    boxes: lines.filter((l) => /^\s*"[^"]*" \[label=/.test(l)).length,
    arrows: lines.filter((l) => /^\s*"[^"]*" -> "/.test(l)).length,
  };
}

/**
 * Synthesizes one example into `outdir` the way the examples' first pass does (scripts/synth-examples.ts,
 * examples/cdk.out/<example>/) and returns the Graphviz source of its picture.
 */
export function pictureSource(scenario: Scenario, outdir: string): string {
  const [strong] = examplePasses();
  const app = loadExample(scenario.name)({ outdir, context: strong.context });
  return toDot(scenario, readAssembly(app, app.synth()));
}

function main(): void {
  const dot = spawnSync('dot', ['-V'], { encoding: 'utf8' });
  if (dot.error || dot.status !== 0) {
    console.error(`pictures: Graphviz \`dot\` was not found on PATH. Install it with \`apt-get install graphviz\` (Debian/Ubuntu) and run \`${REGENERATE}\` again.`);
    process.exit(1);
  }
  fs.mkdirSync(PICTURES_DIR, { recursive: true });
  // Names on the command line redraw only those pictures; the manifest keeps the others' records.
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`pictures: no picture is drawn from ${unknown.join(', ')}; pictures: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const previous = names.length > 0 && fs.existsSync(MANIFEST) ? (JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as Manifest).pictures : {};
  const pictures: Record<string, PictureRecord> = {};
  for (const scenario of SCENARIOS) {
    if (names.length > 0 && !names.includes(scenario.name)) {
      if (previous[scenario.name]) pictures[scenario.name] = previous[scenario.name];
      continue;
    }
    // The first pass's folder (examples/cdk.out/<example>/); the cdk-init pass's is left alone.
    const outdir = path.join(outRoot, examplePasses()[0].dir, scenario.name);
    fs.rmSync(outdir, { recursive: true, force: true });
    const source = pictureSource(scenario, outdir);
    fs.writeFileSync(path.join(outdir, 'picture.dot'), source);
    const rendered: Record<string, string> = {};
    for (const format of ['png', 'svg']) {
      const target = path.join(PICTURES_DIR, `${scenario.name}.${format}`);
      const result = spawnSync('dot', [`-T${format}`, '-o', target], { input: source, encoding: 'utf8' });
      if (result.status !== 0) {
        throw new Error(`dot failed for ${scenario.name}: ${result.stderr}`);
      }
      rendered[format] = sha256(fs.readFileSync(target));
      console.log(`pictures: ${path.relative(root, target)}`);
    }
    pictures[scenario.name] = { dot: sha256(source), ...countDot(source), png: rendered.png, svg: rendered.svg };
  }
  const manifest: Manifest = {
    comment: `Written by ${REGENERATE} (scripts/pictures.ts): what each picture was drawn from. test/pictures.test.ts recomputes it from the examples.`,
    pictures,
  };
  fs.writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`pictures: ${path.relative(root, MANIFEST)}`);
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
      classes.set(top.node.id, rtti?.fqn?.split('.').pop() ?? top.constructor.name.replace(/\d+$/, ''));
      if (top instanceof ec2.Vpc) vpcs.add(top.node.id);
      for (const c of top.node.findAll()) {
        if (CfnElement.isCfnElement(c)) paths.set(stack.resolve(c.logicalId), c.node.path.split('/').slice(stack.node.path.split('/').length));
      }
    }
    return {
      id: artifact.hierarchicalId,
      region: Token.isUnresolved(stack.region) ? undefined : stack.region,
      resources: artifact.template.Resources ?? {},
      exports: Object.fromEntries(Object.values((artifact.template.Outputs ?? {}) as Record<string, JsonObject>)
        .filter((o) => typeof (o.Export as JsonObject | undefined)?.Name === 'string')
        .map((o) => [String((o.Export as JsonObject).Name), o.Value])),
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
    for (const [name, value] of Object.entries(stack.exports)) {
      const ref = refsIn(value)[0];
      if (ref) exportsByName.set(name, `${stack.id}/${ref.id}`);
    }
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
        // PeerRegion says where PeerVpcId is, not where VpcId is: a region applies to its prefix's properties.
        const inRegion = regionProp !== undefined && prop.startsWith(regionProp.replace(/Region$/, ''));
        scans.push({ from: key, value, label: prop, region: inRegion ? String(props[regionProp]) : undefined });
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
      if (ref.importName) target = exportsByName.get(ref.importName) ?? target;
      addEdge(scan.from, drawnAs.get(target), scan.label);
    }
    for (const literal of literalsIn(value, scan.region ?? stackOf.get(stackId)?.region)) {
      const node = existingNode(literal, stacks, nodes);
      addEdge(scan.from, node, scan.label);
    }
  }
  // A construct that depends on another (node.addDependency) makes each of its resources depend on
  // each of the other's: one dashed arrow between the two clusters says it without the tangle.
  const clusterDeps = new Map<string, { from: string; to: string }>();
  for (const dep of dependsOn) {
    const from = drawn(dep.from)!;
    const to = drawn(drawnAs.get(dep.to));
    const fromCluster = nodes.get(from)?.cluster ?? '';
    const toCluster = to ? nodes.get(to)?.cluster ?? '' : '';
    if (to && fromCluster !== toCluster && fromCluster.includes('/') && toCluster.includes('/')) {
      const id = `${fromCluster}\u0000${toCluster}`;
      if (!clusterDeps.has(id)) clusterDeps.set(id, { from, to });
    } else if (to && !edges.has(`${from}\u0000${to}`)) {
      addEdge(dep.from, to, 'DependsOn');
    }
  }

  const lines: string[] = [];
  lines.push('digraph G {');
  lines.push(`  graph [rankdir=${scenario.rankdir}, fontname="DejaVu Sans", fontsize=13, labelloc=t, nodesep=0.25, ranksep=0.5, pad=0.2, dpi=96, newrank=true, compound=true,`);
  lines.push(`    label=<<b>${esc(scenario.title)}</b><br/><font point-size="10" color="#666666">generated from examples/${scenario.name} by ${REGENERATE}</font>>];`);
  lines.push('  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11, margin="0.12,0.06", color="#555555"];');
  lines.push('  edge [fontname="DejaVu Sans", fontsize=8, fontcolor="#777777", color="#777777", arrowsize=0.7];');
  const byCluster = new Map<string, PictureNode[]>();
  for (const node of nodes.values()) {
    if (!byCluster.has(node.cluster)) byCluster.set(node.cluster, []);
    byCluster.get(node.cluster)!.push(node);
  }
  let clusterIndex = 0;
  const clusterIds = new Map<string, string>();
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
      clusterIds.set(cluster, `cluster_${clusterIndex}`);
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
  for (const [id, { from, to }] of clusterDeps) {
    const [fromCluster, toCluster] = id.split('\u0000');
    const label = scenario.edgeLabels !== 'cross-stack' ? 'label=<DependsOn (all)>' : 'label=""';
    lines.push(`  ${nodeId(from)} -> ${nodeId(to)} [${label}, style=dashed, ltail=${clusterIds.get(fromCluster)}, lhead=${clusterIds.get(toCluster)}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}


if (require.main === module) {
  main();
}
