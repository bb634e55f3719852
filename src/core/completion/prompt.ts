// Builds the chat prompt for an inline completion. gpt-4o-mini is a chat model, not a
// fill-in-the-middle model: it gets the file around a <CURSOR> hole and is asked for the insertion
// alone, inside <COMPLETION> tags so that any prose around it can be cut away.
import type { ChatMessageParam } from '../openaiClient';
import { redactSecretsInText } from '../secrets';

export const CURSOR = '<CURSOR>';
export const OPEN_TAG = '<COMPLETION>';
export const CLOSE_TAG = '</COMPLETION>';

export interface Snippet {
  path: string;
  text: string;
  /** About the whole file rather than the cursor (what it imports, its outline): kept while the user works anywhere in it. */
  fileWide?: boolean;
  /** One per document: a newer snippet of the same slot replaces the older one in place (the file's map). */
  slot?: string;
  /** What the word being typed may become: shown after the cursor, only while it is being typed. */
  forWord?: boolean;
}

export interface CompletionContext {
  prefix: string;
  suffix: string;
  /** Where `prefix` starts in the document: lets the prompt's window start at a stable place. */
  prefixOffset?: number;
  languageId: string;
  relativePath: string;
  snippets?: Snippet[];
  /** Context found since `snippets` last changed: the cache-aware layout puts it last, where changes cost little. */
  recentSnippets?: Snippet[];
}

export interface CompletionPrompt {
  messages: ChatMessageParam[];
  multiline: boolean;
  maxTokens: number;
  stop: string[];
  /** OpenAI's `prompt_cache_key`, when the engine routes this prompt to a cache. */
  cacheKey?: string;
  /** The document's language, kept in the request's ledger record. */
  languageId: string;
}

const MAX_PREFIX_CHARS = 16_000;
const MAX_SUFFIX_CHARS = 4_000;
const PREFIX_WINDOW_STEP = 4_096;

/**
 * The part of a document a completion may look at. The prefix window's start moves in steps, so
 * typing on keeps it (and with it the cache and the prompt's start) stable.
 */
export function documentWindow(text: string, offset: number): { prefix: string; suffix: string; prefixOffset: number } {
  const { prefixOffset, suffixEnd } = windowOffsets(offset);
  return { prefix: text.slice(prefixOffset, offset), suffix: text.slice(offset, suffixEnd), prefixOffset };
}

/** The window's bounds alone, for an editor that can read a range without copying the whole document. */
export function windowOffsets(offset: number): { prefixOffset: number; suffixEnd: number } {
  return { prefixOffset: Math.max(0, Math.ceil((offset - MAX_PREFIX_CHARS) / PREFIX_WINDOW_STEP) * PREFIX_WINDOW_STEP), suffixEnd: offset + MAX_SUFFIX_CHARS };
}

/** Rough size without running the tokenizer on every request: code averages ~3.5 characters a token. */
const CHARS_PER_TOKEN = 3.5;
const FIXED_OVERHEAD_TOKENS = 160; // the system prompt, labels and chat framing
const SINGLE_LINE_MAX_TOKENS = 64;
const MULTI_LINE_MAX_TOKENS = 256;

const BLOCK_OPENER = /(?:[{([]|=>|:|\bthen|\bdo)\s*$/;

/**
 * Multi-line at an empty line or right after a block opener with nothing after the cursor on
 * that line; single line otherwise (mid-line, the user is finishing that line).
 */
export function wantsMultiline(prefix: string, suffix: string): boolean {
  const linePrefix = prefix.slice(prefix.lastIndexOf('\n') + 1);
  const lineSuffix = suffix.split('\n', 1)[0];
  if (lineSuffix.trim() !== '' && !/^[)\]}>;,]*$/.test(lineSuffix.trim())) return false;
  if (linePrefix.trim() === '') return true;
  return BLOCK_OPENER.test(linePrefix);
}

/**
 * How the prompt is laid out. `cursorWindow` (Penny before cross-file context, and the Continue-like
 * benchmark engine): the file around the cursor, then snippets. `cacheAware`: what changes least
 * first, byte-identical from keystroke to keystroke (instructions, other files' definitions, the
 * code after the cursor's line, the file far before the cursor), and only the lines nearest the
 * cursor last: OpenAI bills a repeated prefix of 1,024+ tokens at half price (as Copilot's split
 * ghost-text prompt does).
 */
export type PromptLayout = 'cursorWindow' | 'cacheAware';

const SYSTEM_PROMPT = [
  'You are a code completion engine inside an editor. The user shows you a file with a hole marked <CURSOR>.',
  `Reply with only the text to insert at <CURSOR>, wrapped in ${OPEN_TAG}${CLOSE_TAG} tags.`,
  'No explanations, no markdown fences. Do not repeat code that is before or after the cursor; keep the indentation of the file.',
  `If nothing useful fits, reply ${OPEN_TAG}${CLOSE_TAG}.`,
].join('\n');

export function buildCompletionPrompt(context: CompletionContext, maxPromptTokens = 1500, layout: PromptLayout = 'cursorWindow'): CompletionPrompt {
  const multiline = wantsMultiline(context.prefix, context.suffix);
  const budgetChars = budgetCharsOf(maxPromptTokens);
  const scope = multiline
    ? 'Complete the statement or block the cursor is in; stop at the end of that block. Several lines are fine.'
    : 'Complete the current line only: a single line, no line breaks.';
  // The scope comes last in both layouts, so single- and multi-line requests share everything before it.
  const user = layout === 'cacheAware' ? cacheAwareParts(context, budgetChars) : cursorWindowParts(context, budgetChars);
  return {
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: [...user, scope].join('\n\n') },
    ],
    multiline,
    maxTokens: multiline ? MULTI_LINE_MAX_TOKENS : SINGLE_LINE_MAX_TOKENS,
    stop: [CLOSE_TAG],
    languageId: context.languageId,
  };
}

function cursorWindowParts(context: CompletionContext, budgetChars: number): string[] {
  // Nearby code matters most: most of the budget before the cursor, some after, the rest for other files.
  // Secrets in the file never leave the machine, even as context.
  const prefix = redactSecretsInText(keepTail(context.prefix, Math.floor(budgetChars * 0.65), context.prefixOffset ?? 0)).text;
  const suffix = redactSecretsInText(keepHead(context.suffix, Math.floor(budgetChars * 0.2))).text;
  const snippets = redacted(fitSnippets([...(context.snippets ?? []), ...(context.recentSnippets ?? [])], budgetChars - prefix.length - suffix.length));
  // The file's window starts at a stable place, so consecutive prompts share its start.
  const parts = [`Language: ${context.languageId}`, `File: ${context.relativePath}`, `--- ${context.relativePath} ---\n${prefix}${CURSOR}${suffix}`];
  if (snippets.length > 0) {
    parts.push('Code from other open files, for reference:');
    for (const snippet of snippets) parts.push(`--- ${snippet.path} ---\n${snippet.text}`);
  }
  return parts;
}

/** Shares of the budget: other files' context at most, the code after the cursor's line at most; the file before the cursor gets the rest. */
/** With the system prompt, the file-wide part alone makes a head of 1,024+ tokens when there is that much to show. */
const FILE_WIDE_SHARE = 0.5;
const CURSOR_SHARE = 0.14;
const CONTEXT_SHARE = FILE_WIDE_SHARE + CURSOR_SHARE;
const AFTER_SHARE = 0.06;
/** Small: what follows the code up to the cursor is billed uncached at every keystroke, so new finds soon settle before it. */
const RECENT_SHARE = 0.03;
/** What the word being typed may become has its own room there: it is what the model needs right now. */
const FOR_WORD_SHARE = 0.06;

function cacheAwareParts(context: CompletionContext, budgetChars: number): string[] {
  const newline = context.suffix.indexOf('\n');
  const lineRest = newline === -1 ? context.suffix : context.suffix.slice(0, newline);
  const after = newline === -1 ? '' : keepHead(context.suffix.slice(newline + 1), Math.floor(budgetChars * AFTER_SHARE));
  // Budgets that do not change as the user types on: the same snippets fit at every keystroke, and
  // the file's window starts at the same place (it moves in steps of ~1,000 characters), so all
  // before the cursor repeats byte for byte and only what was typed since is new.
  const snippets = redacted(fitSnippets(context.snippets ?? [], Math.floor(budgetChars * CONTEXT_SHARE)));
  const contextChars = snippets.reduce((sum, s) => sum + snippetChars(s), 0);
  const prefix = keepTail(context.prefix, Math.max(0, budgetChars - contextChars - after.length), context.prefixOffset ?? 0);

  const parts = [`Language: ${context.languageId}`, `File: ${context.relativePath}`];
  if (snippets.length > 0) {
    parts.push('Definitions and code from other files and other parts of this file, for reference:');
    for (const snippet of snippets) parts.push(`--- ${snippet.path} ---\n${snippet.text}`);
  }
  // The code after the cursor's line stays put while the user types: it goes before the code up to the cursor.
  if (after.trim() !== '') parts.push(`--- ${context.relativePath}: the code after the cursor's line ---\n${redactSecretsInText(after).text}`);
  parts.push(`--- ${context.relativePath}: the code up to the cursor ---\n${redactSecretsInText(prefix).text}${CURSOR}${redactSecretsInText(lineRest).text}`);
  // Found as the user typed: after the cursor, so the head before it stays the same.
  const found = context.recentSnippets ?? [];
  const recent = redacted([
    ...fitSnippets(
      found.filter((s) => s.forWord),
      Math.floor(budgetChars * FOR_WORD_SHARE),
    ),
    ...fitSnippets(
      found.filter((s) => !s.forWord),
      Math.floor(budgetChars * RECENT_SHARE),
    ),
  ]);
  if (recent.length > 0) {
    parts.push('More definitions, for reference:');
    for (const snippet of recent) parts.push(`--- ${snippet.path} ---\n${snippet.text}`);
  }
  return parts;
}

/** Window starts move in steps this large, so the prompt's start stays the same while the user types. */
const WINDOW_STEP_CHARS = 1024;

/**
 * At most the last `maxChars` of text, cut at a line start so the model sees whole lines. The cut
 * sits on a document offset rounded up to WINDOW_STEP_CHARS, so it moves only every ~1,000 characters.
 */
function keepTail(text: string, maxChars: number, textOffset: number): string {
  if (text.length <= maxChars) return text;
  const earliest = textOffset + text.length - maxChars;
  const cut = Math.ceil(earliest / WINDOW_STEP_CHARS) * WINDOW_STEP_CHARS - textOffset;
  const lineStart = text.indexOf('\n', cut);
  return lineStart === -1 || lineStart >= text.length - 1 ? text.slice(cut) : text.slice(lineStart + 1);
}

/** The first `maxChars` of text, cut at a line end. */
function keepHead(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const lineEnd = text.lastIndexOf('\n', maxChars);
  return lineEnd <= 0 ? text.slice(0, maxChars) : text.slice(0, lineEnd);
}

/** What a snippet takes of a prompt's budget: its text, its label and the line breaks around them. */
export function snippetChars(snippet: Snippet): number {
  return snippet.text.length + snippet.path.length + 10;
}

/** The snippets that fit, in their order. */
export function fitSnippets<T extends Snippet>(snippets: readonly T[], budgetChars: number): T[] {
  const chosen: T[] = [];
  let left = budgetChars;
  for (const snippet of snippets) {
    const cost = snippetChars(snippet);
    if (cost > left) continue;
    chosen.push(snippet);
    left -= cost;
  }
  return chosen;
}

function redacted(snippets: Snippet[]): Snippet[] {
  return snippets.map((s) => ({ ...s, text: redactSecretsInText(s.text).text }));
}

/** The characters the cache-aware layout gives context: about the whole file, about the cursor, and found since (recent). */
export function contextBudgets(maxPromptTokens: number): { fileWide: number; cursor: number; recent: number } {
  const budget = budgetCharsOf(maxPromptTokens);
  return { fileWide: Math.floor(budget * FILE_WIDE_SHARE), cursor: Math.floor(budget * CURSOR_SHARE), recent: Math.floor(budget * RECENT_SHARE) };
}

function budgetCharsOf(maxPromptTokens: number): number {
  return Math.max(200, (maxPromptTokens - FIXED_OVERHEAD_TOKENS) * CHARS_PER_TOKEN);
}
