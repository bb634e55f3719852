// Definitions and signatures of what the code around the cursor uses: the current file's map (its
// imports and the first line of each of its declarations, fileMap.ts), the symbols the file imports,
// the function the cursor is in (its header and locals) when its start is out of sight, the symbols
// in the lines before the cursor (and the types of the nearest ones). Found through the editor's
// language providers (definition, type definition, document symbols), so it works for every
// language that has a language server; the benchmark plays them with the TypeScript language service.
import type { Clock } from '../engine';
import type { Snippet } from '../prompt';
import {
  declarationText,
  functionsAround,
  lineAt,
  type DeclarationView,
  outlineText,
  scopesAround,
  scopeText,
  symbolNamedAt,
  type OutlineSymbol,
} from './declarations';
import { fileMapText, mapStillHolds, mergedMap, scopeKey } from './fileMap';
import { dedupe, type ContextQuery, type ContextSource } from './gatherer';
import { identifierOccurrences, importedIdentifiers, type Occurrence } from './identifiers';

export interface SymbolLocation {
  documentKey: string;
  /** Workspace-relative path; undefined outside the workspace (libraries, the runtime's types): never shown. */
  path?: string;
  /**
   * Where the provider points (VS Code's targetSelectionRange or Location.range start), zero-based.
   * In lines, not offsets: the adapter would have to read the target to convert, and an excluded
   * file is never read.
   */
  line: number;
  character: number;
}

export interface FactsDocument {
  text: string;
  version: number;
}

/** What the editor's language providers answer, in offsets; each call may be slow or fail. */
export interface LanguageFacts {
  definitions(documentKey: string, offset: number): Promise<SymbolLocation[]>;
  typeDefinitions(documentKey: string, offset: number): Promise<SymbolLocation[]>;
  outline(documentKey: string): Promise<OutlineSymbol[]>;
  /** Only asked for documents whose path is not excluded. */
  document(documentKey: string): Promise<FactsDocument | undefined>;
}

export interface DefinitionsOptions {
  /** Paths never read for context: secrets and the user's excluded globs. */
  isExcluded: (path: string) => boolean;
  clock: Clock;
  /** Room for the current file's map (fileMap.ts), in characters; 0: no map. */
  mapChars?: number;
  /** The current file this far before the cursor is in the prompt anyway: its definitions there are not repeated. */
  visibleBefore?: number;
  visibleAfter?: number;
}

/** Lines before the cursor whose identifiers are looked up. */
const NEAR_LINES = 15;
const MAX_NEAR = 12;
const MAX_IMPORTS = 16;
/** The nearest identifiers also get their type's definition (what `client.` offers). */
const MAX_TYPE_LOOKUPS = 6;
/** Lookups are remembered this long: offsets before the cursor stay put while the user types on. */
const LOOKUP_TTL_MS = 60_000;
const MAX_MEMO = 2_000;
const DEFAULT_MAP_CHARS = 2_500;
const MAX_MEMO_DOCUMENTS = 32;

interface Surroundings {
  scopes: string;
  map: Snippet[];
  functions: Snippet[];
  /** What the file imports, in order (the first MAX_IMPORTS are looked up for the whole file). */
  imports: Occurrence[];
  /** What the classes around the cursor extend or implement (the members `this.` reaches that the map does not show). */
  bases: Occurrence[];
}

const NO_SURROUNDINGS: Surroundings = { scopes: '', map: [], functions: [], imports: [], bases: [] };

interface Found {
  /** Orders the snippets, the steadiest first (they lead the prompt's cache): imports, the file's outline, the scopes around the cursor, near identifiers by position. */
  rank: number;
  snippet: Snippet;
}

export class DefinitionsSource implements ContextSource {
  readonly name = 'definitions';
  private readonly lookups = new Map<string, { at: number; result: Promise<SymbolLocation[]> }>();
  private readonly rendered = new Map<string, string | undefined>();
  private readonly outlines = new Map<string, { version: number; outline: Promise<OutlineSymbol[]> }>();
  /** Each document's surroundings and the scopes they were made for: made again only when the cursor changes scope. */
  private readonly around = new Map<string, Surroundings>();

  constructor(
    private readonly facts: LanguageFacts,
    private readonly options: DefinitionsOptions,
  ) {}

  async gather(query: ContextQuery, signal: AbortSignal): Promise<Snippet[]> {
    const current = await this.facts.document(query.documentKey);
    if (!current || signal.aborted) return [];
    const text = current.text;
    const found: Found[] = [];
    const collect = (rank: number, work: Promise<Snippet[]>) => work.then((snippets) => found.push(...snippets.map((snippet) => ({ rank, snippet }))));

    const near = nearIdentifiers(text, query.offset, query.languageId);
    // Ranks: the file's map, the classes the cursor's class extends, imports, the functions around the cursor, then near identifiers by their offset.
    const nearRank = MAX_IMPORTS + 2;
    const around = this.surroundings(query, current);
    const lookUp = (rank: number, occurrence: Occurrence) => collect(rank, fileWide(this.definitionsOf(query, current, occurrence, 'definitions')));
    const work: Promise<unknown>[] = [
      collect(
        -2,
        around.then((s) => s.map),
      ),
      around.then((s) => Promise.all(s.bases.map((occurrence) => lookUp(-1, occurrence)))),
      around.then((s) => Promise.all(s.imports.slice(0, MAX_IMPORTS).map((occurrence, i) => lookUp(i, occurrence)))),
      collect(
        MAX_IMPORTS + 1,
        around.then((s) => s.functions),
      ),
      // The word being typed names nothing yet: what it may become (of what the file imports, or
      // of the members of the type before its `.`) is what the model needs to finish it.
      around.then((s) =>
        Promise.all(
          importsCompleting(s.imports, text, query.offset).map((occurrence) =>
            collect(nearRank + query.offset, forWord(this.definitionsOf(query, current, occurrence, 'definitions'))),
          ),
        ),
      ),
      collect(nearRank + query.offset, forWord(this.membersCompleting(query, current))),
      ...near.map((occurrence) => collect(nearRank + occurrence.offset, this.definitionsOf(query, current, occurrence, 'definitions'))),
      ...near
        .slice(-MAX_TYPE_LOOKUPS)
        .map((occurrence) => collect(nearRank + occurrence.offset + 0.5, this.definitionsOf(query, current, occurrence, 'typeDefinitions'))),
    ];
    // At the deadline, what has arrived is used; the rest is dropped (and remembered when it comes).
    await Promise.race([Promise.allSettled(work), aborted(signal)]);
    return dedupe(found.sort((a, b) => a.rank - b.rank).map((f) => f.snippet));
  }

  /**
   * What the current file tells about the cursor's surroundings: the file's map (fileMap.ts), unless
   * the prompt shows the whole file, and the functions around the cursor whose start is out of sight
   * (their headers and locals; classes are on the map). Made again only when the cursor moves to
   * other scopes: byte-identical while the user types on, and the map from one function to the next
   * unless the file's declarations changed.
   */
  private async surroundings(query: ContextQuery, current: FactsDocument): Promise<Surroundings> {
    const outline = await this.currentOutline(query.documentKey, current);
    const memo = this.around.get(query.documentKey);
    // The document changed while its symbols were asked for: keep what was made before.
    if (!outline) return memo ?? NO_SURROUNDINGS;
    const outlined = scopesAround(outline, query.offset);
    // Code the outline leaves out (a prototype's methods in an ES module): the functions around the cursor by indentation.
    const around = outlined.some((scope) => scope.shape === 'callable') ? outlined : [...outlined, ...functionsAround(current.text, query.offset)];
    const scopes = scopeKey(around);
    if (memo?.scopes === scopes) return memo;
    const room = this.mapRoom();
    const wholeFileInSight = this.visible(query, query.documentKey, 0) && this.visible(query, query.documentKey, current.text.length);
    const fresh = room === 0 || wholeFileInSight ? '' : fileMapText(current.text, outline, room, lineIndex(current.text, query.offset));
    // A map that still holds (a declaration typed, the line being typed left out, symbols hidden by an open brace) stays as it was: the same bytes, the same cache.
    // A new one keeps what the old one showed that is still in the file.
    const before = memo?.map[0]?.text;
    const mapText = !fresh || !before ? fresh : mapStillHolds(before, fresh, current.text) ? before : mergedMap(before, fresh, current.text, room);
    const made: Surroundings = {
      scopes,
      imports: importedIdentifiers(current.text, query.languageId),
      bases: around.filter((scope) => scope.shape === 'container').flatMap((scope) => baseClasses(current.text, scope, query.languageId)),
      map: mapText ? [{ path: `${query.path} (outline)`, text: mapText, slot: 'map', fileWide: true }] : [],
      functions: around
        .filter((scope) => scope.shape === 'callable' && !this.visible(query, query.documentKey, scope.range.start))
        .map((scope) => ({ path: `${query.path}:${lineIndex(current.text, scope.range.start) + 1}`, text: scopeText(current.text, scope) })),
    };
    this.around.delete(query.documentKey);
    this.around.set(query.documentKey, made);
    if (this.around.size > MAX_MEMO_DOCUMENTS) this.around.delete(this.around.keys().next().value!);
    return made;
  }

  /** The document's symbols as they are in `current`, or undefined when it changed while they were asked for (their ranges would not fit its text). */
  private async currentOutline(documentKey: string, current: FactsDocument): Promise<OutlineSymbol[] | undefined> {
    const outline = await this.outlineOf(documentKey, current.version);
    const now = await this.facts.document(documentKey);
    return now?.version === current.version ? outline : undefined;
  }

  private async definitionsOf(query: ContextQuery, current: FactsDocument, at: Occurrence, kind: 'definitions' | 'typeDefinitions'): Promise<Snippet[]> {
    const locations = await this.lookup(query.documentKey, at, kind);
    const out: Snippet[] = [];
    for (const location of locations) {
      const target = await this.documentAt(query, current, location);
      if (!target) continue;
      const offset = offsetAt(target.document.text, location.line, location.character);
      if (this.visible(query, location.documentKey, offset)) continue;
      const text = await this.render(location.documentKey, offset, target.document, { outside: location.documentKey !== query.documentKey });
      if (text) out.push({ path: `${target.path}:${location.line + 1}`, text });
    }
    return out;
  }

  /** The first lines of the members the word after `receiver.` may become, of the receiver's type, when they are a few. */
  private async membersCompleting(query: ContextQuery, current: FactsDocument): Promise<Snippet[]> {
    const typing = memberBeingTyped(current.text, query.offset);
    if (!typing) return [];
    const out: Snippet[] = [];
    for (const location of await this.lookup(query.documentKey, typing.receiver, 'typeDefinitions')) {
      const target = await this.documentAt(query, current, location);
      if (!target) continue;
      const { document, path } = target;
      const outline = await this.outlineOf(location.documentKey, document.version);
      const type = symbolNamedAt(outline, offsetAt(document.text, location.line, location.character));
      for (const member of whatItMayBecome(type?.children ?? [], typing.word)) {
        out.push({ path: `${path}:${lineIndex(document.text, member.range.start) + 1}`, text: lineAt(document.text, member.range.start) });
      }
    }
    return out;
  }

  /** The document a provider points to, and its path, unless it is excluded, outside the workspace, or the current file while its map shows its declarations. */
  private async documentAt(
    query: ContextQuery,
    current: FactsDocument,
    location: SymbolLocation,
  ): Promise<{ document: FactsDocument; path: string } | undefined> {
    const { path } = location;
    if (path === undefined || this.options.isExcluded(path)) return undefined;
    // The file's own declarations are on its map, and would be rendered anew at every keystroke.
    const document = location.documentKey !== query.documentKey ? await this.facts.document(location.documentKey) : this.mapRoom() > 0 ? undefined : current;
    return document && { document, path };
  }

  private lookup(documentKey: string, at: Occurrence, kind: 'definitions' | 'typeDefinitions'): Promise<SymbolLocation[]> {
    const key = `${kind}\u0000${documentKey}\u0000${at.offset}\u0000${at.name}`;
    const now = this.options.clock.now();
    const memo = this.lookups.get(key);
    if (memo && now - memo.at < LOOKUP_TTL_MS) return memo.result;
    const result = this.facts[kind](documentKey, at.offset).catch(() => []);
    this.lookups.set(key, { at: now, result });
    if (this.lookups.size > MAX_MEMO) this.lookups.delete(this.lookups.keys().next().value!);
    return result;
  }

  private async render(documentKey: string, offset: number, document: FactsDocument, view: DeclarationView): Promise<string | undefined> {
    const key = `${documentKey}\u0000${document.version}\u0000${offset}\u0000${view.outside}`;
    if (this.rendered.has(key)) return this.rendered.get(key);
    const outline = await this.outlineOf(documentKey, document.version);
    // A location at a file's very start is the module itself (what `require('./x')` points to).
    const symbol = symbolNamedAt(outline, offset);
    const text = symbol ? declarationText(document.text, symbol, view) : offset === 0 ? outlineText(document.text, outline) : lineAt(document.text, offset);
    this.rendered.set(key, text || undefined);
    if (this.rendered.size > MAX_MEMO) this.rendered.delete(this.rendered.keys().next().value!);
    return text || undefined;
  }

  /** The document's symbols at this version (one provider call per version). */
  private outlineOf(documentKey: string, version: number): Promise<OutlineSymbol[]> {
    const memo = this.outlines.get(documentKey);
    if (memo?.version === version) return memo.outline;
    const outline = this.facts.outline(documentKey).catch(() => []);
    this.outlines.set(documentKey, { version, outline });
    if (this.outlines.size > MAX_MEMO) this.outlines.delete(this.outlines.keys().next().value!);
    return outline;
  }

  private mapRoom(): number {
    return this.options.mapChars ?? DEFAULT_MAP_CHARS;
  }

  /** Whether the prompt shows this place of the current file around the cursor anyway. */
  private visible(query: ContextQuery, documentKey: string, offset: number): boolean {
    if (documentKey !== query.documentKey) return false;
    return offset >= query.offset - (this.options.visibleBefore ?? 1_500) && offset <= query.offset + (this.options.visibleAfter ?? 800);
  }
}

async function fileWide(snippets: Promise<Snippet[]>): Promise<Snippet[]> {
  return (await snippets).map((s) => ({ ...s, fileWide: true }));
}

async function forWord(snippets: Promise<Snippet[]>): Promise<Snippet[]> {
  return (await snippets).map((s) => ({ ...s, forWord: true }));
}

/** The distinct identifiers of the lines before the cursor, each at its last occurrence, in document order. */
function nearIdentifiers(text: string, offset: number, languageId: string): Occurrence[] {
  let start = offset;
  for (let n = 0; n <= NEAR_LINES && start > 0; n++) start = text.lastIndexOf('\n', start - 1);
  const occurrences = identifierOccurrences(text.slice(Math.max(0, start), offset), Math.max(0, start), languageId);
  const last = new Map<string, Occurrence>();
  for (const occurrence of occurrences) {
    last.delete(occurrence.name);
    last.set(occurrence.name, occurrence);
  }
  return [...last.values()].slice(-MAX_NEAR);
}

/** The offset of a zero-based line and character. */
export function offsetAt(text: string, line: number, character: number): number {
  let at = 0;
  for (let n = 0; n < line; n++) {
    const newline = text.indexOf('\n', at);
    if (newline === -1) return text.length;
    at = newline + 1;
  }
  return Math.min(text.length, at + character);
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** The zero-based line of an offset. */
function lineIndex(text: string, offset: number): number {
  let line = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

/** A word typed this far is looked up among the imports it may become, when at most this many. */
const MAX_COMPLETING = 3;
const MIN_COMPLETING_CHARS = 2;

/** The word right before the cursor and where it starts, when it is long enough to look up and the cursor is not inside it. */
function wordBeingTyped(text: string, offset: number): { word: string; start: number } | undefined {
  const word = /[A-Za-z_$][\w$]*$/.exec(text.slice(Math.max(0, offset - 100), offset))?.[0];
  if (!word || word.length < MIN_COMPLETING_CHARS || /[\w$]/.test(text[offset] ?? '')) return undefined;
  return { word, start: offset - word.length };
}

/** The candidates whose names the word begins (not the word itself), unless it begins too many to choose from. */
function whatItMayBecome<T extends { name: string }>(candidates: readonly T[], word: string): T[] {
  const completing = candidates.filter((candidate) => candidate.name.length > word.length && candidate.name.startsWith(word));
  return completing.length <= MAX_COMPLETING ? completing : [];
}

/** The imports the word before the cursor may become; none after `.` (a member). */
export function importsCompleting(imports: readonly Occurrence[], text: string, offset: number): Occurrence[] {
  const typing = wordBeingTyped(text, offset);
  return typing && text[typing.start - 1] !== '.' ? whatItMayBecome(imports, typing.word) : [];
}

/** The word being typed right after `receiver.` (or `?.`), with the receiver's name and offset (the language server knows its type); none after `this.`. */
export function memberBeingTyped(text: string, offset: number): { receiver: Occurrence; word: string } | undefined {
  const typing = wordBeingTyped(text, offset);
  if (!typing) return undefined;
  const receiver = /([A-Za-z_$][\w$]*)\??\.$/.exec(text.slice(Math.max(0, typing.start - 100), typing.start));
  // `this.` is the file's own class: its members are on the file's map.
  if (!receiver || receiver[1] === 'this') return undefined;
  return { receiver: { name: receiver[1], offset: typing.start - receiver[0].length }, word: typing.word };
}

/** The names after `extends` / `implements` in a class's header (or in a Python class's parentheses). */
function baseClasses(text: string, container: OutlineSymbol, languageId: string): Occurrence[] {
  const headerEnd = text.indexOf('{', container.range.start);
  const end = Math.min(container.range.end, headerEnd === -1 ? container.range.end : headerEnd, container.range.start + 400);
  const header = text.slice(container.range.start, end);
  const at = header.search(/\b(?:extends|implements)\b|\(/);
  if (at === -1) return [];
  return identifierOccurrences(header.slice(at), container.range.start + at, languageId).filter((o) => /^[A-Z]/.test(o.name));
}
