// Definitions and signatures of what the code around the cursor uses: the symbols the file
// imports, the symbols in the lines before the cursor (and the types of the nearest ones), the
// class or function the cursor is in and the file's own top-level declarations when they are out of sight. Found through the editor's
// language providers (definition, type definition, document symbols), so it works for every
// language that has a language server; the benchmark plays them with the TypeScript language service.
import type { Clock } from '../engine';
import type { Snippet } from '../prompt';
import { declarationText, lineAt, outlineText, scopesAround, scopeText, symbolNamedAt, type OutlineSymbol } from './declarations';
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
const OUTLINE_TTL_MS = 5_000;

interface Found {
  /** Orders the snippets, the steadiest first (they lead the prompt's cache): imports, the file's outline, the scopes around the cursor, near identifiers by position. */
  rank: number;
  snippet: Snippet;
}

export class DefinitionsSource implements ContextSource {
  readonly name = 'definitions';
  private readonly lookups = new Map<string, { at: number; result: Promise<SymbolLocation[]> }>();
  private readonly rendered = new Map<string, string | undefined>();
  private readonly outlines = new Map<string, { version: number; at: number; outline: Promise<OutlineSymbol[]> }>();

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

    const imports = importedIdentifiers(text, query.languageId).slice(0, MAX_IMPORTS);
    const near = nearIdentifiers(text, query.offset, query.languageId);
    // Ranks: imports, the outline, the scopes, then near identifiers by their offset.
    const nearRank = MAX_IMPORTS + 2;
    const work: Promise<unknown>[] = [
      ...imports.map((occurrence, i) => collect(i, fileWide(this.definitionsOf(query, current, occurrence, 'definitions')))),
      collect(MAX_IMPORTS, fileWide(this.fileOutline(query, current))),
      collect(MAX_IMPORTS + 1, this.scopes(query, current)),
      ...near.map((occurrence) => collect(nearRank + occurrence.offset, this.definitionsOf(query, current, occurrence, 'definitions'))),
      ...near
        .slice(-MAX_TYPE_LOOKUPS)
        .map((occurrence) => collect(nearRank + occurrence.offset + 0.5, this.definitionsOf(query, current, occurrence, 'typeDefinitions'))),
    ];
    // At the deadline, what has arrived is used; the rest is dropped (and remembered when it comes).
    await Promise.race([Promise.allSettled(work), aborted(signal)]);
    return dedupe(found.sort((a, b) => a.rank - b.rank).map((f) => f.snippet));
  }

  /** The classes and functions around the cursor whose start is out of sight: their signatures, a function's locals. */
  private async scopes(query: ContextQuery, current: FactsDocument): Promise<Snippet[]> {
    const outline = await this.currentOutline(query, current);
    const out: Snippet[] = [];
    for (const scope of scopesAround(outline, query.offset)) {
      if (this.visible(query, query.documentKey, scope.range.start)) continue;
      out.push({ path: `${query.path}:${lineNumber(current.text, scope.range.start)}`, text: scopeText(current.text, scope) });
    }
    return out;
  }

  /** The file's top-level declarations, when its start is out of sight. */
  private async fileOutline(query: ContextQuery, current: FactsDocument): Promise<Snippet[]> {
    if (this.visible(query, query.documentKey, 0)) return [];
    const text = outlineText(current.text, await this.currentOutline(query, current));
    return text ? [{ path: query.path, text }] : [];
  }

  /** The document being typed changes at every key, its symbols before the cursor do not: a recent outline does. */
  private currentOutline(query: ContextQuery, current: FactsDocument): Promise<OutlineSymbol[]> {
    return this.outlineOf(query.documentKey, current.version, OUTLINE_TTL_MS);
  }

  private async definitionsOf(query: ContextQuery, current: FactsDocument, at: Occurrence, kind: 'definitions' | 'typeDefinitions'): Promise<Snippet[]> {
    const locations = await this.lookup(query.documentKey, at, kind);
    const out: Snippet[] = [];
    for (const location of locations) {
      if (location.path === undefined || this.options.isExcluded(location.path)) continue;
      const document = location.documentKey === query.documentKey ? current : await this.facts.document(location.documentKey);
      if (!document) continue;
      const offset = offsetAt(document.text, location.line, location.character);
      if (this.visible(query, location.documentKey, offset)) continue;
      const text = await this.render(location.documentKey, offset, document);
      if (text) out.push({ path: `${location.path}:${location.line + 1}`, text });
    }
    return out;
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

  private async render(documentKey: string, offset: number, document: FactsDocument): Promise<string | undefined> {
    const key = `${documentKey}\u0000${document.version}\u0000${offset}`;
    if (this.rendered.has(key)) return this.rendered.get(key);
    const outline = await this.outlineOf(documentKey, document.version);
    // A location at a file's very start is the module itself (what `require('./x')` points to).
    const symbol = symbolNamedAt(outline, offset);
    const text = symbol ? declarationText(document.text, symbol) : offset === 0 ? outlineText(document.text, outline) : lineAt(document.text, offset);
    this.rendered.set(key, text || undefined);
    if (this.rendered.size > MAX_MEMO) this.rendered.delete(this.rendered.keys().next().value!);
    return text || undefined;
  }

  /** The document's symbols at this version, or at an older one asked for less than `ttlMs` ago. */
  private outlineOf(documentKey: string, version: number, ttlMs = 0): Promise<OutlineSymbol[]> {
    const now = this.options.clock.now();
    const memo = this.outlines.get(documentKey);
    if (memo && (memo.version === version || now - memo.at < ttlMs)) return memo.outline;
    const outline = this.facts.outline(documentKey).catch(() => []);
    this.outlines.set(documentKey, { version, at: now, outline });
    if (this.outlines.size > MAX_MEMO) this.outlines.delete(this.outlines.keys().next().value!);
    return outline;
  }

  private visible(query: ContextQuery, documentKey: string, offset: number): boolean {
    if (documentKey !== query.documentKey) return false;
    return offset >= query.offset - (this.options.visibleBefore ?? 1_500) && offset <= query.offset + (this.options.visibleAfter ?? 800);
  }
}

async function fileWide(snippets: Promise<Snippet[]>): Promise<Snippet[]> {
  return (await snippets).map((s) => ({ ...s, fileWide: true }));
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

function lineNumber(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
