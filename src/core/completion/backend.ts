// The completion engine's link to the API: every completion request goes through the metered
// client (so it is priced and recorded, cancelled ones too) as feature `completion`.
import type { PennyError } from '../errors';
import type { MeteredRunner } from '../meteredClient';
import type { CompletionBackend } from './engine';

export function meteredCompletionBackend(metered: MeteredRunner, model: () => string, onError: (error: PennyError) => void): CompletionBackend {
  return async (prompt, signal, isEnough) => {
    const result = await metered.run(
      'completion',
      {
        model: model(),
        modelSetting: 'penny.completionModel',
        messages: prompt.messages,
        maxTokens: prompt.maxTokens,
        temperature: 0,
        stop: prompt.stop,
        promptCacheKey: prompt.cacheKey,
        signal,
        isEnough,
      },
      { language: prompt.languageId },
    );
    if (result.error) {
      if (result.error.kind !== 'cancelled') onError(result.error);
      return undefined;
    }
    if (result.outcome === 'cancelled') return undefined;
    return { text: result.text, origin: result.record && { recordId: result.record.id, model: result.record.model, language: result.record.language } };
  };
}
