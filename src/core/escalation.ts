// Escalating a selection to the strong model: the prompt, and what it will cost before it is sent.
import { costOf, type PriceBook } from './cost/pricing';
import { countChatTokens } from './cost/tokenCount';
import type { ChatMessageParam } from './openaiClient';

export type EscalationTask = 'explain' | 'findBugs' | 'improve' | 'writeTests' | 'ask';

export const TASK_INSTRUCTIONS: Record<Exclude<EscalationTask, 'ask'>, string> = {
  explain: 'Explain what this code does, step by step, and point out anything surprising.',
  findBugs: 'Find the bugs in this code. For each: where, why it is wrong, and the fix. End with the corrected code in one fenced block.',
  improve:
    'Improve this code (correctness, clarity, performance) without changing its behaviour. Say what you changed and why, then give the full rewritten code in one fenced block.',
  writeTests: 'Write thorough unit tests for this code, in the test framework the file most likely uses, in one fenced block.',
};

/** Typical answer length for the "typical" estimate; the maximum is the request's max_tokens. */
export const TYPICAL_ANSWER_TOKENS = 600;
export const ESCALATION_MAX_TOKENS = 4096;

export interface EscalationInput {
  instruction: string;
  code: string;
  languageId: string;
  relativePath: string;
  /** Where the code came from, e.g. "lines 10-42" or "function parse (lines 10-42)". */
  origin: string;
}

export function escalationPrompt(input: EscalationInput): { messages: ChatMessageParam[]; userText: string } {
  const userText = `${input.instruction}\n\n\`${input.relativePath}\`, ${input.origin}:\n\n\`\`\`${input.languageId}\n${input.code}\n\`\`\``;
  return {
    userText,
    messages: [
      {
        role: 'system',
        content:
          'You are Penny, an expert programming assistant inside VS Code, consulted for a hard task. Answer in GitHub-flavoured markdown, precisely and completely. Put code in fenced blocks with a language tag.',
      },
      { role: 'user', content: userText },
    ],
  };
}

export interface EscalationEstimate {
  promptTokens: number;
  model: string;
  /** Null when the model's price is unknown. */
  inputUsd: number | null;
  typicalUsd: number | null;
  maxUsd: number | null;
  /** The same request on the everyday model, for comparison. */
  cheapModel: string;
  cheapTypicalUsd: number | null;
}

export function estimateEscalation(messages: ChatMessageParam[], model: string, cheapModel: string, prices: PriceBook): EscalationEstimate {
  const promptTokens = countChatTokens(messages);
  const price = prices.lookup(model);
  const cheapPrice = prices.lookup(cheapModel);
  const at = (p: typeof price, completionTokens: number) => (p ? costOf({ promptTokens, cachedTokens: 0, completionTokens }, p) : null);
  return {
    promptTokens,
    model,
    inputUsd: at(price, 0),
    typicalUsd: at(price, TYPICAL_ANSWER_TOKENS),
    maxUsd: at(price, ESCALATION_MAX_TOKENS),
    cheapModel,
    cheapTypicalUsd: at(cheapPrice, TYPICAL_ANSWER_TOKENS),
  };
}
