/**
 * What a deploy of a cloud assembly costs: its stacks in waves (a stack deploys in the wave after
 * the last stack it depends on, which is what `cdk deploy --all --concurrency N` can run at
 * once), and per stack its resources, Lambda functions and custom resources. Used by
 * `npm run examples`, the spoke-group tests and bench/spoke-layout.ts.
 */

/** A stack as the cloud assembly gives it (cx-api's CloudFormationStackArtifact has these fields). */
export interface AssemblyStack {
  readonly id: string;
  readonly stackName: string;
  readonly dependencies: { readonly id: string }[];
  readonly template: unknown;
}

export interface StackCost {
  readonly stackName: string;
  readonly wave: number;
  readonly resources: number;
  readonly functions: number;
  readonly customResources: number;
}

/** Each stack's wave: 1 for a stack that depends on no other stack of the assembly, else one more than its latest dependency. */
export function deployWaves(stacks: readonly AssemblyStack[]): Map<string, number> {
  const byId = new Map(stacks.map((s) => [s.id, s]));
  const waves = new Map<string, number>();
  const waveOf = (stack: AssemblyStack): number => {
    const known = waves.get(stack.id);
    if (known !== undefined) return known;
    const deps = stack.dependencies.map((d) => byId.get(d.id)).filter((d): d is AssemblyStack => d !== undefined);
    const wave = 1 + Math.max(0, ...deps.map(waveOf));
    waves.set(stack.id, wave);
    return wave;
  };
  stacks.forEach(waveOf);
  return waves;
}

/** Per stack, in wave order: its wave and its resources, functions and custom resources. */
export function stackCosts(stacks: readonly AssemblyStack[]): StackCost[] {
  const waves = deployWaves(stacks);
  return stacks.map((stack) => {
    const resources = Object.values((stack.template as { Resources?: Record<string, { Type: string }> }).Resources ?? {});
    return {
      stackName: stack.stackName,
      wave: waves.get(stack.id)!,
      resources: resources.length,
      functions: resources.filter((r) => r.Type === 'AWS::Lambda::Function').length,
      customResources: resources.filter((r) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource').length,
    };
  }).sort((a, b) => a.wave - b.wave || a.stackName.localeCompare(b.stackName));
}

/** The lines `npm run examples` prints for an assembly: its waves, then one line per stack. */
export function describeDeploy(stacks: readonly AssemblyStack[]): string[] {
  const costs = stackCosts(stacks);
  const waves = Math.max(0, ...costs.map((c) => c.wave));
  const lines = [`deploy: ${count(costs.length, 'stack')} in ${count(waves, 'wave')} ` +
    '(`cdk deploy --all --concurrency N` deploys a wave\'s stacks at once)'];
  for (let wave = 1; wave <= waves; wave++) {
    const inWave = costs.filter((c) => c.wave === wave);
    lines.push(`  wave ${wave}: ${inWave.map((c) => `${c.stackName} (${count(c.resources, 'resource')}, ${count(c.functions, 'function')}, ` +
      `${count(c.customResources, 'custom resource')})`).join('; ')}`);
  }
  return lines;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
