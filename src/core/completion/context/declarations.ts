// How a declaration is shown to the model: small ones whole, big ones as their signature (a
// function's header, a class's header and its members' first lines), so a prompt can carry many
// definitions for the tokens one body would take. Works on any language's symbols: the shapes come
// from the editor's document-symbol provider, the text from the document.
import { indentWidth } from '../postprocess';
import { count } from './identifiers';

export interface TextRange {
  start: number;
  end: number;
}

/** What a symbol is, as far as showing it goes. */
export type SymbolShape = 'container' | 'callable' | 'value';

/** A document symbol (VS Code's DocumentSymbol, TypeScript's navigation tree), in offsets. */
export interface OutlineSymbol {
  name: string;
  shape: SymbolShape;
  /** The whole declaration. */
  range: TextRange;
  /** The symbol's name. */
  nameRange: TextRange;
  children: OutlineSymbol[];
}

/** Declarations up to this many lines are shown whole. */
const WHOLE_LINES = 8;
/** A function's local declared in at most this many lines is shown whole. */
const SMALL_LOCAL_LINES = 4;
/** A class's header (before its members) spans at most this many lines. */
const HEADER_LINES = 4;
/** A function's header (its parameters, one a line, and their types) spans at most this many lines. */
const PARAMETER_LINES = 12;
/** A function's header and locals (scopeText) take at most about this many characters. */
const SCOPE_CHARS = 1_000;
const PRIVATE_MEMBER = /\bprivate\s/;
const LINE_COMMENT = /^\s*(?:\/\/|#)/;
/** A line of a comment block or a line comment (`/**`, ` * …`, ` *\/`, `//`). */
const DOC_LINE = /^\s*(?:\/\/|\/\*|\*)/;
/** A container's signature is at most about this long (a big interface's members are cut, with `…`). */
const CONTAINER_CHARS = 1_300;
/** A container's nested containers are shown with their members while it is at most this long; later ones by their first line. */
const NESTED_CHARS = 600;
/** A container shows at most this many member lines. */
const MEMBER_LINES = 40;
const BODY_OPENER = /(?:\{|=>|:)\s*(?:\/\/.*)?$/;
/** A local variable's declaration (JS/TS, Kotlin/Scala, C++, Go's `:=`, Python-style assignment to a plain name). */
const LOCAL_DECLARATION = /^\s*(?:(?:let|const|var|val|auto)\s|[A-Za-z_$][\w$]*\s*(?::=|=(?!=)))/;
/** Where a constructor stores the instance's fields (JS/TS `this.x =`, Python `self.x =`). */
const FIELD_ASSIGNMENT = /^\s*(?:this|self)\.[\w$]+\s*=(?!=)/;
const CONSTRUCTORS = new Set(['constructor', '__init__', 'init']);
/** A local declared as an object literal (its keys, one a line, follow). */
const OBJECT_LITERAL = /=\s*\{\s*$/;
/** A key of an object literal's line (`begin: /</,`, `'data-x': 1,`, `method() {`). */
const LITERAL_KEY = /^\s*(?:[\w$]+|'[^']*'|"[^"]*")\s*(?::|\()/;
/** An object literal local shows at most this many keys. */
const LITERAL_KEYS = 6;

/** How a declaration is seen. */
export interface DeclarationView {
  /** From another file: a class's private members (`#x`, `private x`) are left out, no code there can reach them. */
  outside?: boolean;
}

/** The declaration of `symbol` in `text`: whole when small, else its signature. */
export function declarationText(text: string, symbol: OutlineSymbol, view: DeclarationView = {}): string {
  const lines = linesOf(text, symbol.range);
  if (lines.length <= WHOLE_LINES) return dedent(lines).join('\n');
  if (symbol.shape === 'container' || (symbol.shape === 'value' && symbol.children.length > 0))
    return dedent(containerLines(text, symbol, lines, view.outside ?? false)).join('\n');
  return dedent(headerLines(lines)).join('\n');
}

/** A module's outline: the first line of each top-level declaration (what `require('./x')` offers). */
export function outlineText(text: string, symbols: readonly OutlineSymbol[]): string {
  const lines: string[] = [];
  for (const symbol of sortByStart(symbols)) {
    if (lines.length >= MEMBER_LINES) break;
    lines.push(...memberLines(text, symbol));
  }
  return lines.join('\n');
}

/** The symbol whose name sits at `offset` (where a definition provider points), at any depth. */
export function symbolNamedAt(symbols: readonly OutlineSymbol[], offset: number): OutlineSymbol | undefined {
  for (const symbol of symbols) {
    if (offset < symbol.range.start || offset > symbol.range.end) continue;
    if (symbol.nameRange.start <= offset && offset <= symbol.nameRange.end) return symbol;
    const inner = symbolNamedAt(symbol.children, offset);
    if (inner) return inner;
  }
  return undefined;
}

/** The line at `offset`, trimmed: a declaration no symbol describes (a local, a parameter). */
export function lineAt(text: string, offset: number): string {
  return linesOf(text, { start: offset, end: offset })[0].trim();
}

/** The classes, modules and functions around `offset`, outermost first. */
export function scopesAround(symbols: readonly OutlineSymbol[], offset: number): OutlineSymbol[] {
  const around: OutlineSymbol[] = [];
  let level: readonly OutlineSymbol[] = symbols;
  for (;;) {
    const inside = level.find((s) => s.range.start <= offset && offset <= s.range.end);
    if (!inside) return around;
    if (inside.shape !== 'value') around.push(inside);
    level = inside.children;
  }
}

/** A line that opens a function's body: `function f(a) {`, `X.prototype.f = function (a) {`, `(a) => {`, a method `f(a) {`. */
const FUNCTION_OPENER = /(?:\bfunction\b[^{]*|=>\s*|^\s*(?:(?:static|async|get|set)\s+)*[\w$#]+\s*\([^)]*\)\s*)\{\s*$/;
const FUNCTION_NAME =
  /^\s*(?:(?:export\s+)?(?:async\s+)?function\s*\*?\s*([\w$]+)|(?:(?:const|let|var)\s+)?([\w$.#]+)\s*[=:]|(?:(?:static|async|get|set)\s+)*([\w$#]+)\s*\()/;
const CONTROL = /^\s*(?:\}\s*)?(?:if|for|while|switch|catch|else|do|try|with)\b/;

/**
 * The functions around `offset` as the code's indentation shows them, outermost first: for code no
 * symbol provider outlines (TypeScript's outline of an ES module leaves out `Runner.prototype.run =
 * function () {` and the functions declared inside it).
 */
export function functionsAround(text: string, offset: number): OutlineSymbol[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', lineStart);
  const cursorLine = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  let limit = indentWidth(cursorLine.trim() === '' ? text.slice(lineStart, offset) : cursorLine);
  const found: OutlineSymbol[] = [];
  for (let end = lineStart - 1; end > 0 && limit > 0;) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    end = start - 1;
    const indent = indentWidth(line);
    if (line.trim() === '' || indent >= limit) continue;
    limit = indent;
    const name = FUNCTION_NAME.exec(line);
    if (!FUNCTION_OPENER.test(line) || CONTROL.test(line) || !name) continue;
    const nameText = name[1] ?? name[2] ?? name[3];
    const nameStart = start + line.indexOf(nameText, name.index);
    found.unshift({
      name: nameText,
      shape: 'callable',
      range: { start, end: blockEnd(text, start, indent) },
      nameRange: { start: nameStart, end: nameStart + nameText.length },
      children: [],
    });
  }
  return found;
}

/** Where the block opened on the line at `start` (indented `indent`) ends: its closing line, or the text's end. */
function blockEnd(text: string, start: number, indent: number): number {
  for (let at = text.indexOf('\n', start); at !== -1;) {
    const next = text.indexOf('\n', at + 1);
    const line = text.slice(at + 1, next === -1 ? undefined : next);
    if (line.trim() !== '' && indentWidth(line) <= indent) return /^\s*[)\]}]/.test(line) ? (next === -1 ? text.length : next) : at;
    at = next;
  }
  return text.length;
}

/**
 * A scope the cursor is in, for when its start is out of sight: a class as its signature, a
 * function as its header and the variables it declares at its top level (what its body goes on to use).
 */
export function scopeText(text: string, symbol: OutlineSymbol): string {
  if (symbol.shape !== 'callable') return declarationText(text, symbol);
  const lines = linesOf(text, symbol.range);
  const header = headerLines(lines);
  const body = lines.slice(header.length);
  const bodyIndent = indentOf(body.find((l) => l.trim() !== '') ?? '').length;
  const locals: string[] = [];
  body.forEach((line, i) => {
    if (locals.length >= MEMBER_LINES || indentOf(line).length !== bodyIndent || !LOCAL_DECLARATION.test(line)) return;
    // A small one whole (`const FRAGMENT = { begin: '<>', end: '</>' };`): what its uses name is in it.
    let end = i + 1;
    while (end < body.length && (body[end].trim() === '' || indentOf(body[end]).length > bodyIndent)) end++;
    if (end < body.length && /^\s*[)\]}]/.test(body[end]) && indentOf(body[end]).length === bodyIndent) end++;
    const whole = body.slice(i, end).filter((l) => l.trim() !== '' && !LINE_COMMENT.test(l) && !DOC_LINE.test(l));
    locals.push(...(whole.length <= SMALL_LOCAL_LINES ? whole : literalKeys(whole, bodyIndent)));
  });
  // Fits the prompt's room about the cursor beside other definitions: the locals declared first are kept.
  const kept: string[] = [];
  let chars = header.join('\n').length;
  for (const local of locals) {
    chars += local.length + 1;
    if (chars > SCOPE_CHARS) break;
    kept.push(local);
  }
  return dedent([...header, ...kept]).join('\n');
}

/** A big local by its first line; an object literal (`const XML_TAG = {`) with its keys' lines too, what `XML_TAG.begin` names. */
function literalKeys(lines: string[], indent: number): string[] {
  const keyIndent = indentOf(lines.find((l, i) => i > 0 && indentOf(l).length > indent) ?? '');
  if (!OBJECT_LITERAL.test(lines[0]) || keyIndent === '') return lines.slice(0, 1);
  const keys = lines.filter((l, i) => i > 0 && indentOf(l) === keyIndent && LITERAL_KEY.test(l)).slice(0, LITERAL_KEYS);
  return [lines[0], ...keys, `${keyIndent}…`];
}

function containerLines(text: string, symbol: OutlineSymbol, lines: string[], outside: boolean): string[] {
  const all = sortByStart(symbol.children);
  const firstChildLine = all.length > 0 ? lineIndex(text, all[0].range.start) - lineIndex(text, symbol.range.start) : lines.length;
  const children = all.filter((child) => !outside || !isPrivate(text, child));
  // The header without the doc comments of the first member (a provider's range may not include them).
  const out = lines.slice(0, Math.max(1, Math.min(firstChildLine, HEADER_LINES))).filter((line, i) => i === 0 || !DOC_LINE.test(line));
  let chars = out.join('\n').length;
  for (const child of children) {
    // A namespace's first interfaces with their members (`toolCall.function.arguments` needs them), later ones by their first line:
    // whole, a namespace merged with an interface (openai's `ChatCompletion`) took the room of the file's next imports.
    const nested = child.shape === 'container' && child.children.length > 0 ? containerLines(text, child, linesOf(text, child.range), outside) : undefined;
    const member = nested && chars + nested.join('\n').length + 1 <= NESTED_CHARS ? nested : memberLines(text, child);
    const memberChars = member.join('\n').length + 1;
    // Small enough to fit beside others in a prompt's room for context.
    if (out.length >= MEMBER_LINES * 1.5 || chars + memberChars > CONTAINER_CHARS) {
      out.push(`${indentOf(lines[1] ?? '')}…`);
      break;
    }
    out.push(...member);
    chars += memberChars;
  }
  const last = lines[lines.length - 1];
  if (/^\s*[)\]}][)\]};,]*\s*$/.test(last)) out.push(last);
  return out;
}

/** A class member no code outside the class can name: `#x` (JS), `private x` (TS). */
function isPrivate(text: string, member: OutlineSymbol): boolean {
  return member.name.startsWith('#') || PRIVATE_MEMBER.test(text.slice(member.range.start, member.nameRange.start));
}

/** A member as its first line (with its indentation); a constructor with the fields it assigns. */
export function memberLines(text: string, symbol: OutlineSymbol): string[] {
  // From the name's line (linesOf starts at a line's start): a member's range may start at its doc comment.
  const lines = linesOf(text, { start: Math.max(symbol.range.start, symbol.nameRange.start), end: symbol.range.end });
  if (symbol.shape !== 'callable') return lines.slice(0, 1);
  const header = headerLines(lines).slice(0, 1);
  return CONSTRUCTORS.has(symbol.name)
    ? [
        ...header,
        ...lines
          .slice(1)
          .filter((l) => FIELD_ASSIGNMENT.test(l))
          .slice(0, MEMBER_LINES),
      ]
    : header;
}

/**
 * The lines before the body: up to the first line that opens it outside the parameters' brackets
 * (`params:` inside them is a parameter's type to come, not a Python body), at most PARAMETER_LINES.
 */
function headerLines(lines: string[]): string[] {
  let depth = 0;
  for (let i = 0; i < Math.min(lines.length, PARAMETER_LINES); i++) {
    depth += count(lines[i], /[([]/g) - count(lines[i], /[)\]]/g);
    if (depth <= 0 && BODY_OPENER.test(lines[i])) return lines.slice(0, i + 1);
  }
  return lines.slice(0, 1);
}

function linesOf(text: string, range: TextRange): string[] {
  const start = text.lastIndexOf('\n', range.start - 1) + 1;
  const newline = text.indexOf('\n', Math.max(range.start, range.end - 1));
  return text.slice(start, newline === -1 ? text.length : newline).split('\n');
}

function lineIndex(text: string, offset: number): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

function sortByStart(symbols: readonly OutlineSymbol[]): OutlineSymbol[] {
  return [...symbols].sort((a, b) => a.range.start - b.range.start);
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => indentOf(l).length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(common, indentOf(l).length)).trimEnd());
}
