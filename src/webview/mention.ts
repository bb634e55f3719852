// `@file` mentions in the prompt: finding the one at the caret, and taking it out once the file
// is attached. No DOM here, so the unit tests run it in Node.

export interface Mention {
  /** Index of the `@`. */
  start: number;
  /** End of the mention's word (it may go on past the caret). */
  end: number;
  /** What was typed between the `@` and the caret. */
  query: string;
}

/**
 * The mention the caret is in: an `@` at the start of the text or after whitespace, followed by
 * at least one non-space character up to the caret. `foo@bar.com` is not a mention.
 */
export function findMention(text: string, caret: number): Mention | undefined {
  if (caret < 0 || caret > text.length) return undefined;
  const before = text.slice(0, caret);
  const match = /(?:^|\s)@(\S+)$/.exec(before);
  if (!match) return undefined;
  const query = match[1];
  if (query.includes('@')) return undefined; // `@a@b`: not a path anyone means
  const start = caret - query.length - 1;
  const rest = /^\S*/.exec(text.slice(caret))?.[0] ?? '';
  return { start, end: caret + rest.length, query };
}

/**
 * The text without the mention, and where the caret goes. One space around it goes too, so
 * "explain @app.ts please" becomes "explain please", not "explain  please".
 */
export function removeMention(text: string, mention: Pick<Mention, 'start' | 'end'>): { text: string; caret: number } {
  let { start, end } = mention;
  const spaceBefore = start === 0 || /\s/.test(text[start - 1]);
  if (spaceBefore && text[end] === ' ') end++;
  else if (start > 0 && text[start - 1] === ' ' && (end === text.length || /\s/.test(text[end]))) start--;
  return { text: text.slice(0, start) + text.slice(end), caret: start };
}

/** Moves the highlighted entry of a list of `count` by `delta`, wrapping around; -1 when empty. */
export function moveIndex(index: number, delta: number, count: number): number {
  if (count <= 0) return -1;
  if (index < 0) return delta > 0 ? 0 : count - 1;
  return (((index + delta) % count) + count) % count;
}
