/*
 * The pictures in docs/pictures/ are drawn from the examples by scripts/pictures.ts, which
 * records in docs/pictures/pictures.json the SHA-256 of the Graphviz source each was drawn from.
 * This test draws that source again from today's examples (no Graphviz needed) and fails when a
 * picture is older than its example's template. File times cannot say that: a git checkout
 * resets them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { countDot, Manifest, MANIFEST, PictureRecord, pictureSource, PICTURES_DIR, REGENERATE, SCENARIOS, sha256 } from '../scripts/pictures';

jest.setTimeout(180_000);

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as Manifest;

/** What is wrong with one picture, each message naming the picture and the command that fixes it. */
function pictureProblems(name: string, source: string, record: PictureRecord | undefined, files: Record<string, Buffer | undefined>): string[] {
  const picture = `docs/pictures/${name}.png`;
  const fix = `run \`${REGENERATE}\` (needs Graphviz) and commit docs/pictures/`;
  if (!record) return [`${picture}: docs/pictures/pictures.json has no record of it: ${fix}`];
  const problems: string[] = [];
  if (sha256(source) !== record.dot) {
    const now = countDot(source);
    problems.push(`${picture} is older than examples/${name}: the example now draws ${now.boxes} boxes and ${now.arrows} arrows `
      + `(the picture has ${record.boxes} and ${record.arrows}, or the same number with other contents): ${fix}`);
  }
  for (const format of ['png', 'svg'] as const) {
    const file = files[format];
    if (!file) problems.push(`docs/pictures/${name}.${format} is missing: ${fix}`);
    else if (sha256(file) !== record[format]) problems.push(`docs/pictures/${name}.${format} is not the file drawn with the recorded graph: ${fix}`);
  }
  return problems;
}

function filesOf(name: string): Record<string, Buffer | undefined> {
  const read = (format: string): Buffer | undefined => {
    const file = path.join(PICTURES_DIR, `${name}.${format}`);
    return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  };
  return { png: read('png'), svg: read('svg') };
}

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('docs/pictures/%s', (name, scenario) => {
  let source: string;
  beforeAll(() => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `picture-${name}-`));
    try {
      source = pictureSource(scenario, outdir);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('is drawn from the example as it is today', () => {
    expect(pictureProblems(name, source, manifest.pictures[name], filesOf(name))).toEqual([]);
  });

  test('the README shows it, under ## Pictures, after a link to its example', () => {
    const section = readme.slice(readme.indexOf('\n## Pictures\n'), readme.indexOf('\n## ', readme.indexOf('\n## Pictures\n') + 1));
    const link = section.indexOf(`(examples/${name}/main.ts)`);
    const image = section.indexOf(`(docs/pictures/${name}.png)`);
    expect(link).toBeGreaterThan(0);
    expect(image).toBeGreaterThan(link);
  });
});

test('docs/pictures holds only the pictures the script draws, and the manifest records each', () => {
  const drawn = SCENARIOS.map((s) => s.name).sort();
  const files = fs.readdirSync(PICTURES_DIR).filter((f) => f !== path.basename(MANIFEST)).sort();
  expect(files).toEqual(drawn.flatMap((n) => [`${n}.png`, `${n}.svg`]).sort());
  expect(Object.keys(manifest.pictures).sort()).toEqual(drawn);
  // The cdk init pass (examples/cdk.out/cdk-init/) is checked elsewhere, never drawn.
  expect(drawn).not.toContain('cdk-init');
});

describe('pictureProblems', () => {
  const source = 'digraph G {\n  "S/A" [label=<A>];\n  "S/B" [label=<B>];\n  "S/A" -> "S/B" [label=<Ref>];\n}\n';
  const png = Buffer.from('png');
  const svg = Buffer.from('<svg/>');
  const record: PictureRecord = { dot: sha256(source), boxes: 2, arrows: 1, png: sha256(png), svg: sha256(svg) };

  test('passes a picture drawn from the same graph', () => {
    expect(pictureProblems('x', source, record, { png, svg })).toEqual([]);
  });

  test('names the picture, what changed and the command when the example draws another graph', () => {
    const changed = source.replace('}\n', '  "S/C" [label=<C>];\n  "S/C" -> "S/A" [label=<Ref>];\n}\n');
    expect(pictureProblems('x', changed, record, { png, svg })).toEqual([
      `docs/pictures/x.png is older than examples/x: the example now draws 3 boxes and 2 arrows (the picture has 2 and 1, or the same number with other contents): run \`${REGENERATE}\` (needs Graphviz) and commit docs/pictures/`,
    ]);
  });

  test('catches a changed label even when the counts are the same', () => {
    expect(pictureProblems('x', source.replace('label=<Ref>', 'label=<GetAtt>'), record, { png, svg })).toHaveLength(1);
  });

  test('catches a picture replaced or removed without the manifest, and a picture with no record', () => {
    expect(pictureProblems('x', source, record, { png: Buffer.from('other'), svg: undefined })).toEqual([
      expect.stringMatching(/^docs\/pictures\/x\.png is not the file drawn with the recorded graph: run `npx projen pictures`/),
      expect.stringMatching(/^docs\/pictures\/x\.svg is missing: /),
    ]);
    expect(pictureProblems('x', source, undefined, { png, svg })).toEqual([
      expect.stringMatching(/^docs\/pictures\/x\.png: docs\/pictures\/pictures\.json has no record of it: run `npx projen pictures`/),
    ]);
  });
});
