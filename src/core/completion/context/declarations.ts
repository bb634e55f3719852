// How a declaration is shown to the model: small ones whole, big ones as their signature (a
// function's header, a class's header and its members' first lines), so a prompt can carry many
// definitions for the tokens one body would take. Works on any language's symbols: the shapes come
// from the editor's document-symbol provider, the text from the document.

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
/** A header (before the body) spans at most this many lines. */
const HEADER_LINES = 4;
/** A container's signature is at most about this long (a big interface's members are cut, with `…`). */
const CONTAINER_CHARS = 1_300;
/** A container shows at most this many member lines. */
const MEMBER_LINES = 40;
const BODY_OPENER = /(?:\{|=>|:)\s*(?:\/\/.*)?$/;
/** A local variable's declaration (JS/TS, Kotlin/Scala, C++, Go's `:=`, Python-style assignment to a plain name). */
const LOCAL_DECLARATION = /^\s*(?:(?:let|const|var|val|auto)\s|[A-Za-z_$][\w$]*\s*(?::=|=(?!=)))/;
/** Where a constructor stores the instance's fields (JS/TS `this.x =`, Python `self.x =`). */
const FIELD_ASSIGNMENT = /^\s*(?:this|self)\.[\w$]+\s*=(?!=)/;
const CONSTRUCTORS = new Set(['constructor', '__init__', 'init']);

/** The declaration of `symbol` in `text`: whole when small, else its signature. */
export function declarationText(text: string, symbol: OutlineSymbol): string {
  const lines = linesOf(text, symbol.range);
  if (lines.length <= WHOLE_LINES) return dedent(lines).join('\n');
  if (symbol.shape === 'container' || (symbol.shape === 'value' && symbol.children.length > 0)) return dedent(containerLines(text, symbol, lines)).join('\n');
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
    const whole = body.slice(i, end).filter((l) => l.trim() !== '');
    locals.push(...(whole.length <= SMALL_LOCAL_LINES ? whole : [line]));
  });
  return dedent([...header, ...locals]).join('\n');
}

function containerLines(text: string, symbol: OutlineSymbol, lines: string[]): string[] {
  const children = sortByStart(symbol.children);
  const firstChildLine = children.length > 0 ? lineIndex(text, children[0].range.start) - lineIndex(text, symbol.range.start) : lines.length;
  const out = lines.slice(0, Math.max(1, Math.min(firstChildLine, HEADER_LINES)));
  let chars = out.join('\n').length;
  for (const child of children) {
    const member = memberLines(text, child);
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

/** A member as its first line (with its indentation); a constructor with the fields it assigns. */
export function memberLines(text: string, symbol: OutlineSymbol): string[] {
  const lines = linesOf(text, symbol.range);
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

/** The lines before the body: up to the first line that opens it, at most HEADER_LINES. */
function headerLines(lines: string[]): string[] {
  const end = lines.findIndex((line, i) => i < HEADER_LINES && BODY_OPENER.test(line));
  return lines.slice(0, end === -1 ? 1 : end + 1);
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
