import * as fs from 'fs';
import * as path from 'path';
import { findRefusals, readmeCatalogue, renderRefusals } from '../scripts/refusals';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

test('the README catalogue of refusals matches the source (run "npx projen refusals" after changing one)', () => {
  expect(readmeCatalogue(readme)).toEqual(renderRefusals());
});

test('the catalogue finds the refusals of every construct family', () => {
  const owners = new Set(findRefusals().map((r) => r.owner));
  for (const owner of ['PrivateLinkService', 'PrivateLinkEndpoint', 'PrivateDnsOverride', 'SpokePeering', 'HostnameTargetSync',
    'DynatracePrivateLink', 'DynatraceEnvironment', 'DynatraceActiveGateToken', 'EdgeConnect', 'EdgeConnectConfig', 'MonteCarloPrivateLink', 'RiveryPrivateLink', 'DatadogPrivateLink', 'MongoDbAtlasPrivateLink']) {
    expect(owners).toContain(owner);
  }
  expect(findRefusals().length).toBeGreaterThan(100);
});

test('every catalogued message names a prop or says what is wrong', () => {
  for (const r of findRefusals()) {
    expect(r.message).toMatch(/`[^`]+`| must | needs | cannot | is required /);
  }
});
