/*
 * The Datadog service-name table (src/vendors/datadog/datadog-services.ts) against the fact
 * sheet's tables (a copy beside this test): every site's region, and for every intake the
 * service ID and the private DNS name, read from the fact sheet's rows, not from the table.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DATADOG_SITES, SITES_WITHOUT_PRIVATELINK } from '../../../src/vendors/datadog/datadog-services';

const sheet = fs.readFileSync(path.join(__dirname, 'datadog-privatelink.fact-sheet.md'), 'utf8');

/** The text of the fact sheet from a heading line that starts with `start` to the next heading. */
function section(start: string): string {
  const from = sheet.indexOf(start);
  if (from < 0) throw new Error(`the fact sheet has no section ${start}`);
  const rest = sheet.slice(from + start.length);
  const next = rest.search(/\n#{2,3} |\n\*\*[A-Z0-9]+\*\* \(/);
  return next < 0 ? rest : rest.slice(0, next);
}

/** Table rows of a section, as cells without backticks. */
function rows(text: string): string[][] {
  return text.split('\n').filter((l) => /^\|.*vpce-svc-/.test(l))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, '')));
}

/** The intake a row's first cell names, at AP1 and US1 (names) and at the anchored sites (colours). */
const BY_NAME: Record<string, string[]> = {
  'Logs (Agent HTTP)': ['logsAgent'],
  'Logs (User HTTP)': ['logsUser'],
  'API': ['api'],
  'Metrics': ['metrics'],
  'Containers': ['containers'],
  'Process': ['process'],
  'Profiling': ['profiling'],
  'Traces': ['traces'],
  'Database Monitoring': ['databaseMonitoring'],
  'Remote Configuration': ['remoteConfiguration'],
  'Logs Agent HTTP (direct)': ['logsAgent'],
  'Logs User HTTP (direct)': ['logsUser'],
  'Metrics (direct)': ['metrics'],
  'Containers (direct)': ['containers'],
  'Process (direct)': ['process'],
  'Profiling (direct)': ['profiling'],
  'DBM (direct)': ['databaseMonitoring'],
  'Remote Config (direct)': ['remoteConfiguration'],
};
/**
 * At AP2 and UK1 the anchors by colour (the fact sheet's "Covers" column says which hosts). US1
 * has anchors for the API (orchid) and traces (lime) only; its other intakes are direct, and its
 * cyan anchor is the event platform's, without the profiler.
 */
const BY_COLOUR: Record<string, string[]> = {
  gold: ['logsAgent', 'logsUser'],
  orchid: ['api'],
  beige: ['metrics'],
  linen: ['containers'],
  bisque: ['process'],
  cyan: ['profiling'],
  lime: ['traces'],
  white: ['databaseMonitoring'],
  violet: ['remoteConfiguration'],
};

/** Per intake, what the fact sheet says: the service ID, and the anchor colour or `direct`. */
function factSheetSite(text: string, colours: string[]): Record<string, { serviceId: string; anchor: string }> {
  const found: Record<string, { serviceId: string; anchor: string }> = {};
  for (const cells of rows(text)) {
    for (let i = 0; i + 1 < cells.length; i += 2) {
      // UK1's table has two anchors a row; the others one, with a third column of hosts.
      const [label, serviceId] = [cells[i], cells[i + 1]];
      if (!/^vpce-svc-[0-9a-f]{17}$/.test(serviceId)) continue;
      const colour = /^([a-z]+) \(/.exec(label)?.[1] ?? (/^[a-z]+$/.test(label) ? label : undefined);
      const keys = BY_NAME[label] ?? (colour && colours.includes(colour) ? BY_COLOUR[colour] : undefined) ?? [];
      for (const key of keys) found[key] = { serviceId, anchor: BY_NAME[label] ? 'direct' : colour! };
      if (cells.length === 3) break;
    }
  }
  return found;
}

const ALL_COLOURS = Object.keys(BY_COLOUR);
const SECTIONS: Record<string, { heading: string; region: RegExp; colours: string[] }> = {
  AP1: { heading: '### 2.1 AP1', region: /`com\.amazonaws\.vpce\.(ap-northeast-1)\.`/, colours: [] },
  US1: { heading: '**US1**', region: /`com\.amazonaws\.vpce\.(us-east-1)\.`/, colours: ['orchid', 'lime'] },
  AP2: { heading: '**AP2**', region: /`com\.amazonaws\.vpce\.(ap-southeast-2)\.`/, colours: ALL_COLOURS },
  UK1: { heading: '**UK1**', region: /`com\.amazonaws\.vpce\.(eu-west-2)\.`/, colours: ALL_COLOURS },
};

describe.each(Object.keys(SECTIONS))('site %s', (name) => {
  const text = section(SECTIONS[name].heading);
  const expected = factSheetSite(text, SECTIONS[name].colours);
  const site = DATADOG_SITES[name];

  test('its region is the one of the fact sheet\'s service names and of its sites table', () => {
    expect(site.region).toBe(SECTIONS[name].region.exec(text)?.[1]);
    const siteRow = sheet.split('\n').find((l) => l.startsWith(`| ${name} |`))!;
    expect(siteRow).toContain(`\`${site.domain}\``);
    expect(siteRow).toContain(site.region);
  });

  test('every intake of the library has the fact sheet\'s service ID and private DNS name', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(site.intakes).sort());
    for (const [key, intake] of Object.entries(site.intakes)) {
      const row = expected[key];
      const dns = row.anchor === 'direct' ? intake.host : `${row.anchor}.intake.${site.domain}`;
      expect([key, intake.serviceId, intake.privateDnsName]).toEqual([key, row.serviceId, dns]);
    }
  });

  test('a direct service\'s private DNS name is a host the fact sheet names', () => {
    for (const intake of Object.values(site.intakes)) {
      if (!intake.privateDnsName.includes('.intake.')) expect(text).toContain(intake.privateDnsName);
    }
  });
});

test('the sites without AWS PrivateLink are the fact sheet\'s, and none of them is in the table', () => {
  const unsupported = sheet.split('\n').find((l) => l.includes('**not supported**'))!;
  for (const site of ['US3', 'US5', 'EU1']) expect(unsupported).toContain(site);
  expect(Object.keys(SITES_WITHOUT_PRIVATELINK)).toEqual(expect.arrayContaining(['US3', 'US5', 'EU1']));
  expect(Object.keys(DATADOG_SITES).sort()).toEqual(['AP1', 'AP2', 'UK1', 'US1']);
});
