// Token counting with the o200k_base encoding (gpt-4o and gpt-4o-mini), as the API counts.
//
// The encoder's rank table takes ~0.4 s to load, so it is required on first use, never at import:
// activation must stay fast. `warmUpTokenizer()` lets a caller pay that cost at an idle moment.

type O200kBase = typeof import('gpt-tokenizer/cjs/encoding/o200k_base');

export interface ChatMessageLike {
  role: string;
  content: string;
  name?: string;
}

/** Cookbook overhead for the gpt-4o family: 3 tokens per message, 1 per `name`, 3 priming the reply. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMER_TOKENS = 3;

/** Special tokens such as `<|endoftext|>` in user text are plain text to the server, so count them as such (and never throw). */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

let encoder: O200kBase | undefined;

function o200k(): O200kBase {
  // The `cjs/` path resolves both for TypeScript's node resolution and through the package's exports map.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, synchronously: esbuild makes it dist/tokenizer.js, kept out of activation
  encoder ??= require('gpt-tokenizer/cjs/encoding/o200k_base') as O200kBase;
  return encoder;
}

/** Loads the encoder now instead of on the first count. */
export function warmUpTokenizer(): void {
  o200k();
}

export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : o200k().countTokens(text, PLAIN_TEXT);
}

/** Prompt tokens of a chat request, as `usage.prompt_tokens` will report them. */
export function countChatTokens(messages: ChatMessageLike[]): number {
  let tokens = REPLY_PRIMER_TOKENS;
  for (const message of messages) {
    tokens += TOKENS_PER_MESSAGE + countTextTokens(message.role) + countTextTokens(message.content);
    if (message.name !== undefined) tokens += TOKENS_PER_NAME + countTextTokens(message.name);
  }
  return tokens;
}
