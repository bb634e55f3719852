// The identifiers of code, outside strings and comments, with their offsets: what the definition
// lookups ask about. A scan by regular expression, language-agnostic enough for the C family,
// Python, Ruby, Go and Rust; a language server gives the real answers, this only picks the spots.

export interface Occurrence {
  name: string;
  offset: number;
}

const HASH_COMMENTS = new Set(['python', 'ruby', 'shellscript', 'perl', 'r', 'yaml', 'toml', 'makefile', 'powershell', 'elixir', 'coffeescript']);

/** Words no definition lookup helps with: keywords of the common languages and globals every model knows. */
const SKIP = new Set(
  (
    'abstract and as assert async await break case catch class const continue def default del delete do elif else enum except export extends ' +
    'false final finally fn for from func function go if impl implements import in instanceof interface is lambda let loop match mod module ' +
    'mut namespace new nil none None not null of or package pass private protected pub public raise readonly require return self Self static ' +
    'struct super switch this throw true True False try type typeof undefined use using var void while with yield string number boolean any ' +
    'unknown never object int float bool str char long double byte short console Math JSON Object Array String Number Boolean Promise Error ' +
    'Map Set Date RegExp Symbol exports module process window document'
  ).split(' '),
);

/** Where import statements are looked for: the head of the file. */
const IMPORT_HEAD_CHARS = 12_000;
const IMPORT_LINE = /^\s*(?:import\b|from\s+\S+\s+import\b|export\s.*\bfrom\b|use\s|using\s|#include\b|(?:const|let|var)\s.*\brequire\s*\()/;

/** Identifiers of `text` (which starts at document offset `base`), outside strings and comments. */
export function identifierOccurrences(text: string, base: number, languageId: string): Occurrence[] {
  const hash = HASH_COMMENTS.has(languageId) ? '|#[^\\n]*' : '';
  const pattern = new RegExp(`(\\/\\/[^\\n]*|\\/\\*[\\s\\S]*?(?:\\*\\/|$)${hash}|(["'\`])(?:\\\\.|(?!\\2)[^\\\\\\n])*\\2?)|([A-Za-z_$][\\w$]*)`, 'g');
  const out: Occurrence[] = [];
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const name = match[3];
    if (name === undefined || name.length < 2 || /^\d/.test(name)) continue;
    // A keyword after a member access is a property's name (`toolCall.function`), not after a spread (`...this`).
    if (SKIP.has(name) && !(text[match.index - 1] === '.' && text[match.index - 2] !== '.')) continue;
    if (match.index > 0 && /[\w$]/.test(text[match.index - 1])) continue;
    out.push({ name, offset: base + match.index });
  }
  return out;
}

/** The names a file's import statements bring in (ES modules, CommonJS, Python, Rust, C#, C), in order. */
export function importedIdentifiers(text: string, languageId: string): Occurrence[] {
  const out: Occurrence[] = [];
  const seen = new Set<string>();
  const head = text.slice(0, IMPORT_HEAD_CHARS);
  let lineStart = 0;
  /** Inside a multi-line `import {` or `from x import (`: the brackets still open. */
  let open = 0;
  for (const line of head.split('\n')) {
    if (open > 0 || IMPORT_LINE.test(line)) {
      open = Math.max(0, open + count(line, /[{(]/g) - count(line, /[})]/g));
      for (const occurrence of identifierOccurrences(line, lineStart, languageId)) {
        if (seen.has(occurrence.name)) continue;
        seen.add(occurrence.name);
        out.push(occurrence);
      }
    }
    lineStart += line.length + 1;
  }
  return out;
}

/** How many times `pattern` (global) matches in `text`. */
export function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
