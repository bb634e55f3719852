// Scripted answers for the demo: deterministic, but paced and priced like a real model, so the
// status bar, the chat and the cost report have something believable to show.
import { computedUsage, type RecordedRequest, type ScriptedReply, type ScriptedUsage } from './mockOpenAI';

const CURSOR_MARKER = '<CURSOR>';

export function demoReply(req: RecordedRequest): ScriptedReply {
  const userTexts = userMessages(req.body);
  const completionPrompt = userTexts.find((text) => text.includes(CURSOR_MARKER));
  if (completionPrompt !== undefined) {
    const content = completeAtCursor(completionPrompt);
    return { content, usage: demoUsage(req.body, content), chunkSize: 12, firstByteDelayMs: 120, chunkDelayMs: 10 };
  }
  const content = markdownAnswer(userTexts.at(-1) ?? '');
  return { content, usage: demoUsage(req.body, content), chunkSize: 6, firstByteDelayMs: 250, chunkDelayMs: 15 };
}

/** ~4 characters per token, and OpenAI's prompt cache: half a long prompt, in 128-token steps. */
function demoUsage(requestBody: unknown, content: string): ScriptedUsage {
  const usage = computedUsage(requestBody, content);
  const cached = usage.prompt_tokens >= 1024 ? Math.floor(usage.prompt_tokens / 2 / 128) * 128 : 0;
  return { ...usage, cached_tokens: cached };
}

function userMessages(body: unknown): string[] {
  const messages = (body as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages)) return [];
  return messages
    .filter((message) => message?.role === 'user' && typeof message.content === 'string')
    .map((message) => message.content as string);
}

const OPERATORS: [RegExp, string][] = [
  [/^(add|sum|plus)/, ' + '],
  [/^(sub|minus)/, ' - '],
  [/^(mul|times|product)/, ' * '],
  [/^div/, ' / '],
];

/** A short continuation for the line before the cursor: a function body for `function f(a, b) {`, else a TODO. */
function completeAtCursor(prompt: string): string {
  // The last marker is the cursor: an instruction before the code may name the marker too.
  const at = prompt.lastIndexOf(CURSOR_MARKER);
  const before = prompt.slice(0, at);
  const after = prompt.slice(at + CURSOR_MARKER.length);
  const line = before.slice(before.lastIndexOf('\n') + 1);
  const indent = /^\s*/.exec(line)![0];
  const opened = /function\s+(\w+)\s*\(([^)]*)\)\s*\{\s*$/.exec(line);
  if (!opened) return line.trim() === '' ? '// TODO' : `\n${indent}// TODO`;

  const [, name, paramList] = opened;
  const params = paramList.split(',').map((p) => p.trim().split(/[\s:=]/)[0]).filter(Boolean);
  const operator = OPERATORS.find(([pattern]) => pattern.test(name.toLowerCase()))?.[1];
  const body = operator && params.length >= 2 ? `return ${params.join(operator)};` : `// TODO: implement ${name}`;
  // When the editor already has the closing brace after the cursor, do not add a second one.
  const closing = after.trimStart().startsWith('}') ? '' : `\n${indent}}`;
  return `\n${indent}  ${body}${closing}`;
}

interface Answer {
  title: string;
  summary: string;
  points: string[];
  code: string;
}

const TOPICS: (Answer & { keywords: RegExp })[] = [
  {
    keywords: /debounce|throttle/i,
    title: 'Debouncing a function',
    summary: 'A debounce waits until calls have stopped for a moment, then runs once with the latest arguments.',
    points: ['Keep one timer per debounced function.', 'Restart the timer on every call.', 'Offer a way to cancel, for disposal.'],
    code: [
      'export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {',
      '  let timer: ReturnType<typeof setTimeout> | undefined;',
      '  return (...args: A) => {',
      '    clearTimeout(timer);',
      '    timer = setTimeout(() => fn(...args), ms);',
      '  };',
      '}',
    ].join('\n'),
  },
  {
    keywords: /\btests?\b|mocha|assert/i,
    title: 'Writing a unit test',
    summary: 'A good unit test checks one behaviour, runs fast and fails with a message that says what broke.',
    points: ['Arrange the inputs, act once, assert the result.', 'Name the test after the behaviour.', 'Avoid sleeps: wait on an event with a timeout.'],
    code: [
      "import * as assert from 'node:assert/strict';",
      '',
      "describe('add', () => {",
      "  it('adds two numbers', () => {",
      '    assert.equal(add(2, 3), 5);',
      '  });',
      '});',
    ].join('\n'),
  },
  {
    keywords: /fetch|http|request|api/i,
    title: 'Calling an HTTP API',
    summary: 'Wrap the call so that timeouts, status codes and JSON parsing are handled in one place.',
    points: ['Pass an AbortSignal so the caller can cancel.', 'Check `response.ok` before reading the body.', 'Retry only what is safe to retry.'],
    code: [
      'export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {',
      '  const response = await fetch(url, { signal });',
      '  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);',
      '  return (await response.json()) as T;',
      '}',
    ].join('\n'),
  },
  {
    keywords: /error|exception|catch|throw/i,
    title: 'Handling errors',
    summary: 'Catch an error where you can do something useful with it, and keep its cause when you rethrow.',
    points: ['Narrow `unknown` before using it.', 'Add context with `cause`.', 'Show the user what to do next.'],
    code: [
      'try {',
      '  await save(document);',
      '} catch (error) {',
      "  throw new Error('Could not save the document', { cause: error });",
      '}',
    ].join('\n'),
  },
];

const FALLBACK_ANSWER: Answer = {
  title: 'A small, typed helper',
  summary: 'Here is one way to approach it: keep the function small, typed and easy to test.',
  points: ['Start from the inputs and outputs.', 'Handle the empty case first.', 'Write a test for the edge cases.'],
  code: [
    'export function groupBy<T, K extends string>(items: T[], key: (item: T) => K): Record<K, T[]> {',
    '  const groups = {} as Record<K, T[]>;',
    '  for (const item of items) (groups[key(item)] ??= []).push(item);',
    '  return groups;',
    '}',
  ].join('\n'),
};

function markdownAnswer(question: string): string {
  const topic = TOPICS.find((t) => t.keywords.test(question)) ?? FALLBACK_ANSWER;
  // Quote the first line only, without markdown marks: the question may hold a whole code block.
  const firstLine = question.split('\n').find((l) => l.trim() !== '' && !l.startsWith('```')) ?? '';
  const asked = firstLine.replace(/[`*_]/g, '').trim();
  const quoted = asked.length > 80 ? `${asked.slice(0, 77)}...` : asked;
  return [
    `## ${topic.title}`,
    '',
    quoted ? `*${quoted}* — ${topic.summary}` : topic.summary,
    '',
    ...topic.points.map((point) => `- ${point}`),
    '',
    '```ts',
    topic.code,
    '```',
  ].join('\n');
}
