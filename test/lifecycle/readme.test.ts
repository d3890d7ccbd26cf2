import * as fs from 'fs';
import * as path from 'path';
import { LIFECYCLE_EVENTS } from './lifecycle';
import { findBlocks, readmeLifecycle, renderLifecycle } from '../../scripts/lifecycle';

const root = path.join(__dirname, '..', '..');

test('the README Lifecycle tables match the rows the handler tests assert (run "npx projen lifecycle" after changing one)', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  expect(readmeLifecycle(readme)).toEqual(renderLifecycle());
});

test('every block has one row for each lifecycle event, in order', () => {
  for (const block of findBlocks()) {
    expect([block.resource, block.rows.map((r) => r.event)]).toEqual([block.resource, [...LIFECYCLE_EVENTS]]);
  }
});

test('every custom resource type in src/ has a lifecycle block', () => {
  const sources = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const types = new Set(sources(path.join(root, 'src'))
    .flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/resourceType: '(Custom::[A-Za-z]+)'/g)].map((m) => m[1])));
  const covered = new Set(findBlocks().map((b) => b.resource.split(' ')[0]));
  expect(types.size).toBeGreaterThanOrEqual(4);
  for (const type of types) expect([type, covered.has(type)]).toEqual([type, true]);
});
