// Builds the chat prompt for an inline completion. gpt-4o-mini is a chat model, not a
// fill-in-the-middle model: it gets the file around a <CURSOR> hole and is asked for the insertion
// alone, inside <COMPLETION> tags so that any prose around it can be cut away.
import type { ChatMessageParam } from '../openaiClient';

export const CURSOR = '<CURSOR>';
export const OPEN_TAG = '<COMPLETION>';
export const CLOSE_TAG = '</COMPLETION>';

export interface Snippet {
  path: string;
  text: string;
}

export interface CompletionContext {
  prefix: string;
  suffix: string;
  languageId: string;
  relativePath: string;
  snippets?: Snippet[];
}

export interface CompletionPrompt {
  messages: ChatMessageParam[];
  multiline: boolean;
  maxTokens: number;
  stop: string[];
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

export function buildCompletionPrompt(context: CompletionContext, maxPromptTokens = 1500): CompletionPrompt {
  const multiline = wantsMultiline(context.prefix, context.suffix);
  const budgetChars = Math.max(200, (maxPromptTokens - FIXED_OVERHEAD_TOKENS) * CHARS_PER_TOKEN);
  // Nearby code matters most: most of the budget before the cursor, some after, the rest for other files.
  const prefix = keepTail(context.prefix, Math.floor(budgetChars * 0.65));
  const suffix = keepHead(context.suffix, Math.floor(budgetChars * 0.2));
  const snippetBudget = budgetChars - prefix.length - suffix.length;
  const snippets = fitSnippets(context.snippets ?? [], snippetBudget);

  const scope = multiline
    ? 'Complete the statement or block the cursor is in; stop at the end of that block. Several lines are fine.'
    : 'Complete the current line only: a single line, no line breaks.';
  const system = [
    'You are a code completion engine inside an editor. The user shows you a file with a hole marked <CURSOR>.',
    `Reply with only the text to insert at <CURSOR>, wrapped in ${OPEN_TAG}${CLOSE_TAG} tags.`,
    'No explanations, no markdown fences. Do not repeat code that is before or after the cursor; keep the indentation of the file.',
    scope,
    `If nothing useful fits, reply ${OPEN_TAG}${CLOSE_TAG}.`,
  ].join('\n');

  const parts = [`Language: ${context.languageId}`, `File: ${context.relativePath}`];
  if (snippets.length > 0) {
    parts.push('Code from other open files, for reference:');
    for (const snippet of snippets) parts.push(`--- ${snippet.path} ---\n${snippet.text}`);
  }
  parts.push(`--- ${context.relativePath} ---\n${prefix}${CURSOR}${suffix}`);

  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: parts.join('\n\n') },
    ],
    multiline,
    maxTokens: multiline ? MULTI_LINE_MAX_TOKENS : SINGLE_LINE_MAX_TOKENS,
    stop: [CLOSE_TAG],
  };
}

/** The last `maxChars` of text, cut at a line start so the model sees whole lines. */
function keepTail(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.length - maxChars;
  const lineStart = text.indexOf('\n', cut);
  return lineStart === -1 || lineStart >= text.length - 1 ? text.slice(cut) : text.slice(lineStart + 1);
}

/** The first `maxChars` of text, cut at a line end. */
function keepHead(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const lineEnd = text.lastIndexOf('\n', maxChars);
  return lineEnd <= 0 ? text.slice(0, maxChars) : text.slice(0, lineEnd);
}

function fitSnippets(snippets: Snippet[], budgetChars: number): Snippet[] {
  const chosen: Snippet[] = [];
  let left = budgetChars;
  for (const snippet of snippets) {
    const cost = snippet.text.length + snippet.path.length + 10;
    if (cost > left) continue;
    chosen.push(snippet);
    left -= cost;
  }
  return chosen;
}
