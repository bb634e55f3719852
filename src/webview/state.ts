// What the view saves with `vscode.setState` (the webview is destroyed while hidden), and reading
// it back defensively: state saved by an earlier version of the view may lack fields or not fit.
// No DOM here, so the unit tests run it in Node.
import type { ChatSnapshot } from '../shared/protocol';

export interface PersistedState {
  snapshot?: ChatSnapshot;
  draft: string;
  /** A model picked in the view that the extension has not confirmed yet. */
  chosenModel?: string;
  /** The last question while it is being edited, with the unsent text. */
  editing?: { id: string; text: string };
  /** The suggestion banner the user closed (see `suggestionKey`), so it stays closed. */
  dismissedSuggestion?: string;
}

/** Identifies a suggestion: the same offer under the same answer. */
export function suggestionKey(suggestion: { messageId: string; text: string }): string {
  return `${suggestion.messageId}\n${suggestion.text}`;
}

type Loose<T> = { [K in keyof T]?: unknown };

function snapshotOf(value: unknown): ChatSnapshot | undefined {
  const snapshot = value as Loose<ChatSnapshot> | undefined;
  if (!snapshot || typeof snapshot !== 'object' || !Array.isArray(snapshot.messages)) return undefined;
  const estimates = snapshot.escalationEstimates;
  return {
    ...(snapshot as ChatSnapshot),
    models: Array.isArray(snapshot.models) ? (snapshot.models as string[]) : [],
    selectedModel: typeof snapshot.selectedModel === 'string' ? snapshot.selectedModel : '',
    totalUsd: typeof snapshot.totalUsd === 'number' ? snapshot.totalUsd : snapshot.totalUsd === null ? null : 0,
    // Fields added after the first release of the view.
    attachments: Array.isArray(snapshot.attachments) ? (snapshot.attachments as ChatSnapshot['attachments']) : [],
    escalationModel: typeof snapshot.escalationModel === 'string' ? snapshot.escalationModel : '',
    escalationEstimates: estimates && typeof estimates === 'object' ? (estimates as ChatSnapshot['escalationEstimates']) : {},
  };
}

export function parseSavedState(value: unknown): PersistedState | undefined {
  const state = value as Loose<PersistedState> | undefined;
  if (!state || typeof state !== 'object' || typeof state.draft !== 'string') return undefined;
  const editing = state.editing as Loose<NonNullable<PersistedState['editing']>> | undefined;
  return {
    draft: state.draft,
    chosenModel: typeof state.chosenModel === 'string' ? state.chosenModel : undefined,
    snapshot: snapshotOf(state.snapshot),
    editing: typeof editing?.id === 'string' && typeof editing.text === 'string' ? { id: editing.id, text: editing.text } : undefined,
    dismissedSuggestion: typeof state.dismissedSuggestion === 'string' ? state.dismissedSuggestion : undefined,
  };
}
