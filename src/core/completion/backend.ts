// The completion engine's link to the API: every completion request goes through the metered
// client (so it is priced and recorded, cancelled ones too) as feature `completion`.
import type { PennyError } from '../errors';
import type { MeteredRunner } from '../meteredClient';
import { newRecordId, type LedgerRecord } from '../cost/record';
import type { ChatRequest } from '../openaiClient';
import type { CompletionBackend, CompletionOrigin } from './engine';
import type { CompletionPrompt } from './prompt';

export function meteredCompletionBackend(metered: MeteredRunner, model: () => string, onError: (error: PennyError) => void): CompletionBackend {
  return async (prompt, signal, { isEnough, onText }) => {
    // Named before it is written, so what is shown while the answer streams can point to its record.
    const recordId = newRecordId();
    let textSoFar = '';
    const onDelta =
      onText &&
      ((delta: string, streamedModel: string) => onText((textSoFar += delta), originOf({ id: recordId, model: streamedModel, language: prompt.languageId })));
    const result = await metered.run(
      'completion',
      { ...completionRequest(prompt, model()), signal, isEnough, onDelta },
      { language: prompt.languageId, recordId },
    );
    if (result.error) {
      if (result.error.kind !== 'cancelled') onError(result.error);
      return undefined;
    }
    if (result.outcome === 'cancelled') return undefined;
    return { text: result.text, origin: result.record && originOf(result.record), ...(result.outcome === 'length' ? { truncated: true } : {}) };
  };
}

/** The API request for a completion prompt (the extension meters it, the benchmark simulates it). */
export function completionRequest(prompt: CompletionPrompt, model: string): ChatRequest {
  return {
    model,
    modelSetting: 'penny.completionModel',
    messages: prompt.messages,
    maxTokens: prompt.maxTokens,
    temperature: 0,
    stop: prompt.stop,
    promptCacheKey: prompt.cacheKey,
  };
}

/** The request a suggestion came from, as its ledger record names it. */
export function originOf(record: Pick<LedgerRecord, 'id' | 'model' | 'language'>): CompletionOrigin {
  return { recordId: record.id, model: record.model, ...(record.language === undefined ? {} : { language: record.language }) };
}
