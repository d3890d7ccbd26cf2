/*
 * The feature flags `cdk init` writes into a new app's cdk.json today, read from the CDK CLI
 * this project installs (aws-cdk, a dev dependency), so the examples are also synthesized the
 * way a newly created app would synthesize them: weak cross-stack references included.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The flag that chooses how values cross stacks: "strong" (exports), "weak" (Fn::GetStackOutput) or "both". */
export const REFERENCE_STRENGTH_FLAG = '@aws-cdk/core:defaultCrossStackReferences';

/** The CDK CLI's version and the flags its `cdk init` writes. */
export function cdkInitFlags(): { cliVersion: string; flags: Record<string, unknown> } {
  const cliDir = path.dirname(require.resolve('aws-cdk/package.json'));
  const file = path.join(cliDir, 'lib', 'init-templates', '.recommended-feature-flags.json');
  if (!fs.existsSync(file)) {
    throw new Error(`the CDK CLI no longer keeps cdk init's flags in ${path.relative(process.cwd(), file)}: find where its init templates take them from`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cliVersion = (require(path.join(cliDir, 'package.json')) as { version: string }).version;
  return { cliVersion, flags: JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> };
}

/**
 * The two ways the examples are synthesized: with strong references chosen explicitly (the
 * context an app written before the flag had, without aws-cdk-lib's warning that no strength was
 * chosen), and with cdk init's flags. `dir` is the folder under examples/cdk.out/.
 */
export function examplePasses(): { name: string; dir: string; context: Record<string, unknown> }[] {
  const init = cdkInitFlags();
  return [
    { name: 'strong references', dir: '.', context: { [REFERENCE_STRENGTH_FLAG]: 'strong' } },
    { name: `cdk init's flags (aws-cdk ${init.cliVersion}, references ${String(init.flags[REFERENCE_STRENGTH_FLAG])})`, dir: 'cdk-init', context: init.flags },
  ];
}
