// What became of a suggestion, as the use records the ledger keeps (see useRecorder.ts): the same
// in the extension and in the benchmark's simulated user, so both count value the same way.
import type { UseEvent } from '../useRecorder';
import type { CompletionOrigin } from './engine';

export type CompletionUse = 'offered' | 'accepted' | 'typedThrough';

export function completionUse(use: CompletionUse, origin: CompletionOrigin, chars?: number): UseEvent {
  return {
    use,
    ref: origin.recordId,
    feature: 'completion',
    model: origin.model,
    ...(origin.language === undefined ? {} : { language: origin.language }),
    ...(chars === undefined ? {} : { chars }),
  };
}
