/*
 * What README.md and API.md claim about stack outputs and the stacks the constructs create, read
 * from the markdown, and what synthesized apps actually have. Used by test/readme-outputs.test.ts.
 */
import { App, CfnOutput, Reference, Stack, Tokenization } from 'aws-cdk-lib';
import * as lib from '../../src';

/** An output a document names. */
export interface OutputMention {
  /** The document, such as `README.md`. */
  readonly file: string;
  /** The 1-based line. */
  readonly line: number;
  /** How the document spells it. */
  readonly text: string;
  /** The output's name, the part after the construct ID. */
  readonly name: string;
  /** The construct the document says makes it (README's "Stack outputs" table, API.md's `outputs` prop). */
  readonly construct?: string;
  /** The construct ID the document gives, for a full logical ID. */
  readonly constructId?: string;
}

/** An output an app synthesizes. */
export interface AppOutput {
  readonly example: string;
  readonly stack: string;
  readonly logicalId: string;
  /** The CfnOutput's own construct ID. */
  readonly name: string;
  readonly owner: unknown;
  readonly ownerId: string;
}

const OUTPUT_NAME = /^[A-Z][A-Za-z0-9]*$/;

/** The lines of a markdown file with the fenced code blocks marked. */
export function markdownLines(markdown: string): { line: number; text: string; fence?: string }[] {
  let fence: string | undefined;
  return markdown.split(/\r?\n/).map((text, i) => {
    const marker = /^ {0,3}(`{3,}|~{3,})\s*(\S*)/.exec(text);
    if (marker && !fence) {
      fence = marker[2] || 'plain';
      return { line: i + 1, text };
    }
    if (marker && fence) {
      fence = undefined;
      return { line: i + 1, text };
    }
    return { line: i + 1, text, fence };
  });
}

/**
 * The prose paragraphs of a markdown file (fenced code left out), each with its lines joined by
 * spaces, so that a backticked name or a sentence may run over a line break, as TSDoc wraps them.
 */
export function paragraphs(markdown: string): { line: number; text: string; lineOf: (offset: number) => number }[] {
  const result: { line: number; text: string; lineOf: (offset: number) => number }[] = [];
  let current: { line: number; text: string }[] = [];
  const flush = () => {
    if (current.length === 0) return;
    const parts = current;
    const starts = parts.map((_, i) => parts.slice(0, i).reduce((n, p) => n + p.text.length + 1, 0));
    result.push({
      line: parts[0].line,
      text: parts.map((p) => p.text).join(' '),
      lineOf: (offset) => parts[starts.filter((s) => s <= offset).length - 1].line,
    });
    current = [];
  };
  for (const l of markdownLines(markdown)) {
    if (l.fence !== undefined || /^ {0,3}(`{3,}|~{3,})/.test(l.text) || l.text.trim() === '' || /^\s*\|/.test(l.text) || /^#/.test(l.text)) {
      flush();
      // table rows and headings are paragraphs of one line
      if (l.fence === undefined && (/^\s*\|/.test(l.text) || /^#/.test(l.text))) current.push(l);
      flush();
      continue;
    }
    current.push(l);
  }
  flush();
  return result;
}

/** The outputs README.md names, in the three ways the README's "Stack outputs" section uses. */
export function mentionedOutputs(markdown: string, file = 'README.md'): OutputMention[] {
  const mentions: OutputMention[] = [];
  const lines = markdownLines(markdown);

  // the "Stack outputs" table
  const start = lines.findIndex((l) => /^## Stack outputs\s*$/.test(l.text));
  if (start >= 0) {
    for (const { line, text } of lines.slice(start + 1)) {
      if (text.startsWith('## ')) break;
      const row = /^\| `(\w+)` \| (.*)\|\s*$/.exec(text);
      if (!row) continue;
      for (const [, id] of row[2].matchAll(/`X(\w+)`/g)) {
        mentions.push({ file, line, text: `X${id}`, name: id, construct: row[1] });
      }
    }
  }

  lines.forEach(({ line, text, fence }, i) => {
    if (fence && fence !== 'plain') return; // code in a language is not prose; plain blocks are diagrams
    for (const [whole, name] of text.matchAll(/<id>([A-Za-z0-9]+)/g)) mentions.push({ file, line, text: whole, name });
    if (fence) return;
    // a phrase may go on in the next line; it counts for the line it starts in
    const next = lines[i + 1] && !lines[i + 1].fence ? lines[i + 1].text.trim() : '';
    const phrases = (pattern: RegExp) => [...`${text} ${next}`.matchAll(pattern)].filter((m) => (m.index ?? 0) < text.length);
    const called = [
      ...phrases(/\boutputs? ((?:`[^`]+`(?:, | and ))*`[^`]+`)/gi).flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((n) => n[1])),
      ...phrases(/`([^`]+)` output\b/g).map((m) => m[1]),
    ];
    for (const name of called.filter((n) => OUTPUT_NAME.test(n))) mentions.push({ file, line, text: name, name });
    for (const [, logicalId, constructId] of phrases(/`([A-Za-z0-9]+)` for a\s+construct with ID `([A-Za-z0-9]+)`/g)) {
      mentions.push({ file, line, text: logicalId, name: logicalId.slice(constructId.length), constructId });
    }
  });
  return mentions;
}

/**
 * The outputs API.md names: the names an `outputs` prop's documentation lists after its colon
 * (`Add stack outputs, …: \`EndpointId\` and \`BackendServiceUrl\`.`), made by the construct of
 * those props (`MonteCarloPrivateLinkProps` → `MonteCarloPrivateLink`), or by the presets that
 * take `LinkProbeOptions`.
 */
export function apiOutputs(markdown: string, file = 'API.md'): OutputMention[] {
  const mentions: OutputMention[] = [];
  let props: string | undefined;
  for (const p of paragraphs(markdown)) {
    const heading = /^#####\s+`(\w+)`.*id="[\w-]+\.(\w+)\.property\.(\w+)"/.exec(p.text);
    if (heading) {
      props = heading[3] === 'outputs' ? heading[2] : undefined;
      continue;
    }
    if (/^#/.test(p.text)) props = undefined;
    if (!props || !/^Add\b.*\boutputs\b/.test(p.text)) continue;
    const list = p.text.slice(p.text.indexOf(':') + 1).split(/\.(\s|$)/)[0];
    const owners = props === 'LinkProbeOptions' ? ['DynatracePrivateLink', 'MonteCarloPrivateLink'] : [props.replace(/Props$/, '')];
    // names in parentheses are examples of the IDs (`DynatraceProbeOk`), not the list
    for (const [, name] of list.replace(/\([^)]*\)/g, '').matchAll(/`([A-Za-z0-9]+)`/g)) {
      for (const construct of owners) mentions.push({ file, line: p.line, text: name, name, construct });
    }
  }
  return mentions;
}

/**
 * Sentences that say a construct makes stack outputs without naming the opt-in (`outputs`): the
 * README says no construct adds an output unless asked, so a sentence such as "The service name
 * is a stack output" promises what an app without `outputs: true` never gets. The `outputs`
 * props' own documentation is the opt-in.
 */
export function outputClaimsWithoutOptIn(markdown: string, file = 'API.md'): string[] {
  const found: string[] = [];
  let inOutputsProp = false;
  for (const p of paragraphs(markdown)) {
    if (/^#/.test(p.text)) {
      inOutputsProp = /^#####\s+`outputs`/.test(p.text);
      continue;
    }
    if (inOutputsProp || /property\.outputs"/.test(p.text)) continue;
    let offset = 0;
    for (const sentence of p.text.split(/(?<=[.!?:;])\s+(?=[A-Z`(])/)) {
      const at = p.text.indexOf(sentence, offset);
      offset = at + sentence.length;
      if (/\b(stack )?outputs?\b/i.test(sentence) && !/`outputs(: true)?`/.test(sentence)) {
        found.push(`${file} line ${p.lineOf(at)}: "${sentence.trim()}" says it outputs without \`outputs: true\``);
      }
    }
  }
  return found;
}

/** The outputs of an app that are in its synthesized templates. */
export function outputsOf(name: string, app: App): AppOutput[] {
  const assembly = app.synth();
  return app.node.findAll().filter((c): c is CfnOutput => c instanceof CfnOutput).flatMap((output) => {
    const stack = Stack.of(output);
    const logicalId = stack.resolve(output.logicalId) as string;
    const template = assembly.stacksRecursively.find((s) => s.hierarchicalId === stack.node.path)?.template;
    if (!template?.Outputs?.[logicalId]) return [];
    const owner = output.node.scope!;
    return [{ example: name, stack: stack.stackName, logicalId, name: output.node.id, owner, ownerId: owner.node.id }];
  });
}

/** Why a mention matches no output, or undefined when one matches. */
export function unmatched(mention: OutputMention, outputs: AppOutput[]): string | undefined {
  const where = `${mention.file} line ${mention.line}`;
  const constructClass = mention.construct ? (lib as Record<string, unknown>)[mention.construct] : undefined;
  if (mention.construct && typeof constructClass !== 'function') {
    return `${where}: the Stack outputs table names \`${mention.construct}\`, which the library does not export`;
  }
  const match = outputs.find((o) =>
    // a full logical ID quoted from an example, such as `VendorProbeOk`
    (mention.construct === undefined && mention.constructId === undefined && o.logicalId === mention.text)
    || o.name === mention.name
    && o.logicalId === `${o.ownerId.replace(/[^A-Za-z0-9]/g, '')}${mention.name}`
    && (mention.constructId === undefined || o.ownerId === mention.constructId)
    && (constructClass === undefined || o.owner instanceof (constructClass as abstract new (...args: never[]) => unknown)));
  if (match) return undefined;
  const by = mention.construct ? ` of a ${mention.construct}` : mention.constructId ? ` of a construct with ID ${mention.constructId}` : '';
  return `${where}: the output \`${mention.text}\`${by} is in no example's template`;
}

/** A stack name a document gives for a stack a construct creates, such as `<hub stack>-<spoke stack>-HubSide`. */
export interface StackNameMention {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** The kinds of stack the constructs create for spokes in another region, by how their names end. */
const STACK_KINDS: { kind: CreatedStack['kind']; suffix: string }[] = [
  { kind: 'hub side', suffix: '-HubSide' },
  { kind: 'spoke DNS', suffix: '-SpokeDns' },
];

/** A group stack's name without placeholders, such as `Hub-Tokyo-HubSide`. */
const CONCRETE_NAME = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*-(?:HubSide|SpokeDns)$/;

/**
 * The stack names a document quotes in backticks (also inside a `cdk destroy` command): a name
 * with placeholders that starts with the hub's stack (`<hub stack>-<spoke stack>-HubSide`, and
 * the old `<hub stack>-<construct path>` and `<hubSideStack>-Probe`) or ends like a stack the
 * constructs create or created (`-HubSide`, `-SpokeDns`, `-Probe`), and a group stack's name
 * without placeholders (`Hub-Tokyo-SpokeDns`). A placeholder may run over a line break.
 */
export function mentionedStackNames(markdown: string, file: string): StackNameMention[] {
  const found: StackNameMention[] = [];
  for (const p of paragraphs(markdown)) {
    for (const m of p.text.matchAll(/`(?:cdk \w+ )?([^`]+)`/g)) {
      const text = m[1].replace(/\s+/g, ' ').trim();
      const placeholders = /<[^>]+>/.test(text)
        && (/^<(?:hub stack|hubSideStack|spoke stack)>/.test(text) || /-(?:HubSide|SpokeDns|Probe)$/.test(text));
      if (placeholders || CONCRETE_NAME.test(text)) found.push({ file, line: p.lineOf(m.index ?? 0), text });
    }
  }
  return found;
}

/** A stack a construct created for spokes in another region, and what its name may be built from. */
export interface CreatedStack {
  /** `hub side`: the spoke's `hubSideStack`, in the hub's region; `spoke DNS`: its `dnsStack`, in the spoke's. */
  readonly kind: 'hub side' | 'spoke DNS';
  /** The stack's name. */
  readonly name: string;
  /** The construct ID of the hub's stack. */
  readonly hubStack: string;
  /** The construct ID of the spoke VPC's stack. */
  readonly spokeStack: string;
}

/**
 * The stack of a spoke's VPC, found independently of the stacks the spoke reports: the stack of
 * the peering connection (`SpokePeering`) or the spoke's transit gateway attachment
 * (`TransitGatewaySpoke`), which the spoke's stack holds.
 */
function spokeStackOf(spoke: lib.SpokePeering | lib.TransitGatewaySpoke): Stack {
  const id = spoke instanceof lib.SpokePeering ? spoke.peeringConnectionId : spoke.spokeAttachmentId;
  const token = Tokenization.reverseString(id).firstToken;
  if (!(token instanceof Reference)) throw new Error(`${spoke.node.path}: its peering or attachment is no resource of the app, so its stack is unknown`);
  return Stack.of(token.target);
}

/**
 * The stacks the spokes (`SpokePeering`, `TransitGatewaySpoke`) of an app in another region than
 * their hub created, once each (spokes of one hub stack and spoke stack share them).
 */
export function createdStacks(app: App): CreatedStack[] {
  const made = new Map<string, CreatedStack>();
  for (const c of app.node.findAll()) {
    if (!(c instanceof lib.SpokePeering || c instanceof lib.TransitGatewaySpoke)) continue;
    const hub = Stack.of(c);
    if (c.spokeRegion === hub.region) continue; // in the hub's or the spoke's own stack
    const base = { hubStack: hub.node.id, spokeStack: spokeStackOf(c).node.id };
    for (const [kind, stack] of [['hub side', c.hubSideStack], ['spoke DNS', c.dnsStack]] as const) {
      made.set(`${kind} ${stack.stackName}`, { kind, name: stack.stackName, ...base });
    }
  }
  return [...made.values()];
}

const PLACEHOLDERS: Record<string, (s: CreatedStack) => string> = {
  '<hub stack>': (s) => s.hubStack,
  '<spoke stack>': (s) => s.spokeStack,
};

/**
 * Why a quoted stack name is wrong, or undefined when it is right: a name with placeholders must
 * give the name of every created stack of its kind (by its ending, `-HubSide` or `-SpokeDns`),
 * and at least one must exist; a name without them must be one created stack's name. A name of
 * any other kind (`<hub stack>-<construct path>`, `<hubSideStack>-Probe`) is of stacks the
 * constructs no longer create.
 */
export function wrongStackName(mention: StackNameMention, stacks: CreatedStack[]): string | undefined {
  const where = `${mention.file} line ${mention.line}: the stack name \`${mention.text}\``;
  const kind = STACK_KINDS.find((k) => mention.text.endsWith(k.suffix))?.kind;
  if (!kind) {
    return `${where} is of a kind of stack the constructs no longer create (for spokes in another region they create ` +
      '`<hub stack>-<spoke stack>-HubSide` and `<hub stack>-<spoke stack>-SpokeDns`)';
  }
  const unknown = [...mention.text.matchAll(/<[^>]+>/g)].map((m) => m[0]).filter((p) => !(p in PLACEHOLDERS));
  if (unknown.length > 0) return `${where} has placeholders the test does not know: ${unknown.join(', ')}`;
  const described = stacks.filter((s) => s.kind === kind);
  if (described.length === 0) return `${where} describes no ${kind} stack of the apps`;
  if (!/<[^>]+>/.test(mention.text)) {
    return described.some((s) => s.name === mention.text) ? undefined : `${where} is the name of no ${kind} stack of the apps`;
  }
  const wrong = described.map((s) => ({ s, expected: mention.text.replace(/<[^>]+>/g, (p) => PLACEHOLDERS[p](s)) }))
    .filter(({ s, expected }) => expected !== s.name);
  if (wrong.length === 0) return undefined;
  return `${where} gives ${wrong.map(({ s, expected }) => `${expected} for ${s.name}`).join(', ')}`;
}
