// The mess chat models wrap around a completion (Continue #2104, #1420): markdown fences, a sentence
// of prose, the code before the cursor repeated, the code after it repeated, and combinations. The
// check: does post-processing turn the messy answer into exactly the suggestion the clean answer gives?
import { cleanCompletion, singleLineComplete } from '../../../src/core/completion/postprocess';
import { OPEN_TAG, CLOSE_TAG } from '../../../src/core/completion/prompt';
import { applyStopAndLimit, streamCut } from './backend';

export const MESS_KINDS = [
  'fence',
  'prose',
  'prefix',
  'suffix',
  'prose+tags',
  'prose+fence',
  'fence+prefix',
  'prefix+suffix',
  'prose+fence+prefix+suffix',
] as const;
export type MessKind = (typeof MESS_KINDS)[number];

export interface MessContext {
  prefix: string;
  suffix: string;
  languageId: string;
  multiline: boolean;
}

const PROSE = ["Here's the completion:", 'Sure! Here is the code to insert:', 'The missing code is:', 'Here is the code that goes at the cursor:'];
const FENCE_LANG: Record<string, string> = { typescript: 'ts', javascript: 'javascript' };

/** The clean answer a well-behaved model gives: the insertion inside the tags (the stop sequence eats the close tag). */
export function cleanAnswer(continuation: string): string {
  return `${OPEN_TAG}${continuation}${CLOSE_TAG}`;
}

/** The code before the cursor a model tends to repeat: the current line, or from the last non-blank line when the cursor's line is blank. */
function repeatedPrefix(prefix: string): string {
  const lineStart = prefix.lastIndexOf('\n') + 1;
  if (prefix.slice(lineStart).trim() !== '') return prefix.slice(lineStart);
  const lines = prefix.split('\n');
  for (let i = lines.length - 2; i >= 0; i--) {
    if (lines[i].trim() !== '') return lines.slice(i).join('\n');
  }
  return prefix.slice(lineStart);
}

/** The code after the cursor a model tends to repeat: the rest of the line, or the next non-blank line (a closing `}`). */
function repeatedSuffix(suffix: string): string {
  const lineSuffix = suffix.split('\n', 1)[0];
  if (lineSuffix.trim() !== '') return lineSuffix;
  const next = suffix
    .split('\n')
    .slice(1)
    .find((line) => line.trim() !== '');
  return next === undefined ? '' : `\n${next}`;
}

/** `continuation` as a chat model might wrap it; `variant` picks among prose sentences. */
export function messify(kind: MessKind, continuation: string, context: MessContext, variant = 0): string {
  const parts = new Set(kind.split('+'));
  let code = continuation;
  if (parts.has('prefix')) code = repeatedPrefix(context.prefix) + code;
  if (parts.has('suffix')) code = code + repeatedSuffix(context.suffix);
  if (parts.has('tags')) code = `${OPEN_TAG}${code}${CLOSE_TAG}`;
  if (parts.has('fence')) code = `\`\`\`${FENCE_LANG[context.languageId] ?? context.languageId}\n${code}\n\`\`\``;
  if (parts.has('prose')) code = `${PROSE[variant % PROSE.length]}\n\n${code}`;
  return code;
}

/** What the engine would show for a raw answer: after the stop sequence, the early end of a single-line stream, and cleaning. */
export function shownFor(raw: string, context: MessContext, maxTokens?: number): string | undefined {
  const { content } = applyStopAndLimit(raw, [CLOSE_TAG], maxTokens);
  const received = streamCut(content, context.multiline ? undefined : singleLineComplete).text;
  return cleanCompletion(received, { prefix: context.prefix, suffix: context.suffix, multiline: context.multiline });
}

export interface MessSample extends MessContext {
  continuation: string;
  maxTokens: number;
}

export interface MessFailure {
  kind: MessKind;
  linePrefix: string;
  lineSuffix: string;
  multiline: boolean;
  raw: string;
  expected: string | undefined;
  got: string | undefined;
}

export interface MessReport {
  /** Answers (sample x mess kind) checked. */
  total: number;
  exact: number;
  byKind: Record<string, { total: number; exact: number }>;
  /** Clean answers whose suggestion is exactly the true continuation (trailing blanks aside). */
  cleanFaithful: { total: number; exact: number };
  failures: MessFailure[];
  /** Clean answers whose suggestion is not the true continuation (examples). */
  unfaithful: Omit<MessFailure, 'kind'>[];
}

/** Share of messy answers cleaned to exactly what the clean answer gives, for samples with a non-empty suggestion. */
export function checkMess(samples: MessSample[], maxFailures = 8): MessReport {
  const report: MessReport = { total: 0, exact: 0, byKind: {}, cleanFaithful: { total: 0, exact: 0 }, failures: [], unfaithful: [] };
  const failuresPerKind = new Map<MessKind, number>();
  // Both Penny runs ask at many of the same spots: show each example once.
  const seen = new Set<string>();
  const firstTime = (key: string) => !seen.has(key) && seen.add(key) !== undefined;
  samples.forEach((sample, index) => {
    if (sample.continuation.trim() === '') return;
    const expected = shownFor(cleanAnswer(sample.continuation), sample, sample.maxTokens);
    report.cleanFaithful.total++;
    if (expected === normalize(sample.continuation)) report.cleanFaithful.exact++;
    else if (report.unfaithful.length < maxFailures && firstTime(sample.prefix + sample.continuation))
      report.unfaithful.push({ ...where(sample), raw: cleanAnswer(sample.continuation), expected: normalize(sample.continuation), got: expected });
    if (expected === undefined) return;
    for (const kind of MESS_KINDS) {
      const raw = messify(kind, sample.continuation, sample, index);
      const got = shownFor(raw, sample, sample.maxTokens);
      const byKind = (report.byKind[kind] ??= { total: 0, exact: 0 });
      byKind.total++;
      report.total++;
      if (got === expected) {
        byKind.exact++;
        report.exact++;
      } else if (
        (failuresPerKind.get(kind) ?? 0) < Math.max(1, Math.ceil(maxFailures / 4)) &&
        report.failures.length < maxFailures * 3 &&
        firstTime(kind + raw)
      ) {
        failuresPerKind.set(kind, (failuresPerKind.get(kind) ?? 0) + 1);
        report.failures.push({ kind, ...where(sample), raw, expected, got });
      }
    }
  });
  return report;
}

function where(sample: MessSample): { linePrefix: string; lineSuffix: string; multiline: boolean } {
  return {
    linePrefix: sample.prefix.slice(sample.prefix.lastIndexOf('\n') + 1),
    lineSuffix: sample.suffix.split('\n', 1)[0],
    multiline: sample.multiline,
  };
}

/** The continuation as a suggestion can show it: no trailing blanks on lines, no trailing line breaks. */
function normalize(text: string): string {
  return text.replace(/[ \t]+$/gm, '').replace(/\n+$/, '');
}
