/**
 * One pass of the latest aws-cdk-lib check (scripts/latest-cdk.ts), in a child process of its
 * own so that it has a module cache of its own:
 *
 *   ts-node scripts/latest-cdk-pass.ts <floor|DIR> <output.json>
 *
 * `floor` synthesizes every example with the dev dependencies in node_modules/ (what the jest suite
 * uses); a DIR (a folder with node_modules/ holding aws-cdk-lib, constructs and cdk-nag) with those.
 * The library is the compiled lib/ either way. It records per example the resource types per
 * stack, the PrivateLinkChecks and AwsSolutions findings, error annotations, and every Lambda
 * function's runtime with what cdk-nag's AwsSolutions-L1 says of it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
export const CDK_PACKAGES = ['aws-cdk-lib', 'constructs', 'cdk-nag'] as const;

/** One Lambda function (`AWS::Lambda::Function` from `lambda.CfnFunction`) as a pass sees it. */
export interface FunctionSummary {
  readonly runtime: string;
  /** one of the library's handlers (a projen-generated `*-function.ts` class in lib/) */
  readonly library: boolean;
  /** AwsSolutions-L1 on this pass: compliant, acknowledged (with the reason), or a finding */
  readonly l1: 'compliant' | 'acknowledged' | 'finding' | 'not applicable';
  readonly l1Reason?: string;
}

/** What one pass records for one example. */
export interface ExampleSummary {
  /** stack name -> resource type -> count */
  readonly stacks: Record<string, Record<string, number>>;
  /** "<pack rule> at <construct path>", sorted */
  readonly findings: string[];
  /** "<construct path>: <message>" of error annotations, sorted */
  readonly errors: string[];
  /** construct path of each CfnFunction -> what the pass saw */
  readonly functions: Record<string, FunctionSummary>;
  /** set when the example failed to synthesize */
  readonly failure?: string;
}

export interface PassSummary {
  readonly versions: Record<string, string>;
  /** aws-cdk-lib's own `lambda.Runtime.NODEJS_LATEST` on this pass */
  readonly nodejsLatest: string;
  /** the newest Node.js runtime this pass's aws-cdk-lib knows (what AwsSolutions-L1 asks for) */
  readonly nodejsNewest: string;
  readonly examples: Record<string, ExampleSummary>;
}

/** Makes `cdk-saas-privatelink` the compiled lib/, and (given `cdkDir`) the CDK packages come from there. */
function redirectModules(cdkDir: string | undefined): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('module');
  const resolve = Module._resolveFilename;
  const libIndex = path.join(root, 'lib', 'index.js');
  const cdkRequest = new RegExp(`^(${CDK_PACKAGES.join('|')})(/|$)`);
  Module._resolveFilename = function (request: string, parent: unknown, isMain: boolean, options?: object) {
    if (request === 'cdk-saas-privatelink') return libIndex;
    if (cdkDir && cdkRequest.test(request)) {
      return resolve.call(this, request, parent, isMain, { paths: [cdkDir] });
    }
    return resolve.call(this, request, parent, isMain, options);
  };
}

/** The projen-generated handler function classes in lib/ (`lib/**\/*-function.js`), subclasses of `fnBase`. */
function libraryFunctionClasses(fnBase: Function): Function[] {
  const found: Function[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else if (entry.name.endsWith('-function.js')) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const exported = Object.values(require(file) as Record<string, unknown>);
        found.push(...exported.filter((v): v is Function => typeof v === 'function' && v.prototype instanceof fnBase));
      }
    }
  };
  walk(path.join(root, 'lib'));
  return found;
}

function runPass(which: string, outFile: string): void {
  const cdkDir = which === 'floor' ? undefined : path.resolve(which);
  redirectModules(cdkDir);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { exampleNames, loadExample } = require('./synth-examples') as typeof import('./synth-examples');
  const { AwsSolutionsChecks, NagRuleCompliance, rules } = require('cdk-nag') as typeof import('cdk-nag');
  const { Validations } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const lambda = require('aws-cdk-lib/aws-lambda') as typeof import('aws-cdk-lib/aws-lambda');
  const { PrivateLinkChecks } = require('cdk-saas-privatelink') as typeof import('../src');
  const versionOf = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
  /* eslint-enable @typescript-eslint/no-require-imports */

  const handlerClasses = libraryFunctionClasses(lambda.Function);
  const newestNode = lambda.Runtime.ALL
    .filter((r) => r.family === lambda.RuntimeFamily.NODEJS && /^nodejs\d+\.x$/.test(r.name))
    .map((r) => r.name)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .pop()!;
  const l1Reason = (scope: import('constructs').IConstruct): string | undefined => {
    for (let c: import('constructs').IConstruct | undefined = scope; c; c = c.node.scope) {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
        const hit = Object.entries(entry.data as Record<string, string>).find(([id]) => id.replace(/^annotation::/i, '') === 'AwsSolutions-L1');
        if (hit) return hit[1];
      }
    }
    return undefined;
  };

  const versions = Object.fromEntries(CDK_PACKAGES.map((pkg) => [pkg, versionOf(pkg)]));
  const examples: Record<string, ExampleSummary> = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latest-cdk-pass-'));
  try {
    for (const name of exampleNames()) {
      try {
        const app = loadExample(name)({ outdir: path.join(tmp, name) });
        const assembly = app.synth();
        const stacks: ExampleSummary['stacks'] = {};
        const errors: string[] = [];
        for (const stack of assembly.stacks) {
          const counts: Record<string, number> = {};
          const resources = (stack.template as { Resources?: Record<string, { Type: string }> }).Resources ?? {};
          for (const r of Object.values(resources)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
          stacks[stack.stackName] = counts;
          for (const m of stack.messages) {
            if (String(m.level) === 'error') errors.push(`${m.id}: ${String(m.entry.data)}`);
          }
        }
        const functions: ExampleSummary['functions'] = {};
        for (const c of app.node.findAll()) {
          if (!(c instanceof lambda.CfnFunction)) continue;
          const compliance = rules.lambda.LambdaLatestVersion(c);
          const reason = l1Reason(c);
          const l1: FunctionSummary['l1'] = compliance === NagRuleCompliance.COMPLIANT ? 'compliant'
            : compliance === NagRuleCompliance.NON_COMPLIANT ? (reason ? 'acknowledged' : 'finding') : 'not applicable';
          functions[c.node.path] = {
            runtime: String(c.runtime),
            library: handlerClasses.some((cls) => c.node.scope instanceof cls),
            l1,
            ...(l1 === 'acknowledged' ? { l1Reason: reason } : {}),
          };
        }
        const findings = [new PrivateLinkChecks(), new AwsSolutionsChecks()].flatMap((pack) =>
          pack.validateScope(app).violations.flatMap((v) =>
            v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`)));
        examples[name] = { stacks, findings: findings.sort(), errors: errors.sort(), functions };
      } catch (e) {
        examples[name] = { stacks: {}, findings: [], errors: [], functions: {}, failure: (e as Error).message.split('\n')[0] };
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // One copy of each CDK package, the pass's own, or the comparison means nothing.
  const expected = fs.realpathSync(path.join(cdkDir ?? root, 'node_modules')) + path.sep;
  const strays = Object.keys(require.cache).filter((file) =>
    CDK_PACKAGES.some((pkg) => file.includes(`${path.sep}node_modules${path.sep}${pkg}${path.sep}`))
    && !CDK_PACKAGES.some((pkg) => file.startsWith(`${expected}${pkg}${path.sep}`)));
  if (strays.length > 0) {
    throw new Error(`latest-cdk: the ${which} pass loaded CDK modules from outside ${expected}: ${strays.slice(0, 3).join(', ')}`);
  }
  const summary: PassSummary = { versions, nodejsLatest: lambda.Runtime.NODEJS_LATEST.name, nodejsNewest: newestNode, examples };
  fs.writeFileSync(outFile, JSON.stringify(summary, undefined, 2));
}

if (require.main === module) {
  runPass(process.argv[2], process.argv[3]);
}
