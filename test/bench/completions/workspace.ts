// The benchmark's workspaces: each typed file belongs to a real project in node_modules (a
// package's own `lib/` or `src/`) whose other files are the workspace. The TypeScript language
// service plays VS Code's definition, type-definition and document-symbol providers for the
// engine's context sources (src/core/completion/context), over the document as the simulated user
// has typed it so far; each answer takes, in virtual time, the real time the service spent on it
// plus an editor round trip. A second service over the original files gives the benchmark the
// truth for context recall.
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ts from 'typescript';
import type { OutlineSymbol, SymbolShape } from '../../../src/core/completion/context/declarations';
import type { FactsDocument, LanguageFacts, SymbolLocation } from '../../../src/core/completion/context/definitions';
import type { OpenDocument } from '../../../src/core/completion/snippets';
import type { SourceFile } from './corpus';
import type { VirtualClock } from './virtualClock';

/** The project each typed file belongs to: its package's source folder (relative to node_modules). */
export const PROJECT_ROOTS = ['mocha/lib', 'openai/src', 'highlight.js/lib/languages', 'semver', 'commander/lib', 'minimatch/dist/commonjs'];
const SOURCE = /\.(?:[cm]?js|tsx?)$/;
const MAX_PROJECT_FILES = 600;
/** What a call to one of VS Code's language providers costs beyond the language server's own work (IPC to tsserver). */
export const PROVIDER_ROUND_TRIP_MS = 5;
const NEVER = new AbortController().signal;

export function projectRootOf(relativePath: string): string | undefined {
  return PROJECT_ROOTS.find((root) => relativePath.startsWith(`${root}/`));
}

/** The document key the bench names a file by (as typist.ts does). */
export function documentKeyOf(relativePath: string): string {
  return `file:///node_modules/${relativePath}`;
}

function relativeOfKey(key: string): string {
  return key.replace(/^file:\/\/\/node_modules\//, '');
}

/** The files of a project, relative to node_modules. */
function projectFiles(nodeModules: string, root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(nodeModules, dir)).sort()) {
      if (name === 'node_modules' || out.length >= MAX_PROJECT_FILES) continue;
      const rel = `${dir}/${name}`;
      const stat = statSync(path.join(nodeModules, rel));
      if (stat.isDirectory()) walk(rel);
      else if (SOURCE.test(name) && !name.endsWith('.d.ts') && stat.size < 400_000) out.push(rel);
    }
  };
  if (existsSync(path.join(nodeModules, root))) walk(root);
  return out;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  checkJs: false,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  skipLibCheck: true,
  types: [],
};

/** One language service over a project; `overlay` replaces a file's text (the document being typed). */
class ProjectService {
  readonly service: ts.LanguageService;
  overlay?: { fileName: string; text: () => string; version: number };
  private readonly texts = new Map<string, string>();

  constructor(
    readonly nodeModules: string,
    roots: string[],
    registry: ts.DocumentRegistry,
  ) {
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => roots,
      getScriptVersion: (fileName) => (fileName === this.overlay?.fileName ? String(this.overlay.version) : '0'),
      getScriptSnapshot: (fileName) => {
        const text = this.text(fileName);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => nodeModules,
      getCompilationSettings: () => COMPILER_OPTIONS,
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (fileName) => fileName === this.overlay?.fileName || ts.sys.fileExists(fileName),
      readFile: (fileName) => this.text(fileName),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    this.service = ts.createLanguageService(host, registry);
  }

  text(fileName: string): string | undefined {
    if (fileName === this.overlay?.fileName) return this.overlay.text();
    let text = this.texts.get(fileName);
    if (text === undefined) {
      if (!ts.sys.fileExists(fileName)) return undefined;
      text = (ts.sys.readFile(fileName) ?? '').replace(/\r\n?/g, '\n');
      this.texts.set(fileName, text);
    }
    return text;
  }
}

/** The document the simulated user is typing: its text and a version that changes with every keystroke. */
export interface TypedDocument {
  relativePath: string;
  text: () => string;
  version: number;
}

/** TypeScript's navigation-tree kinds as VS Code's symbol kinds map them (src/vscode/languageFacts.ts). */
const SHAPES = new Map<string, SymbolShape>([
  ['class', 'container'],
  ['local class', 'container'],
  ['interface', 'container'],
  ['enum', 'container'],
  ['module', 'container'],
  ['function', 'callable'],
  ['local function', 'callable'],
  ['method', 'callable'],
  ['constructor', 'callable'],
  ['getter', 'callable'],
  ['setter', 'callable'],
]);

/** The providers over every project, as the engine's context sources ask them (LanguageFacts). */
export class BenchLanguageFacts implements LanguageFacts {
  /** Virtual ms each provider call took (the language service's real time plus the round trip). */
  readonly callMs: number[] = [];

  constructor(
    private readonly projects: (root: string) => ProjectService,
    private readonly nodeModules: string,
    private readonly clock: VirtualClock,
    private readonly typed: () => TypedDocument | undefined,
  ) {}

  definitions(documentKey: string, offset: number): Promise<SymbolLocation[]> {
    return this.timed(documentKey, (project, root, fileName) => this.locations(project, root, project.service.getDefinitionAtPosition(fileName, offset)));
  }

  typeDefinitions(documentKey: string, offset: number): Promise<SymbolLocation[]> {
    return this.timed(documentKey, (project, root, fileName) => this.locations(project, root, project.service.getTypeDefinitionAtPosition(fileName, offset)));
  }

  outline(documentKey: string): Promise<OutlineSymbol[]> {
    return this.timed(documentKey, (project, _root, fileName) => (project.service.getNavigationTree(fileName).childItems ?? []).map(toOutline));
  }

  async document(documentKey: string): Promise<FactsDocument | undefined> {
    const found = this.project(documentKey);
    if (!found) return undefined;
    const [project, , fileName] = found;
    const text = project.text(fileName);
    if (text === undefined) return undefined;
    return { text, version: project.overlay?.fileName === fileName ? project.overlay.version : 0 };
  }

  /** The files a file imports from its own project: what the simulated user has open beside it. */
  openDocuments(relativePath: string, max = 3): OpenDocument[] {
    const found = this.project(documentKeyOf(relativePath));
    if (!found) return [];
    const [project, root, fileName] = found;
    const out: OpenDocument[] = [];
    for (const imported of ts.preProcessFile(project.text(fileName) ?? '', true, true).importedFiles) {
      if (out.length >= max || !imported.fileName.startsWith('.')) continue;
      const resolved = ts.resolveModuleName(imported.fileName, fileName, COMPILER_OPTIONS, ts.sys).resolvedModule?.resolvedFileName;
      if (!resolved || !resolved.startsWith(path.join(this.nodeModules, root))) continue;
      const rel = path.relative(this.nodeModules, resolved).split(path.sep).join('/');
      if (!out.some((d) => d.path === `node_modules/${rel}`)) out.push({ path: `node_modules/${rel}`, text: project.text(resolved) ?? '' });
    }
    return out;
  }

  /** The project of a document, synced with what the user has typed so far. */
  private project(documentKey: string): [ProjectService, string, string] | undefined {
    const relativePath = relativeOfKey(documentKey);
    const root = projectRootOf(relativePath);
    if (!root) return undefined;
    const project = this.projects(root);
    const typed = this.typed();
    project.overlay = typed && { fileName: path.join(this.nodeModules, typed.relativePath), text: typed.text, version: typed.version };
    return [project, root, path.join(this.nodeModules, relativePath)];
  }

  private async timed<T>(documentKey: string, work: (project: ProjectService, root: string, fileName: string) => T): Promise<T> {
    const found = this.project(documentKey);
    if (!found) throw new Error(`${documentKey} is in no project`);
    const started = performance.now();
    const result = work(...found);
    const ms = performance.now() - started + PROVIDER_ROUND_TRIP_MS;
    this.callMs.push(ms);
    await this.clock.sleep(ms, NEVER);
    return result;
  }

  private locations(project: ProjectService, root: string, definitions: readonly ts.DefinitionInfo[] | undefined): SymbolLocation[] {
    return (definitions ?? []).map((d) => {
      const rel = path.relative(this.nodeModules, d.fileName).split(path.sep).join('/');
      const source = project.service.getProgram()?.getSourceFile(d.fileName);
      const { line, character } = source ? source.getLineAndCharacterOfPosition(d.textSpan.start) : { line: 0, character: 0 };
      return {
        documentKey: documentKeyOf(rel),
        // The project's own files are the workspace; other packages and the runtime's types are not shown.
        path: rel.startsWith(`${root}/`) ? `node_modules/${rel}` : undefined,
        line,
        character,
      };
    });
  }
}

function toOutline(item: ts.NavigationTree): OutlineSymbol {
  const span = item.spans[0];
  const name = item.nameSpan ?? span;
  return {
    name: item.text,
    shape: SHAPES.get(item.kind) ?? 'value',
    range: { start: span.start, end: span.start + span.length },
    nameRange: { start: name.start, end: name.start + name.length },
    children: (item.childItems ?? []).map(toOutline),
  };
}

/** A definition of an identifier of the true continuation, in the original files. */
export interface TrueDefinition {
  /** Relative to node_modules. */
  file: string;
  offset: number;
  /** The declaration's first line, whitespace collapsed: what a prompt must contain to count as showing it. */
  signature: string;
}

/** The workspaces of every typed file, sharing one document registry (the runtime's types parsed once). */
export class Workspaces {
  private readonly registry = ts.createDocumentRegistry();
  private readonly typing = new Map<string, ProjectService>();
  private readonly truth = new Map<string, ProjectService>();
  private readonly definitionMemo = new Map<string, TrueDefinition[]>();

  constructor(
    private readonly nodeModules: string,
    private readonly files: readonly SourceFile[],
  ) {}

  /** The providers over every project, answering about the document being typed as it is now. */
  facts(clock: VirtualClock, typed: () => TypedDocument | undefined): BenchLanguageFacts {
    const projects = (root: string) => {
      let project = this.typing.get(root);
      if (!project) {
        project = new ProjectService(this.nodeModules, this.rootsOf(root), this.registry);
        this.typing.set(root, project);
      }
      return project;
    };
    return new BenchLanguageFacts(projects, this.nodeModules, clock, typed);
  }

  /** How many source files each project's workspace has (for the report). */
  projectSizes(): Record<string, number> {
    const roots = [...new Set(this.files.map((f) => projectRootOf(f.relativePath)).filter((r) => r !== undefined))];
    return Object.fromEntries(roots.map((root) => [root, projectFiles(this.nodeModules, root).length]));
  }

  /**
   * The project definitions of the identifier at `offset` of an original file: in the project's
   * files only (what the runtime or other packages define is known to a model or out of reach).
   */
  definitionsAt(relativePath: string, offset: number): TrueDefinition[] {
    const key = `${relativePath}\u0000${offset}`;
    const memo = this.definitionMemo.get(key);
    if (memo) return memo;
    const root = projectRootOf(relativePath);
    const found: TrueDefinition[] = [];
    if (root) {
      let project = this.truth.get(root);
      if (!project) {
        project = new ProjectService(this.nodeModules, this.rootsOf(root), this.registry);
        this.truth.set(root, project);
      }
      for (const d of project.service.getDefinitionAtPosition(path.join(this.nodeModules, relativePath), offset) ?? []) {
        const rel = path.relative(this.nodeModules, d.fileName).split(path.sep).join('/');
        if (!rel.startsWith(`${root}/`)) continue;
        const text = project.text(d.fileName) ?? '';
        const start = (d.contextSpan ?? d.textSpan).start;
        const lineStart = text.lastIndexOf('\n', start - 1) + 1;
        const lineEnd = text.indexOf('\n', start);
        found.push({ file: rel, offset: d.textSpan.start, signature: collapse(text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd)) });
      }
    }
    this.definitionMemo.set(key, found);
    return found;
  }

  private rootsOf(root: string): string[] {
    return this.files.filter((f) => f.relativePath.startsWith(`${root}/`)).map((f) => path.join(this.nodeModules, f.relativePath));
  }
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Identifiers of `text` between `from` and `to` (original offsets), by the TypeScript scanner. */
export function identifiersIn(text: string, from: number, to: number): { name: string; offset: number }[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  scanner.resetTokenState(from);
  const out: { name: string; offset: number }[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken && scanner.getTokenStart() < to; token = scanner.scan()) {
    if (token === ts.SyntaxKind.Identifier || token === ts.SyntaxKind.PrivateIdentifier)
      out.push({ name: scanner.getTokenText(), offset: scanner.getTokenStart() });
  }
  return out;
}
