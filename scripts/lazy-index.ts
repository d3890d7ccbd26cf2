/*
 * Runs after the jsii compile: makes every barrel (index.js) in lib/ load its modules on first
 * use of one of their exports, the way aws-cdk-lib's own index loads its modules. So
 * `require('cdk-saas-privatelink')` loads no construct module, no aws-cdk-lib service module,
 * and neither cdk-nag (behind PrivateLinkChecks) nor yaml until an app touches them. The jsii
 * assembly is built from the TypeScript, so every language sees the same types; only when the
 * JavaScript is loaded changes.
 */
import * as fs from 'fs';
import * as path from 'path';

const lib = path.join(__dirname, '..', 'lib');
const EXPORT_STAR = /^__exportStar\(require\("(\.\/[^"]+)"\), exports\);$/gm;
const MARK = '// lazy (scripts/lazy-index.ts):';

/** Getters that require `module` when one of `names` is first read. */
export function lazyExports(names: string[], module: string): string {
  return [
    `${MARK} ${module}`,
    ...names.map((name) => `Object.defineProperty(exports, ${JSON.stringify(name)}, ` +
      `{ enumerable: true, configurable: true, get: () => require(${JSON.stringify(module)})[${JSON.stringify(name)}] });`),
  ].join('\n');
}

/** Rewrites one index.js; returns how many re-exports became lazy. */
function lazify(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  let count = 0;
  const out = text.replace(EXPORT_STAR, (_line, module: string) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const names = Object.keys(require(path.join(path.dirname(file), module))).filter((n) => n !== '__esModule').sort();
    count++;
    return lazyExports(names, module);
  });
  if (count > 0) fs.writeFileSync(file, out);
  return count;
}

function indexFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return indexFiles(full);
    return e.name === 'index.js' ? [full] : [];
  });
}

if (require.main === module) {
  // Innermost barrels first, so an outer barrel's names are read from a module that still loads eagerly.
  const files = indexFiles(lib).sort((a, b) => b.split(path.sep).length - a.split(path.sep).length);
  const total = files.reduce((n, f) => n + lazify(f), 0);
  if (total === 0 && !fs.readFileSync(path.join(lib, 'index.js'), 'utf8').includes(MARK)) {
    throw new Error('lib/index.js has no "__exportStar(require(...))" re-exports to make lazy: update scripts/lazy-index.ts');
  }
  console.log(`lazy-index: ${total} re-exports in ${files.length} barrels load on first use`);
}
