/**
 * The main job: synthesizes every app in examples/ into examples/cdk.out/<example>/ with no
 * AWS credentials, and prints its deploy waves with each stack's resources, functions and custom
 * resources, then per stack the resource types and counts it creates and its outputs.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { App, AppProps } from 'aws-cdk-lib';
import { examplePasses } from './cdk-init-flags';
import { describeDeploy } from './deploy-waves';

const examplesDir = path.join(__dirname, '..', 'examples');
const outRoot = path.join(examplesDir, 'cdk.out');

export function exampleNames(): string[] {
  return fs.readdirSync(examplesDir)
    .filter((name) => fs.existsSync(path.join(examplesDir, name, 'main.ts')))
    .sort();
}

export function loadExample(name: string): (props?: AppProps) => App {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(examplesDir, name, 'main.ts')).createApp;
}

function main(): void {
  fs.rmSync(outRoot, { recursive: true, force: true });
  const [strong, init] = examplePasses();
  console.log(`# Every example, synthesized with ${strong.name}, then with ${init.name}; both are checked by npm test.`);
  for (const name of exampleNames()) {
    const outdir = path.join(outRoot, strong.dir, name);
    const assembly = loadExample(name)({ outdir, context: strong.context }).synth();
    console.log(`\n## ${name}  (${path.relative(process.cwd(), outdir)})`);
    const stacks = deployOrder(assembly.stacks);
    if (stacks.length > 1) console.log(`deploy order (cdk deploy --all): ${stacks.map((s) => s.stackName).join(' → ')}`);
    for (const line of describeDeploy(assembly.stacks)) console.log(line);
    for (const stack of stacks) {
      const template = stack.template as { Resources?: Record<string, { Type: string }>; Outputs?: Record<string, { Description?: string }> };
      const resources = Object.values(template.Resources ?? {});
      const counts = new Map<string, number>();
      for (const r of resources) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
      console.log(`\n### stack ${stack.stackName}  (${stack.environment.region === 'unknown-region' ? 'any region' : stack.environment.region}): ${resources.length} resources`);
      for (const [type, count] of [...counts.entries()].sort()) {
        console.log(`  ${String(count).padStart(3)}  ${type}`);
      }
      const outputs = Object.entries(template.Outputs ?? {});
      console.log(`  outputs: ${outputs.length === 0 ? 'none' : ''}`);
      for (const [key, output] of outputs) {
        console.log(`    ${key}: ${output.Description ?? ''}`);
      }
    }
  }
  console.log(`\n## The same examples with ${init.name}`);
  for (const name of exampleNames()) {
    const outdir = path.join(outRoot, init.dir, name);
    const assembly = loadExample(name)({ outdir, context: init.context }).synth();
    const resources = assembly.stacks.reduce((n, s) => n + Object.keys((s.template as { Resources?: object }).Resources ?? {}).length, 0);
    console.log(`  ${name}: ${assembly.stacks.length} stacks, ${resources} resources  (${path.relative(process.cwd(), outdir)})`);
  }
}

/** The stacks in the order `cdk deploy --all` deploys them: each after the stacks it depends on. */
export function deployOrder<T extends { id: string; stackName: string; dependencies: { id: string }[] }>(stacks: T[]): T[] {
  const byId = new Map(stacks.map((s) => [s.id, s]));
  const done = new Set<string>();
  const order: T[] = [];
  const visit = (stack: T) => {
    if (done.has(stack.id)) return;
    done.add(stack.id);
    for (const dep of stack.dependencies) {
      const target = byId.get(dep.id);
      if (target) visit(target);
    }
    order.push(stack);
  };
  stacks.forEach(visit);
  return order;
}

if (require.main === module) {
  main();
}
