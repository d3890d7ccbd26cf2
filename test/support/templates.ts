import * as path from 'path';
import type { App, AppProps } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

const examplesDir = path.join(__dirname, '..', '..', 'examples');

/** Replaces content hashes of assets so snapshots change only when behaviour does. */
export function maskAssetHashes<T>(template: T): T {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, 'ASSET-HASH'));
}

/** Loads the `createApp` of examples/<name>/main.ts. */
export function loadExample(name: string): (props?: AppProps) => App {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(examplesDir, name, 'main.ts')).createApp;
}

/** Every stack template of an assembly, by stack name. */
export function templatesOf(assembly: CloudAssembly): Record<string, any> {
  return Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template]));
}
